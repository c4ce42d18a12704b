package dev.jerex.tensor.backend;

import dev.jerex.tensor.Storage;
import java.util.Arrays;

/**
 * {@link Backend#spanHiddenAttention} and its backward as matrix products, for a device whose
 * strength is gemm (the CUDA backend). The weights of every (span, query, head) are formed
 * explicitly, laid out so that each product is one gemm over all spans and heads:
 * <pre>
 * P [S, L, H, L]  P[s, t, h, j] = softmax over the keys j visible to s of scores[h, t, :]   (0 where hidden)
 * out  [S L, G]   = P [S L, H L] . values [H L, G]                                       (sum over h and j)
 * dP   [S L, H L] = gOut [S L, G] . values^T
 * gValues [H L, G] = P^T . gOut
 * gScores[h, t, j] = sum_s P[s, t, h, j] (dP[s, t, h, j] - c[s, t, h]),   c = sum_j P dP   (softmax backward)
 * </pre>
 * Cost O(S L H L G) multiply-adds in gemms, O(S L H L) memory; spans are taken in chunks of at
 * most {@link #CHUNK_FLOATS} weights. The CPU backends use the prefix / suffix sums of
 * {@code JavaBackend} instead (O(H L (L + S) G), no [S, L, H, L] weights), which suit a CPU;
 * on a GPU these few large products beat the scans.
 *
 * <p>Besides gemm, element-wise ops and reductions, a backend supplies two kernels
 * ({@link Kernels}); {@link #JAVA_KERNELS} is their reference (and lets a CPU test check this
 * formulation against JavaBackend's).
 */
public final class SpanAttentionByProducts {
    /** Most weights [S_chunk, L, H, L] formed at once (128 MiB); a chunk holds at least one span. */
    static final long CHUNK_FLOATS = 1L << 25;

    private SpanAttentionByProducts() {}

    /** The two kernels the formulation needs besides gemm, multiply and row sums. */
    public interface Kernels {
        /**
         * lse [S, H, L] and p [S, L, H, L] of the spans [start[s], end[s]): lse[s, h, t] = log sum over
         * visible j of exp(scores[h, t, j]) (-inf when none is visible, or all are -inf), and
         * p[s, t, h, j] = exp(scores[h, t, j] - lse[s, h, t]) for visible j, else 0.
         */
        void spanAttentionWeights(Storage scores, int scoresOffset, int heads, int len, int[] start, int[] end,
                                  Storage p, Storage lse, int lseOffset);

        /**
         * gScores[h, t, j] = sum_s p[s, t, h, j] (dp[s, t, h, j] - c[s, t, h]) over {@code spans}
         * spans; written, or added to when {@code accumulate}.
         */
        void spanAttentionScoreGradient(Storage p, Storage dp, Storage c, int spans, int heads, int len,
                                        Storage gScores, boolean accumulate);
    }

    /** out [S, L, G] and lse [S, H, L] (see {@link Backend#spanHiddenAttention}). */
    public static void forward(Backend b, Kernels k, Storage scores, int scoresOffset, Storage values, int valuesOffset,
                               int heads, int len, int width, int[] start, int[] end, Storage out, Storage lse) {
        forward(b, k, scores, scoresOffset, values, valuesOffset, heads, len, width, start, end, out, lse, CHUNK_FLOATS);
    }

    static void forward(Backend b, Kernels k, Storage scores, int scoresOffset, Storage values, int valuesOffset,
                        int heads, int len, int width, int[] start, int[] end, Storage out, Storage lse, long chunkFloats) {
        int spans = start.length, keys = heads * len;   // a row of P: (h, j)
        if (spans == 0) return;
        int chunk = chunk(spans, heads, len, chunkFloats);
        Storage p = b.allocate(chunk * len * keys);
        try {
            for (int s0 = 0; s0 < spans; s0 += chunk) {
                int n = Math.min(chunk, spans - s0);
                k.spanAttentionWeights(scores, scoresOffset, heads, len, Arrays.copyOfRange(start, s0, s0 + n),
                        Arrays.copyOfRange(end, s0, s0 + n), p, lse, s0 * keys);
                // out[s0 .. s0 + n] [n L, G] = P [n L, H L] . values [H L, G]
                b.gemm(false, false, n * len, width, keys, 1f, p, 0, keys, values, valuesOffset, width,
                        0f, out, s0 * len * width, width);
            }
        } finally {
            p.release();
        }
    }

    /** gScores [H, L, L] and gValues [H, L, G], written (see {@link Backend#spanHiddenAttentionBackward}). */
    public static void backward(Backend b, Kernels k, Storage scores, int scoresOffset, Storage values, int valuesOffset,
                                Storage gOut, int gOutOffset, int heads, int len, int width, int[] start, int[] end,
                                Storage gScores, Storage gValues) {
        backward(b, k, scores, scoresOffset, values, valuesOffset, gOut, gOutOffset, heads, len, width, start, end,
                gScores, gValues, CHUNK_FLOATS);
    }

    static void backward(Backend b, Kernels k, Storage scores, int scoresOffset, Storage values, int valuesOffset,
                         Storage gOut, int gOutOffset, int heads, int len, int width, int[] start, int[] end,
                         Storage gScores, Storage gValues, long chunkFloats) {
        int spans = start.length, keys = heads * len;
        if (spans == 0) {
            b.fill(gScores, 0, heads * len * len, 0f);
            b.fill(gValues, 0, heads * len * width, 0f);
            return;
        }
        int chunk = chunk(spans, heads, len, chunkFloats);
        int weights = chunk * len * keys;
        Storage p = b.allocate(weights), dp = b.allocate(weights), pdp = b.allocate(weights);
        Storage c = b.allocate(chunk * len * heads), lse = b.allocate(chunk * keys);
        try {
            for (int s0 = 0; s0 < spans; s0 += chunk) {
                int n = Math.min(chunk, spans - s0), rows = n * len;
                boolean first = s0 == 0;
                // P again from the scores (the same numbers as the forward's: the same kernel)
                k.spanAttentionWeights(scores, scoresOffset, heads, len, Arrays.copyOfRange(start, s0, s0 + n),
                        Arrays.copyOfRange(end, s0, s0 + n), p, lse, 0);
                int gOutAt = gOutOffset + s0 * len * width;
                // dP [n L, H L] = gOut [n L, G] . values^T
                b.gemm(false, true, rows, keys, width, 1f, gOut, gOutAt, width, values, valuesOffset, width, 0f, dp, 0, keys);
                // gValues [H L, G] (+)= P^T . gOut
                b.gemm(true, false, keys, width, rows, 1f, p, 0, keys, gOut, gOutAt, width, first ? 0f : 1f, gValues, 0, width);
                // c [n L H] = row sums of P * dP over j
                int[] flat = {rows * keys}, unit = {1};
                b.binary(BinaryOp.MUL, 0f, flat, p, 0, unit, dp, 0, unit, pdp, 0);
                b.reduce(ReduceOp.SUM, pdp, 0, rows * heads, len, 1, c, 0);
                k.spanAttentionScoreGradient(p, dp, c, n, heads, len, gScores, !first);
            }
        } finally {
            p.release();
            dp.release();
            pdp.release();
            c.release();
            lse.release();
        }
    }

    /** Spans per chunk: as many as keep [chunk, L, H, L] within chunkFloats, at least 1, at most all. */
    private static int chunk(int spans, int heads, int len, long chunkFloats) {
        long perSpan = (long) len * heads * len;
        return (int) Math.max(1, Math.min(spans, chunkFloats / Math.max(1, perSpan)));
    }

    /** The reference kernels, on JavaBackend storages: plain loops, in the CUDA kernels' order of operations. */
    public static final Kernels JAVA_KERNELS = new Kernels() {
        @Override
        public void spanAttentionWeights(Storage scores, int scoresOffset, int heads, int len, int[] start, int[] end,
                                         Storage p, Storage lse, int lseOffset) {
            float[] sc = read(scores, scoresOffset, heads * len * len);
            int spans = start.length;
            float[] pv = new float[spans * len * heads * len], lv = new float[spans * heads * len];
            for (int s = 0; s < spans; s++) {
                for (int t = 0; t < len; t++) {
                    for (int h = 0; h < heads; h++) {
                        int row = (h * len + t) * len, at = ((s * len + t) * heads + h) * len;
                        float m = Float.NEGATIVE_INFINITY;
                        for (int j = 0; j < len; j++) if (visible(j, start[s], end[s])) m = Math.max(m, sc[row + j]);
                        int li = (s * heads + h) * len + t;
                        if (m == Float.NEGATIVE_INFINITY) {
                            lv[li] = m;   // p stays 0
                            continue;
                        }
                        double z = 0;
                        for (int j = 0; j < len; j++) if (visible(j, start[s], end[s])) z += Math.exp(sc[row + j] - m);
                        float l = m + (float) Math.log(z);
                        lv[li] = l;
                        for (int j = 0; j < len; j++) {
                            if (visible(j, start[s], end[s])) pv[at + j] = (float) Math.exp(sc[row + j] - l);
                        }
                    }
                }
            }
            write(pv, p, 0);
            write(lv, lse, lseOffset);
        }

        @Override
        public void spanAttentionScoreGradient(Storage p, Storage dp, Storage c, int spans, int heads, int len,
                                               Storage gScores, boolean accumulate) {
            int n = spans * len * heads * len;
            float[] pv = read(p, 0, n), dv = read(dp, 0, n), cv = read(c, 0, spans * len * heads);
            float[] g = accumulate ? read(gScores, 0, heads * len * len) : new float[heads * len * len];
            for (int h = 0; h < heads; h++) {
                for (int t = 0; t < len; t++) {
                    for (int j = 0; j < len; j++) {
                        double acc = 0;
                        for (int s = 0; s < spans; s++) {
                            int r = (s * len + t) * heads + h;
                            float w = pv[r * len + j];
                            if (w != 0f) acc += (double) w * (dv[r * len + j] - cv[r]);
                        }
                        g[(h * len + t) * len + j] += (float) acc;
                    }
                }
            }
            write(g, gScores, 0);
        }

        private boolean visible(int j, int start, int end) {
            return j < start || j >= end;
        }

        /** dst[offset ..] = values, through the backend's own copy. */
        private void write(float[] values, Storage dst, int offset) {
            Backend b = dst.backend();
            Storage src = b.upload(values);
            b.copy(new int[] {values.length}, src, 0, new int[] {1}, dst, offset, new int[] {1});
            src.release();
        }

        private float[] read(Storage s, int offset, int n) {
            float[] out = new float[n];
            s.backend().download(s, offset, out, 0, n);
            return out;
        }
    };
}
