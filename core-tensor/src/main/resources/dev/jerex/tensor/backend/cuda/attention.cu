// Span-hidden attention, summed over heads (SEA, MODEL.md step 6), for S spans of one sequence
// of length L, H heads and G value columns.   (JavaBackend.spanHiddenAttention / ...Backward)
//
// Layouts (row-major, pointers already at their offsets):
//   scores [H, L, L]   values [H, L, G]   start, end [S] (ints)   out, g_out [S, L, G]
//   lse, c [S, H, L]   g_scores [H, L, L]   g_values [H, L, G]
// Span s hides the keys start[s] <= j < end[s]; the others are "visible". A span that hides every
// key (or whose visible scores are all -inf) has lse -inf, out 0, and contributes no gradient.
//
// Direct formulation: every kernel recomputes the weights P = exp(scores[h, t, j] - lse[s, h, t])
// it needs instead of storing [S, H, L, L] of them. One thread per output element (grid-stride
// loop); each writes its own element, so there are no atomics and results are deterministic.
// Sums accumulate in double.
#include "common.cuh"

// Whether key j is visible to span (start, end).
__device__ __forceinline__ bool key_visible(int j, int start, int end) {
    return j < start || j >= end;
}

// lse[s, h, t] = m + log sum_{j visible} exp(scores[h, t, j] - m), m = max_{j visible} scores[h, t, j];
// -inf when no key is visible.  Thread -> one (s, h, t).
extern "C" __global__ void span_attention_lse(const float* scores, const int* start, const int* end,
                                              int spans, int heads, int len, float* lse) {
    FOR_EACH_INDEX(i, (long long) spans * heads * len) {
        int t = (int) (i % len);
        long long sh = i / len;
        int h = (int) (sh % heads), s = (int) (sh / heads);
        int a = start[s], b = end[s];
        const float* row = scores + ((long long) h * len + t) * len;
        float m = NEG_INF;
        for (int j = 0; j < len; j++) {
            if (key_visible(j, a, b)) m = java_max(m, row[j]);
        }
        if (m == NEG_INF) {   // nothing visible (or only -inf scores): empty softmax
            lse[i] = NEG_INF;
            continue;
        }
        double z = 0;
        for (int j = 0; j < len; j++) {
            if (key_visible(j, a, b)) z += expf(row[j] - m);
        }
        lse[i] = m + (float) log(z);
    }
}

// out[s, t, g] = sum_h sum_{j visible} exp(scores[h, t, j] - lse[s, h, t]) values[h, j, g].
// Thread -> one (s, t, g); neighbouring threads read neighbouring columns g of values.
extern "C" __global__ void span_attention_out(const float* scores, const float* values, const float* lse,
                                              const int* start, const int* end, int spans, int heads,
                                              int len, int width, float* out) {
    FOR_EACH_INDEX(i, (long long) spans * len * width) {
        int g = (int) (i % width);
        long long st = i / width;
        int t = (int) (st % len), s = (int) (st / len);
        int a = start[s], b = end[s];
        double acc = 0;
        for (int h = 0; h < heads; h++) {
            float l = lse[((long long) s * heads + h) * len + t];
            if (l == NEG_INF) continue;
            const float* row = scores + ((long long) h * len + t) * len;
            const float* v = values + (long long) h * len * width + g;
            for (int j = 0; j < len; j++) {
                if (key_visible(j, a, b)) acc += expf(row[j] - l) * v[(long long) j * width];
            }
        }
        out[i] = (float) acc;
    }
}

// c[s, h, t] = gOut[s, t, :] . y[s, h, t, :] = sum_{j visible} P_j (gOut[s, t, :] . values[h, j, :]),
// the softmax backward's row term. Thread -> one (s, h, t).
extern "C" __global__ void span_attention_row_dot(const float* scores, const float* values, const float* lse,
                                                  const float* g_out, const int* start, const int* end,
                                                  int spans, int heads, int len, int width, float* c) {
    FOR_EACH_INDEX(i, (long long) spans * heads * len) {
        int t = (int) (i % len);
        long long sh = i / len;
        int h = (int) (sh % heads), s = (int) (sh / heads);
        float l = lse[i];
        if (l == NEG_INF) {
            c[i] = 0.f;
            continue;
        }
        int a = start[s], b = end[s];
        const float* row = scores + ((long long) h * len + t) * len;
        const float* go = g_out + ((long long) s * len + t) * width;
        double acc = 0;
        for (int j = 0; j < len; j++) {
            if (!key_visible(j, a, b)) continue;
            const float* v = values + ((long long) h * len + j) * width;
            double dot = 0;
            for (int g = 0; g < width; g++) dot += (double) go[g] * v[g];
            acc += expf(row[j] - l) * dot;
        }
        c[i] = (float) acc;
    }
}

// g_scores[h, t, j] = sum_{s: j visible} P (gOut[s, t, :] . values[h, j, :] - c[s, h, t]),
// P = exp(scores[h, t, j] - lse[s, h, t]). Thread -> one (h, t, j); written, not accumulated.
extern "C" __global__ void span_attention_grad_scores(const float* scores, const float* values, const float* lse,
                                                      const float* g_out, const float* c, const int* start,
                                                      const int* end, int spans, int heads, int len, int width,
                                                      float* g_scores) {
    FOR_EACH_INDEX(i, (long long) heads * len * len) {
        int j = (int) (i % len);
        long long ht = i / len;
        int t = (int) (ht % len), h = (int) (ht / len);
        float score = scores[i];
        const float* v = values + ((long long) h * len + j) * width;
        double acc = 0;
        for (int s = 0; s < spans; s++) {
            if (!key_visible(j, start[s], end[s])) continue;
            long long sht = ((long long) s * heads + h) * len + t;
            float l = lse[sht];
            if (l == NEG_INF) continue;
            const float* go = g_out + ((long long) s * len + t) * width;
            double dot = 0;
            for (int g = 0; g < width; g++) dot += (double) go[g] * v[g];
            acc += expf(score - l) * (dot - c[sht]);
        }
        g_scores[i] = (float) acc;
    }
}

// g_values[h, j, g] = sum_{s: j visible} sum_t P gOut[s, t, g], P = exp(scores[h, t, j] - lse[s, h, t]).
// Thread -> one (h, j, g); neighbouring threads read neighbouring columns g of g_out.
extern "C" __global__ void span_attention_grad_values(const float* scores, const float* lse, const float* g_out,
                                                      const int* start, const int* end, int spans, int heads,
                                                      int len, int width, float* g_values) {
    FOR_EACH_INDEX(i, (long long) heads * len * width) {
        int g = (int) (i % width);
        long long hj = i / width;
        int j = (int) (hj % len), h = (int) (hj / len);
        double acc = 0;
        for (int s = 0; s < spans; s++) {
            if (!key_visible(j, start[s], end[s])) continue;
            const float* l = lse + ((long long) s * heads + h) * len;
            const float* go = g_out + (long long) s * len * width + g;
            for (int t = 0; t < len; t++) {
                if (l[t] == NEG_INF) continue;
                acc += expf(scores[((long long) h * len + t) * len + j] - l[t]) * go[(long long) t * width];
            }
        }
        g_values[i] = (float) acc;
    }
}
