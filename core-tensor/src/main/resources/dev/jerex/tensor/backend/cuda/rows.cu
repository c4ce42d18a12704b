// Fused row kernels over a contiguous [rows, cols] block: softmax, log-softmax, layer norm and
// their backward passes. Mapping: one block of ROW_THREADS threads per row (blockIdx.x = row);
// thread t handles columns t, t + ROW_THREADS, ...; row-wide sums and maxima go through the
// shared-memory tree reductions of common.cuh. Sums accumulate in double, as in JavaBackend.
#include "common.cuh"

// Softmax (or log-softmax) of each row, max-subtracted:        (JavaBackend.softmax)
//   m = max_c x[c]  (0 when the row is all -inf: exp(-inf) = 0 below)
//   s = sum_c exp(x[c] - m)
//   softmax: y[c] = exp(x[c] - m) / s          log-softmax: y[c] = x[c] - (ln s + m)
extern "C" __global__ void softmax(int log_softmax, const float* x, float* y, int cols) {
    const float* xr = x + (long long) blockIdx.x * cols;
    float* yr = y + (long long) blockIdx.x * cols;

    float m = NEG_INF;
    for (int c = threadIdx.x; c < cols; c += ROW_THREADS) m = java_max(m, xr[c]);
    m = block_max(m);
    if (m == NEG_INF) m = 0.f;

    double s = 0;
    for (int c = threadIdx.x; c < cols; c += ROW_THREADS) s += expf(xr[c] - m);
    s = block_sum(s);

    if (log_softmax) {
        float log_sum = (float) log(s) + m;
        for (int c = threadIdx.x; c < cols; c += ROW_THREADS) yr[c] = xr[c] - log_sum;
    } else {
        float inv = s == 0 ? 0.f : (float) (1.0 / s);
        for (int c = threadIdx.x; c < cols; c += ROW_THREADS) yr[c] = expf(xr[c] - m) * inv;
    }
}

// Backward of softmax, from the saved output y:                 (JavaBackend.softmaxBackward)
//   softmax:     gx = y * (gy - sum_c gy[c] y[c])
//   log-softmax: gx = gy - exp(y) * sum_c gy[c]
extern "C" __global__ void softmax_backward(int log_softmax, const float* y, const float* gy,
                                            float* gx, int cols) {
    long long base = (long long) blockIdx.x * cols;
    const float* yr = y + base;
    const float* gr = gy + base;
    float* out = gx + base;

    double dot = 0;
    for (int c = threadIdx.x; c < cols; c += ROW_THREADS) {
        dot += log_softmax ? (double) gr[c] : (double) (gr[c] * yr[c]);
    }
    dot = block_sum(dot);

    for (int c = threadIdx.x; c < cols; c += ROW_THREADS) {
        out[c] = log_softmax ? (float) (gr[c] - exp((double) yr[c]) * dot)
                             : (float) (yr[c] * (gr[c] - dot));
    }
}

// Layer norm of each row (biased variance):                      (JavaBackend.layerNorm)
//   mu = mean_c x[c],  var = mean_c (x[c] - mu)^2,  rstd = 1 / sqrt(var + eps)
//   y[c] = (x[c] - mu) * rstd * gamma[c] + beta[c];  saves mean[row] = mu, rstd[row] = rstd.
// Two passes over the row (mean, then variance around it): no cancellation of E[x^2] - mu^2.
extern "C" __global__ void layer_norm(const float* x, const float* gamma, const float* beta,
                                      float* y, float* mean, float* rstd, int cols, float eps) {
    const float* xr = x + (long long) blockIdx.x * cols;
    float* yr = y + (long long) blockIdx.x * cols;

    double sum = 0;
    for (int c = threadIdx.x; c < cols; c += ROW_THREADS) sum += xr[c];
    double mu = block_sum(sum) / cols;

    double var = 0;
    for (int c = threadIdx.x; c < cols; c += ROW_THREADS) {
        double d = xr[c] - mu;
        var += d * d;
    }
    double inv = 1.0 / sqrt(block_sum(var) / cols + eps);

    for (int c = threadIdx.x; c < cols; c += ROW_THREADS) {
        yr[c] = (float) ((xr[c] - mu) * inv) * gamma[c] + beta[c];
    }
    if (threadIdx.x == 0) {
        mean[blockIdx.x] = (float) mu;
        rstd[blockIdx.x] = (float) inv;
    }
}

// Backward of layer norm, the input gradient, one block per row:  (JavaBackend.layerNormBackward)
//   xhat = (x - mu) * rstd,  g = gy * gamma
//   gx = rstd * (g - mean_c(g) - xhat * mean_c(g * xhat))
extern "C" __global__ void layer_norm_backward_input(const float* x, const float* gamma,
                                                     const float* mean, const float* rstd,
                                                     const float* gy, float* gx, int cols) {
    long long base = (long long) blockIdx.x * cols;
    const float* xr = x + base;
    const float* gr = gy + base;
    float* out = gx + base;
    float mu = mean[blockIdx.x], inv = rstd[blockIdx.x];

    double mean_g = 0, mean_gx = 0;
    for (int c = threadIdx.x; c < cols; c += ROW_THREADS) {
        double g = gr[c] * gamma[c];
        double xhat = (xr[c] - mu) * inv;
        mean_g += g;
        mean_gx += g * xhat;
    }
    mean_g = block_sum(mean_g) / cols;
    mean_gx = block_sum(mean_gx) / cols;

    for (int c = threadIdx.x; c < cols; c += ROW_THREADS) {
        double g = gr[c] * gamma[c];
        double xhat = (xr[c] - mu) * inv;
        out[c] = (float) (inv * (g - mean_g - xhat * mean_gx));
    }
}

// Backward of layer norm, the parameter gradients, step 1 of 2:
//   ggamma[c] += sum_rows gy * xhat,   gbeta[c] += sum_rows gy.
// The sum over rows is split into chunks of `chunk` rows so that many threads work at once:
// thread (c = blockIdx.x * blockDim.x + threadIdx.x, k = blockIdx.y) sums rows
// [k * chunk, (k + 1) * chunk) of column c into partial_gamma[k, c] and partial_beta[k, c].
extern "C" __global__ void layer_norm_param_partials(const float* x, const float* mean,
                                                     const float* rstd, const float* gy,
                                                     double* partial_gamma, double* partial_beta,
                                                     int rows, int cols, int chunk) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    int first = blockIdx.y * chunk;
    int last = min(rows, first + chunk);
    double dg = 0, db = 0;
    for (int r = first; r < last; r++) {
        long long at = (long long) r * cols + c;
        float g = gy[at];
        dg += g * ((x[at] - mean[r]) * rstd[r]);
        db += g;
    }
    partial_gamma[(long long) blockIdx.y * cols + c] = dg;
    partial_beta[(long long) blockIdx.y * cols + c] = db;
}

// Step 2 of 2: one thread per column adds up its `chunks` partial sums, in order (the result
// does not depend on scheduling), and accumulates into ggamma / gbeta.
extern "C" __global__ void layer_norm_param_finish(const double* partial_gamma,
                                                   const double* partial_beta,
                                                   float* ggamma, float* gbeta,
                                                   int chunks, int cols) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    double dg = 0, db = 0;
    for (int k = 0; k < chunks; k++) {
        dg += partial_gamma[(long long) k * cols + c];
        db += partial_beta[(long long) k * cols + c];
    }
    ggamma[c] += (float) dg;
    gbeta[c] += (float) db;
}
