// Reductions over the middle axis of a contiguous [outer, len, inner] block:
// y[o, i] = reduce_l x[o, l, i]                                   (JavaBackend.reduce)
// Sums accumulate in double, as the Java reference does.
#include "common.cuh"

// inner > 1: one thread per output (o, i), looping over l. Neighbouring threads read
// neighbouring i, so every step of the loop is one coalesced read of the warp.
extern "C" __global__ void reduce_columns(int is_max, const float* x, float* y,
                                          int outer, int len, int inner) {
    FOR_EACH_INDEX(j, (long long) outer * inner) {
        long long o = j / inner, i = j % inner;
        const float* base = x + o * len * inner + i;
        if (is_max) {
            float m = NEG_INF;
            for (int l = 0; l < len; l++) m = java_max(m, base[(long long) l * inner]);
            y[j] = m;
        } else {
            double acc = 0;
            for (int l = 0; l < len; l++) acc += base[(long long) l * inner];
            y[j] = (float) acc;
        }
    }
}

// inner == 1: each output is a whole contiguous row of length len. One block per row: each
// thread folds the strided slice c = t, t + ROW_THREADS, ... then the block tree-reduces.
extern "C" __global__ void reduce_rows(int is_max, const float* x, float* y, int len) {
    const float* row = x + (long long) blockIdx.x * len;
    if (is_max) {
        float m = NEG_INF;
        for (int c = threadIdx.x; c < len; c += ROW_THREADS) m = java_max(m, row[c]);
        m = block_max(m);
        if (threadIdx.x == 0) y[blockIdx.x] = m;
    } else {
        double acc = 0;
        for (int c = threadIdx.x; c < len; c += ROW_THREADS) acc += row[c];
        acc = block_sum(acc);
        if (threadIdx.x == 0) y[blockIdx.x] = (float) acc;
    }
}

// Partial sums of squares for gradient norms (JavaBackend.sumOfSquares): block b folds the
// elements b * ROW_THREADS + t + k * gridDim.x * ROW_THREADS (k = 0, 1, ...) of x [n] in double,
// tree-reduces, and writes partial[b]. The host adds the partials in a fixed order, so the
// result does not depend on scheduling.
extern "C" __global__ void sum_squares_partials(const float* x, int n, double* partial) {
    double acc = 0;
    for (long long i = (long long) blockIdx.x * ROW_THREADS + threadIdx.x; i < n; i += (long long) gridDim.x * ROW_THREADS) {
        double v = x[i];
        acc += v * v;
    }
    acc = block_sum(acc);
    if (threadIdx.x == 0) partial[blockIdx.x] = acc;
}
