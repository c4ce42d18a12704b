// Fused recurrent cells. One thread per (row, hidden unit) (grid-stride loop).
#include "common.cuh"

// One GRU step, PyTorch's gate order (r, z, n):                   (JavaBackend.gruCell)
//   r = sigmoid(xr + hr),  z = sigmoid(xz + hz),  n = tanh(xn + r * hn),  h' = n + z (h - n)
// xt: [rows, 3H] with row stride xt_stride; hh, gates: [rows, 3H]; h, h_next: [rows, H].
extern "C" __global__ void gru_cell(const float* xt, int xt_stride, const float* hh, const float* h,
                                    float* h_next, float* gates, int rows, int hidden) {
    FOR_EACH_INDEX(i, (long long) rows * hidden) {
        long long row = i / hidden;
        int j = (int) (i % hidden);
        const float* x = xt + row * xt_stride;
        const float* a = hh + row * 3 * hidden;
        float r = sigmoid(x[j] + a[j]);
        float z = sigmoid(x[hidden + j] + a[hidden + j]);
        float n = tanhf(x[2 * hidden + j] + r * a[2 * hidden + j]);
        h_next[i] = n + z * (h[i] - n);
        float* g = gates + row * 3 * hidden;
        g[j] = r;
        g[hidden + j] = z;
        g[2 * hidden + j] = n;
    }
}

// Backward of gru_cell, given gh' = d h':                          (JavaBackend.gruCellBackward)
//   dn = gh' (1 - z),  dz = gh' (h - n),  a = dn (1 - n^2),  dr = a hn
//   gxt = [dr r (1 - r), dz z (1 - z), a],  ghh = [same, same, a r],  gh = gh' z
extern "C" __global__ void gru_cell_backward(const float* gates, const float* hh, const float* h,
                                             const float* gh_next, float* gxt, float* ghh, float* gh,
                                             int rows, int hidden) {
    FOR_EACH_INDEX(i, (long long) rows * hidden) {
        long long row = i / hidden;
        int j = (int) (i % hidden);
        long long base = row * 3 * hidden;
        float r = gates[base + j], z = gates[base + hidden + j], n = gates[base + 2 * hidden + j];
        float hn = hh[base + 2 * hidden + j];
        float g = gh_next[i];
        float dn = g * (1.f - z);
        float dz = g * (h[i] - n);
        float a = dn * (1.f - n * n);
        float dr = a * hn * r * (1.f - r);
        float dzp = dz * z * (1.f - z);
        gxt[base + j] = dr;
        gxt[base + hidden + j] = dzp;
        gxt[base + 2 * hidden + j] = a;
        ghh[base + j] = dr;
        ghh[base + hidden + j] = dzp;
        ghh[base + 2 * hidden + j] = a * r;
        gh[i] = g * z;
    }
}
