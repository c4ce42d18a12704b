package dev.jerex.nn.attention;

import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;

/**
 * Scaled dot-product attention over heads, and the masks that go with it.
 *
 * <pre>
 * q: [B, Tq, D], k, v: [B, Tk, D], D = H * dh
 * split heads:   [B, T, D] -> [B, H, T, dh]
 * scores      =  q k^T / sqrt(dh)                       [B, H, Tq, Tk]   (k^T: a transposed view)
 * scores      =  masked_fill(scores, hidden, -inf) + bias
 * weights     =  softmax over Tk                         (a fully hidden row gives zeros, not NaN)
 * context     =  weights v -> merge heads               [B, Tq, D]
 * </pre>
 * (Vaswani et al. 2017, eq. 1; Hugging Face BertSelfAttention.)
 */
public final class Attention {
    private Attention() {}

    /** [B, T, H*dh] -> [B, H, T, dh] (a contiguous copy, ready for batched gemm). */
    public static Tensor splitHeads(Tensor x, int heads) {
        int b = x.size(0), t = x.size(1), d = x.size(2);
        return x.reshape(b, t, heads, d / heads).permute(0, 2, 1, 3).contiguous();
    }

    /** [B, H, T, dh] -> [B, T, H*dh]. */
    public static Tensor mergeHeads(Tensor x) {
        int b = x.size(0), h = x.size(1), t = x.size(2), dh = x.size(3);
        return x.permute(0, 2, 1, 3).reshape(b, t, h * dh);
    }

    /**
     * @param q      [B, H, Tq, dh]
     * @param k      [B, H, Tk, dh]
     * @param v      [B, H, Tk, dh]
     * @param hidden 1 where a key is hidden from a query, broadcastable to [B, H, Tq, Tk]; or null
     * @param bias   an additive score bias broadcastable to [B, H, Tq, Tk]; or null
     * @return context [B, H, Tq, dh]
     */
    public static Tensor scaledDotProduct(Tensor q, Tensor k, Tensor v, Tensor hidden, Tensor bias) {
        int dh = q.size(-1);
        Tensor scores = q.matmul(k.t()).mul((float) (1.0 / Math.sqrt(dh)));
        if (hidden != null) scores = scores.maskedFill(hidden, Float.NEGATIVE_INFINITY);
        if (bias != null) scores = scores.add(bias);
        return scores.softmax(-1).matmul(v);
    }

    /**
     * Key-padding mask: [B, 1, 1, T] with 1 at positions t >= lengths[b] (hidden as keys from
     * every query of every head).
     */
    public static Tensor keyPaddingMask(Backend backend, int[] lengths, int maxLength) {
        float[] m = new float[lengths.length * maxLength];
        for (int b = 0; b < lengths.length; b++) {
            for (int t = lengths[b]; t < maxLength; t++) m[b * maxLength + t] = 1f;
        }
        return Tensor.of(backend, m, lengths.length, 1, 1, maxLength);
    }
}
