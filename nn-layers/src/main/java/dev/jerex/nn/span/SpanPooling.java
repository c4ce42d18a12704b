package dev.jerex.nn.span;

import dev.jerex.tensor.Tensor;

/**
 * Max-pooling of token representations over many spans at once (SpERT's span representation,
 * and the paper's local context between two spans).
 *
 * <p>The batch is folded into the row index: h [B, T, D] is read as [B*T, D] and span s covers
 * rows b*T + start .. b*T + end - 1. One kernel pools all spans (no [B, S, T, D] mask tensor as
 * in SpERT's PyTorch code); the gradient goes to each maximum's row.
 */
public final class SpanPooling {
    private SpanPooling() {}

    /**
     * @param h     [B, T, D] token representations
     * @param batch batch index of each span
     * @param start first token of each span
     * @param end   one past the last token (end == start: an empty span, pooled to 0)
     * @return [S, D]
     */
    public static Tensor maxPool(Tensor h, int[] batch, int[] start, int[] end) {
        int b = h.size(0), t = h.size(1), d = h.size(2);
        int n = batch.length;
        if (start.length != n || end.length != n) throw new IllegalArgumentException("maxPool: batch/start/end lengths differ");
        int[] rowStart = new int[n], rowEnd = new int[n];
        for (int s = 0; s < n; s++) {
            if (batch[s] < 0 || batch[s] >= b || start[s] < 0 || end[s] > t || end[s] < start[s]) {
                throw new IndexOutOfBoundsException("maxPool: span " + s + " = batch " + batch[s] + ", [" + start[s] + ", " + end[s]
                        + ") outside a batch of " + b + " sequences of " + t + " tokens");
            }
            rowStart[s] = batch[s] * t + start[s];
            rowEnd[s] = batch[s] * t + end[s];
        }
        return h.reshape(b * t, d).rangeMax(rowStart, rowEnd);
    }
}
