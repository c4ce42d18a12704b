// Element-wise kernels: fill, strided copy, unary functions and their derivatives, broadcast
// binary functions. One thread per output element (grid-stride loop, see common.cuh).
#include "common.cuh"

// The op codes, in the order of the Java enums UnaryOp and BinaryOp (the Java side passes
// op.ordinal(); CudaKernelSourcesCompileTest checks that the two lists agree).
enum UnaryOpCode {
    U_NEG, U_EXP, U_LOG, U_SQRT, U_TANH, U_SIGMOID, U_RELU, U_GELU, U_ABS, U_POW,
    U_ADD_SCALAR, U_MUL_SCALAR, U_RSUB_SCALAR, U_SOFTPLUS
};
enum BinaryOpCode {
    B_ADD, B_SUB, B_MUL, B_DIV, B_MAX, B_EQ, B_GT, B_MASKED_FILL
};

#define INV_SQRT_2 0.70710678118654752f
#define INV_SQRT_2PI 0.39894228040143268f

// y[i] = value for i in [0, n)                                    (JavaBackend.fill)
extern "C" __global__ void fill(float* y, int n, float value) {
    FOR_EACH_INDEX(i, n) y[i] = value;
}

// c[r, col] = beta * c[r, col] for a [rows, cols] matrix with row stride ldc; beta == 0 writes
// zeros (old NaNs included), as BLAS does. Used by gemm when k == 0.   (JavaGemm.scale)
extern "C" __global__ void scale_matrix(float* c, int rows, int cols, int ldc, float beta) {
    FOR_EACH_INDEX(i, (long long) rows * cols) {
        float* at = c + (i / cols) * ldc + i % cols;
        *at = beta == 0.f ? 0.f : beta * *at;
    }
}

// dst[i . dst_strides] = src[i . src_strides] for every index i of d.shape   (JavaBackend.copy)
// Thread -> one element: its linear index is split into coordinates, last axis fastest.
extern "C" __global__ void copy_strided(const float* src, float* dst, Dims d, int n) {
    FOR_EACH_INDEX(i, n) {
        long long rest = i;
        long long s = 0, t = 0;
        for (int k = d.rank - 1; k >= 0; k--) {
            int coord = (int) (rest % d.shape[k]);
            rest /= d.shape[k];
            s += (long long) coord * d.stride_a[k];
            t += (long long) coord * d.stride_b[k];
        }
        dst[t] = src[s];
    }
}

// Phi(x) = (1 + erf(x / sqrt 2)) / 2, the standard normal CDF (exact-erf GELU).
__device__ __forceinline__ float normal_cdf(float x) {
    return 0.5f * (1.f + erff(x * INV_SQRT_2));
}

// f(x) for every UnaryOp                                          (JavaBackend.apply)
__device__ float unary_apply(int op, float p, float x) {
    switch (op) {
        case U_NEG: return -x;
        case U_EXP: return expf(x);
        case U_LOG: return logf(x);
        case U_SQRT: return sqrtf(x);
        case U_TANH: return tanhf(x);
        case U_SIGMOID: return sigmoid(x);
        case U_RELU: return x > 0.f ? x : 0.f;
        case U_GELU: return x * normal_cdf(x);
        case U_ABS: return fabsf(x);
        case U_POW: return powf(x, p);
        case U_ADD_SCALAR: return x + p;
        case U_MUL_SCALAR: return x * p;
        case U_RSUB_SCALAR: return p - x;
        case U_SOFTPLUS: return fmaxf(x, 0.f) + log1pf(expf(-fabsf(x)));   // ln(1 + e^x), stable
        default: return QUIET_NAN;
    }
}

// f'(x), using the saved output y where that is cheaper           (JavaBackend.derivative)
__device__ float unary_derivative(int op, float p, float x, float y) {
    switch (op) {
        case U_NEG: return -1.f;
        case U_EXP: return y;
        case U_LOG: return 1.f / x;
        case U_SQRT: return 0.5f / y;
        case U_TANH: return 1.f - y * y;
        case U_SIGMOID: return y * (1.f - y);
        case U_RELU: return x > 0.f ? 1.f : 0.f;
        case U_GELU: return normal_cdf(x) + x * expf(-0.5f * x * x) * INV_SQRT_2PI;   // Phi + x phi
        case U_ABS: return x > 0.f ? 1.f : (x < 0.f ? -1.f : x);                       // Math.signum
        case U_POW: return p * powf(x, p - 1.f);
        case U_ADD_SCALAR: return 1.f;
        case U_MUL_SCALAR: return p;
        case U_RSUB_SCALAR: return -1.f;
        case U_SOFTPLUS: return sigmoid(x);
        default: return QUIET_NAN;
    }
}

// y[i] = f(x[i])                                                  (JavaBackend.unary)
extern "C" __global__ void unary(int op, float p, const float* x, float* y, int n) {
    FOR_EACH_INDEX(i, n) y[i] = unary_apply(op, p, x[i]);
}

// gx[i] = gy[i] * f'(x[i]); y may be null (then y reads as 0)     (JavaBackend.unaryBackward)
extern "C" __global__ void unary_backward(int op, float p, const float* x, const float* y,
                                          const float* gy, float* gx, int n) {
    FOR_EACH_INDEX(i, n) {
        float yi = y == nullptr ? 0.f : y[i];
        gx[i] = gy[i] * unary_derivative(op, p, x[i], yi);
    }
}

// f(a, b) for every BinaryOp                                      (JavaBackend.apply)
__device__ float binary_apply(int op, float p, float a, float b) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: return a / b;
        case B_MAX: return java_max(a, b);
        case B_EQ: return a == b ? 1.f : 0.f;
        case B_GT: return a > b ? 1.f : 0.f;
        case B_MASKED_FILL: return b != 0.f ? p : a;   // b is the mask
        default: return QUIET_NAN;
    }
}

// out[i] = f(a[i . stride_a], b[i . stride_b]) over d.shape; out contiguous; broadcast axes
// have stride 0.                                                  (JavaBackend.binary)
extern "C" __global__ void binary(int op, float p, const float* a, const float* b, float* out,
                                  Dims d, int n) {
    FOR_EACH_INDEX(i, n) {
        long long rest = i;
        long long ia = 0, ib = 0;
        for (int k = d.rank - 1; k >= 0; k--) {
            int coord = (int) (rest % d.shape[k]);
            rest /= d.shape[k];
            ia += (long long) coord * d.stride_a[k];
            ib += (long long) coord * d.stride_b[k];
        }
        out[i] = binary_apply(op, p, a[ia], b[ib]);
    }
}
