// Span-hidden attention, summed over heads (SEA, MODEL.md step 6), for S spans of one sequence
// of length L and H heads: the two kernels of its matrix-product formulation
// (SpanAttentionByProducts.java, whose JAVA_KERNELS are the reference these follow). The
// products themselves (out = P V, dP = gOut V^T, gValues = P^T gOut) are cuBLAS gemms.
//
// Layouts (row-major, pointers already at their offsets):
//   scores [H, L, L]   start, end [S] (ints)   p, dp [S, L, H, L]   lse [S, H, L]   c [S, L, H]
//   g_scores [H, L, L]
// Span s hides the keys start[s] <= j < end[s]; the others are "visible". A (span, head, query)
// that sees no key, or only keys at -inf, has lse -inf and weights 0: it attends to nothing.
#include "common.cuh"

// Whether key j is visible to span (start, end).
__device__ __forceinline__ bool key_visible(int j, int start, int end) {
    return j < start || j >= end;
}

// The visible softmax of every (span, query, head):
//   lse[s, h, t]   = m + log sum_{j visible} exp(scores[h, t, j] - m),  m = max_{j visible} scores[h, t, j]
//   p[s, t, h, j]  = exp(scores[h, t, j] - lse[s, h, t]) for visible j, else 0
// Thread -> one (s, t, h), i = (s L + t) H + h, which owns the row p[i, :] of L weights.
extern "C" __global__ void span_attention_weights(const float* scores, const int* start, const int* end,
                                                  int spans, int heads, int len, float* p, float* lse) {
    FOR_EACH_INDEX(i, (long long) spans * len * heads) {
        int h = (int) (i % heads);
        long long st = i / heads;
        int t = (int) (st % len), s = (int) (st / len);
        int a = start[s], b = end[s];
        const float* row = scores + ((long long) h * len + t) * len;
        float* weights = p + i * len;
        float* l = lse + ((long long) s * heads + h) * len + t;
        float m = NEG_INF;
        for (int j = 0; j < len; j++) {
            if (key_visible(j, a, b)) m = java_max(m, row[j]);
        }
        if (m == NEG_INF) {   // nothing visible (or only -inf scores): an empty softmax
            *l = NEG_INF;
            for (int j = 0; j < len; j++) weights[j] = 0.f;
            continue;
        }
        double z = 0;
        for (int j = 0; j < len; j++) {
            if (key_visible(j, a, b)) z += expf(row[j] - m);
        }
        float lv = m + (float) log(z);
        *l = lv;
        for (int j = 0; j < len; j++) weights[j] = key_visible(j, a, b) ? expf(row[j] - lv) : 0.f;
    }
}

// The softmax backward summed over the spans:
//   g_scores[h, t, j] (+)= sum_s p[s, t, h, j] (dp[s, t, h, j] - c[s, t, h]),   c = sum_j p dp
// Thread -> one (h, t, j); neighbouring threads read neighbouring j of p and dp. Written when
// accumulate is 0, added to otherwise (a later chunk of spans).
extern "C" __global__ void span_attention_grad_scores(const float* p, const float* dp, const float* c,
                                                      int spans, int heads, int len, int accumulate,
                                                      float* g_scores) {
    FOR_EACH_INDEX(i, (long long) heads * len * len) {
        int j = (int) (i % len);
        long long ht = i / len;
        int t = (int) (ht % len), h = (int) (ht / len);
        double acc = 0;
        for (int s = 0; s < spans; s++) {
            long long r = ((long long) s * len + t) * heads + h;   // row (s, t, h) of p, dp; element of c
            float w = p[r * len + j];
            if (w != 0.f) acc += (double) w * (dp[r * len + j] - c[r]);
        }
        g_scores[i] = accumulate ? g_scores[i] + (float) acc : (float) acc;
    }
}
