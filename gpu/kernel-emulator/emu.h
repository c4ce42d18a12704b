// CPU emulation of the CUDA dialect the jerex kernels use: one OS thread per CUDA thread of a block
// when the kernel synchronises, sequential threads otherwise. Blocks run one after another, so a
// function-level static serves as the block's __shared__ memory.
#pragma once
#include <cmath>
#include <cstring>
#include <thread>
#include <barrier>
#include <vector>
#include <atomic>
#include <algorithm>
#include <functional>
using std::min;
struct dim3_ { unsigned x = 0, y = 0, z = 0; };
inline thread_local dim3_ threadIdx, blockIdx;
inline dim3_ blockDim, gridDim;
inline std::barrier<>* g_barrier = nullptr;
#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
inline void __syncthreads() { g_barrier->arrive_and_wait(); }
inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
inline int __float_as_int(float f) { int i; std::memcpy(&i, &f, 4); return i; }
inline float atomicAdd(float* p, float v) { return std::atomic_ref<float>(*p).fetch_add(v); }
inline void run_grid(int gx, int gy, int bx, bool sync, const std::function<void()>& body) {
    gridDim = {unsigned(gx), unsigned(gy), 1}; blockDim = {unsigned(bx), 1, 1};
    for (int by = 0; by < gy; by++) for (int b = 0; b < gx; b++) {
        if (!sync) {
            for (int t = 0; t < bx; t++) { blockIdx = {unsigned(b), unsigned(by), 0}; threadIdx = {unsigned(t), 0, 0}; body(); }
        } else {
            std::barrier<> bar(bx); g_barrier = &bar;
            std::vector<std::thread> ts;
            for (int t = 0; t < bx; t++) ts.emplace_back([&, t] { blockIdx = {unsigned(b), unsigned(by), 0}; threadIdx = {unsigned(t), 0, 0}; body(); });
            for (auto& th : ts) th.join();
        }
    }
}
