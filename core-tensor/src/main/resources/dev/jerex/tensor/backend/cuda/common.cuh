// Shared definitions for the jerex CUDA kernels (included by every .cu file of this folder).
//
// Conventions, as in Backend.java: every buffer holds float32; the Java side passes pointers
// already advanced to their offset, and counts/strides in floats. Kernels are extern "C" so that
// the Java side finds them by their plain names (cuModuleGetFunction).
//
// Reference semantics: JavaBackend.java. Comments name the Java method each kernel mirrors.
#pragma once

// -inf and NaN without <math.h> (NVRTC compiles without the host headers).
#define NEG_INF __int_as_float(0xff800000)
#define QUIET_NAN __int_as_float(0x7fffffff)

// Threads per block of the row kernels (softmax, layer norm, reductions). A power of two: the
// tree reductions below halve it. Must equal CudaKernels.ROW_THREADS on the Java side.
#define ROW_THREADS 256

// The most dimensions a strided copy or a broadcast binary op takes (after the Java side has
// merged dimensions that are contiguous in every operand).
#define MAX_RANK 8

// Shape and the strides of two operands, passed to kernels by value (100 bytes).
// copy: a = source, b = destination. binary: a and b are the two inputs (0 on broadcast axes).
struct Dims {
    int rank;
    int shape[MAX_RANK];
    int stride_a[MAX_RANK];
    int stride_b[MAX_RANK];
};

// Grid-stride loop over [0, n): thread t handles t, t + T, t + 2T, ... where T is the number of
// threads in the grid, so any grid size covers any n.
#define FOR_EACH_INDEX(i, n) \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long) blockDim.x * gridDim.x)

// Java's Math.max(float, float): NaN if either is NaN, and +0 beats -0.
__device__ __forceinline__ float java_max(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.f && b == 0.f) return __float_as_int(a) < 0 ? b : a;   // a is -0: take b
    return a >= b ? a : b;
}

// sigmoid with exp's argument kept <= 0: no overflow for large |x|.
__device__ __forceinline__ float sigmoid(float x) {
    if (x >= 0.f) return 1.f / (1.f + expf(-x));
    float e = expf(x);
    return e / (1.f + e);
}

// Sum of v over all threads of the block (blockDim.x == ROW_THREADS); every thread gets it.
// Shared-memory tree: step s adds the upper half [s, 2s) onto the lower half [0, s).
__device__ double block_sum(double v) {
    __shared__ double buf[ROW_THREADS];
    buf[threadIdx.x] = v;
    __syncthreads();
    for (int s = ROW_THREADS / 2; s > 0; s /= 2) {
        if (threadIdx.x < s) buf[threadIdx.x] += buf[threadIdx.x + s];
        __syncthreads();
    }
    double total = buf[0];
    __syncthreads();   // the buffer is reused by the next call
    return total;
}

// Maximum of v over all threads of the block (java_max semantics); every thread gets it.
__device__ float block_max(float v) {
    __shared__ float buf[ROW_THREADS];
    buf[threadIdx.x] = v;
    __syncthreads();
    for (int s = ROW_THREADS / 2; s > 0; s /= 2) {
        if (threadIdx.x < s) buf[threadIdx.x] = java_max(buf[threadIdx.x], buf[threadIdx.x + s]);
        __syncthreads();
    }
    float total = buf[0];
    __syncthreads();
    return total;
}
