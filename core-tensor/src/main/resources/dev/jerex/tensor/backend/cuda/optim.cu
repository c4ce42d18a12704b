// Optimiser kernels. One thread per parameter (grid-stride loop).
#include "common.cuh"

// One fused AdamW step over n parameters, in place:               (JavaBackend.adamw)
//   g = grad_scale * g                                     (gradient clipping, folded in)
//   if decay_before:  p -= decay * p                       (PyTorch's AdamW)
//   m = beta1 m + (1 - beta1) g;   v = beta2 v + (1 - beta2) g^2
//   p -= step_size * m / (denom_scale * sqrt(v) + eps)
//   if !decay_before: p -= decay * p                       (transformers' AdamW, SpERT)
// p and g start at their offsets (applied by the caller); m and v are [n] from 0.
extern "C" __global__ void adamw(float* p, const float* g, float grad_scale, float* m, float* v, int n,
                                 float beta1, float beta2, float eps, float step_size,
                                 float denom_scale, float decay, int decay_before) {
    FOR_EACH_INDEX(i, n) {
        float pi = p[i], gi = g[i] * grad_scale;
        if (decay_before) pi -= decay * pi;
        float mi = beta1 * m[i] + (1.f - beta1) * gi;
        float vi = beta2 * v[i] + (1.f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        pi -= step_size * mi / (denom_scale * sqrtf(vi) + eps);
        if (!decay_before) pi -= decay * pi;
        p[i] = pi;
    }
}
