// Row indexing kernels: gather / scatter-add of rows, and max over row ranges (span pooling).
// One thread per element of the [count, row_length] (or [ranges, cols]) output.
// Index arrays are uploaded by the Java side for each call.
#include "common.cuh"

// dst[i, :] = src[index[i], :]                                    (JavaBackend.gatherRows)
extern "C" __global__ void gather_rows(const float* src, int row_length, const int* index,
                                       int count, float* dst) {
    FOR_EACH_INDEX(j, (long long) count * row_length) {
        long long i = j / row_length, c = j % row_length;
        dst[j] = src[(long long) index[i] * row_length + c];
    }
}

// dst[index[i], :] += src[i, :]; repeated indices add up: atomicAdd makes the concurrent
// updates of one row safe (in an unspecified order).         (JavaBackend.scatterAddRows)
extern "C" __global__ void scatter_add_rows(const float* src, int row_length, const int* index,
                                            int count, float* dst) {
    FOR_EACH_INDEX(j, (long long) count * row_length) {
        long long i = j / row_length, c = j % row_length;
        atomicAdd(&dst[(long long) index[i] * row_length + c], src[j]);
    }
}

// For range r and column c: dst[r, c] = max_{start[r] <= t < end[r]} src[t, c] and
// argmax[r, c] = the first such t (as a float); an empty range gives 0 and -1.
// Thread -> one (r, c); neighbouring threads read neighbouring columns.  (JavaBackend.rangeMax)
extern "C" __global__ void range_max(const float* src, int cols, const int* start, const int* end,
                                     int ranges, float* dst, float* argmax) {
    FOR_EACH_INDEX(j, (long long) ranges * cols) {
        int r = (int) (j / cols), c = (int) (j % cols);
        int s = start[r], e = end[r];
        if (e <= s) {
            dst[j] = 0.f;
            argmax[j] = -1.f;
            continue;
        }
        float best = src[(long long) s * cols + c];
        int at = s;
        for (int t = s + 1; t < e; t++) {
            float v = src[(long long) t * cols + c];
            if (v > best) {   // strict: the first maximum wins, as in Java
                best = v;
                at = t;
            }
        }
        dst[j] = best;
        argmax[j] = (float) at;
    }
}

// gsrc[argmax[r, c], c] += gdst[r, c] where argmax >= 0; different ranges may share a row,
// hence atomicAdd.                                            (JavaBackend.rangeMaxBackward)
extern "C" __global__ void range_max_backward(const float* gdst, const float* argmax, int ranges,
                                              int cols, float* gsrc) {
    FOR_EACH_INDEX(j, (long long) ranges * cols) {
        int t = (int) argmax[j];
        if (t >= 0) atomicAdd(&gsrc[(long long) t * cols + j % cols], gdst[j]);
    }
}
