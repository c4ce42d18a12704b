package dev.jerex.model.nn;

import dev.jerex.nn.Module;
import dev.jerex.nn.attention.Attention;
import dev.jerex.nn.attention.MultiHeadAttention;
import dev.jerex.nn.rnn.GRU;
import dev.jerex.tensor.GradMode;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.TensorScope;
import dev.jerex.tensor.backend.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Semantic enhancement attention (MODEL.md, step 6): the context of a candidate span s is read
 * from the sentence with s itself hidden.
 *
 * <pre>
 * M_s  = MHA(F, F, F, hidden keys = padding ∪ s)        [L, d]   (the span's tokens are not attended to)
 * G_s  = BiGRU(M_s)                                      [L, d]   (hidden d/2 per direction: restores order)
 * c(s) = max over the visible positions t ∉ s of G_s[t]  [d]
 * </pre>
 * Paper-faithful and batched: per document, the query/key/value projections and the score
 * matrix Q K^T are computed once and shared by all its spans; only the mask differs per span.
 * The spans of a document then go through the softmax, the value product, the output
 * projection and the BiGRU together, as one batch, {@code chunk} spans at a time (to bound
 * memory: the masked weights are [chunk, heads, L, L]; without gradients each chunk's
 * temporaries are released before the next chunk).
 */
public final class SemanticEnhancementAttention extends Module {
    public final MultiHeadAttention attention;
    public final GRU bigru;
    private final int dim, heads, chunk;

    public SemanticEnhancementAttention(Backend backend, int dim, int heads, int chunk) {
        super(backend);
        this.dim = dim;
        this.heads = heads;
        this.chunk = Math.max(1, chunk);
        this.attention = child("attention", new MultiHeadAttention(backend, dim, heads));
        this.bigru = child("bigru", new GRU(backend, dim, dim / 2, 1, true));
    }

    /**
     * @param f       fused sequence [B, T, d]
     * @param lengths real length of each sequence
     * @param batch   document of each span
     * @param start   first token of each span (sub-word index)
     * @param end     one past its last token
     * @return c(s) for every span, [S, d], in the order given
     */
    public Tensor contexts(Tensor f, int[] lengths, int[] batch, int[] start, int[] end) {
        int spans = batch.length;
        List<Tensor> parts = new ArrayList<>();
        int[] order = new int[spans];   // position of span s in the concatenated parts
        int filled = 0;
        for (int b = 0; b < f.size(0); b++) {
            List<Integer> mine = new ArrayList<>();
            for (int s = 0; s < spans; s++) if (batch[s] == b) mine.add(s);
            if (mine.isEmpty()) continue;
            int len = lengths[b];
            Tensor fb = f.select(0, b).narrow(0, 0, len).unsqueeze(0);            // [1, L, d]
            // Shared by all spans of the document: projections and raw scores.
            Tensor q = Attention.splitHeads(attention.query.forward(fb), heads);  // [1, H, L, dh]
            Tensor k = Attention.splitHeads(attention.key.forward(fb), heads);
            Tensor v = Attention.splitHeads(attention.value.forward(fb), heads).reshape(heads, len, dim / heads);
            Tensor scores = q.matmul(k.t()).mul((float) (1.0 / Math.sqrt(dim / heads)));   // [1, H, L, L]
            for (int from = 0; from < mine.size(); from += chunk) {
                int n = Math.min(chunk, mine.size() - from);
                int[] st = new int[n], en = new int[n];
                float[] hidden = new float[n * len];
                for (int i = 0; i < n; i++) {
                    int s = mine.get(from + i);
                    st[i] = start[s];
                    en[i] = end[s];
                    for (int t = start[s]; t < end[s]; t++) hidden[i * len + t] = 1f;
                    order[s] = filled + i;
                }
                filled += n;
                Tensor hiddenMask = Tensor.of(backend, hidden, n, 1, 1, len);
                parts.add(GradMode.isEnabled() ? chunkContexts(scores, v, hiddenMask, st, en, len)
                        : releasingTemporaries(() -> chunkContexts(scores, v, hiddenMask, st, en, len)));
            }
        }
        Tensor all = parts.size() == 1 ? parts.get(0) : Tensor.concat(0, parts.toArray(new Tensor[0]));
        return all.indexSelect(order);
    }

    /**
     * Without gradients (prediction) a chunk's temporaries, the [n, H, L, L] weights among them, go
     * back to the pool as soon as its contexts are computed, so memory holds one chunk's, not every
     * chunk's; training keeps them for the backward pass.
     */
    private static Tensor releasingTemporaries(Supplier<Tensor> chunk) {
        try (TensorScope scope = TensorScope.open()) {
            return scope.keep(chunk.get());
        }
    }

    /** c(s) for n spans of one document of length L. */
    private Tensor chunkContexts(Tensor scores, Tensor v, Tensor hidden, int[] start, int[] end, int len) {
        int n = start.length, dh = dim / heads;
        // Span-hidden attention weights: [n, H, L, L] (a span that covers everything gives zeros).
        Tensor p = scores.expand(n, heads, len, len).maskedFill(hidden, Float.NEGATIVE_INFINITY).softmax(-1);
        // Weighted values, batched over heads: [H, n*L, L] x [H, L, dh] -> [H, n*L, dh]
        Tensor ctx = p.permute(1, 0, 2, 3).reshape(heads, n * len, len).matmul(v);
        Tensor merged = ctx.reshape(heads, n, len, dh).permute(1, 2, 0, 3).reshape(n, len, dim);
        Tensor m = attention.out.forward(merged);                                 // M_s   [n, L, d]
        Tensor g = bigru.forward(m, null).output().reshape(n * len, dim);          // G_s   [n*L, d]
        // Max over the visible positions: [0, start) and [end, L), each possibly empty.
        int[] beforeStart = new int[n], beforeEnd = new int[n], afterStart = new int[n], afterEnd = new int[n];
        float[] noBefore = new float[n], noAfter = new float[n], none = new float[n];
        for (int i = 0; i < n; i++) {
            beforeStart[i] = i * len;
            beforeEnd[i] = i * len + start[i];
            afterStart[i] = i * len + end[i];
            afterEnd[i] = (i + 1) * len;
            noBefore[i] = start[i] == 0 ? 1f : 0f;
            noAfter[i] = end[i] >= len ? 1f : 0f;
            none[i] = noBefore[i] * noAfter[i];
        }
        Tensor before = g.rangeMax(beforeStart, beforeEnd).maskedFill(Tensor.of(backend, noBefore, n, 1), Float.NEGATIVE_INFINITY);
        Tensor after = g.rangeMax(afterStart, afterEnd).maskedFill(Tensor.of(backend, noAfter, n, 1), Float.NEGATIVE_INFINITY);
        return before.maximum(after).maskedFill(Tensor.of(backend, none, n, 1), 0f);
    }
}
