// Fused recurrent cells (GRU, LSTM). One thread per (row, hidden unit) (grid-stride loop).
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
// gxt: [rows, 3H] with row stride gxt_stride (a row of a whole sequence's gradient); the rest contiguous.
extern "C" __global__ void gru_cell_backward(const float* gates, const float* hh, const float* h,
                                             const float* gh_next, float* gxt, int gxt_stride, float* ghh,
                                             float* gh, int rows, int hidden) {
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
        float* gx = gxt + row * gxt_stride;
        gx[j] = dr;
        gx[hidden + j] = dzp;
        gx[2 * hidden + j] = a;
        ghh[base + j] = dr;
        ghh[base + hidden + j] = dzp;
        ghh[base + 2 * hidden + j] = a * r;
        gh[i] = g * z;
    }
}

// One LSTM step, PyTorch's gate order (i, f, g, o):                (JavaBackend.lstmCell)
//   [i f g o] = xt + hh;  i, f, o = sigmoid(.), g = tanh(.);  c' = f c + i g;  h' = o tanh(c')
// xt: [rows, 4H] with row stride xt_stride; hh: [rows, 4H]; c: [rows, H] with row stride c_stride;
// out: [rows, 2H] = (h', c'); act: [rows, 5H] = (i, f, g, o, tanh c') for the backward.
extern "C" __global__ void lstm_cell(const float* xt, int xt_stride, const float* hh, const float* c, int c_stride,
                                     float* out, float* act, int rows, int hidden) {
    FOR_EACH_INDEX(idx, (long long) rows * hidden) {
        long long row = idx / hidden;
        int j = (int) (idx % hidden);
        const float* x = xt + row * xt_stride;
        const float* a = hh + row * 4 * hidden;
        float i = sigmoid(x[j] + a[j]);
        float f = sigmoid(x[hidden + j] + a[hidden + j]);
        float g = tanhf(x[2 * hidden + j] + a[2 * hidden + j]);
        float o = sigmoid(x[3 * hidden + j] + a[3 * hidden + j]);
        float c_next = f * c[row * c_stride + j] + i * g;
        float t = tanhf(c_next);
        out[row * 2 * hidden + j] = o * t;
        out[row * 2 * hidden + hidden + j] = c_next;
        float* s = act + row * 5 * hidden;
        s[j] = i;
        s[hidden + j] = f;
        s[2 * hidden + j] = g;
        s[3 * hidden + j] = o;
        s[4 * hidden + j] = t;
    }
}

// Backward of lstm_cell, given (dh', dc') = g_out [rows, 2H]:      (JavaBackend.lstmCellBackward)
//   dc' += dh' o (1 - tanh^2 c')
//   g_gates = [dc' g i (1 - i), dc' c f (1 - f), dc' i (1 - g^2), dh' tanh(c') o (1 - o)]  (of xt and hh alike)
//   gc = dc' f
// c and gc: [rows, H] with row strides c_stride and gc_stride; act, g_out, g_gates contiguous.
extern "C" __global__ void lstm_cell_backward(const float* act, const float* c, int c_stride, const float* g_out,
                                              float* g_gates, float* gc, int gc_stride, int rows, int hidden) {
    FOR_EACH_INDEX(idx, (long long) rows * hidden) {
        long long row = idx / hidden;
        int j = (int) (idx % hidden);
        const float* s = act + row * 5 * hidden;
        float i = s[j], f = s[hidden + j], g = s[2 * hidden + j], o = s[3 * hidden + j], t = s[4 * hidden + j];
        float dh = g_out[row * 2 * hidden + j];
        float dc = g_out[row * 2 * hidden + hidden + j] + dh * o * (1.f - t * t);
        float* d = g_gates + row * 4 * hidden;
        d[j] = dc * g * i * (1.f - i);
        d[hidden + j] = dc * c[row * c_stride + j] * f * (1.f - f);
        d[2 * hidden + j] = dc * i * (1.f - g * g);
        d[3 * hidden + j] = dh * t * o * (1.f - o);
        gc[row * gc_stride + j] = dc * f;
    }
}
