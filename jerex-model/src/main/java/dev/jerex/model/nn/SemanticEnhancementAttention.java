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

/**
 * Semantic enhancement attention (MODEL.md, step 6): the context of a candidate span s is read
 * from the sentence with s itself hidden.
 *
 * <pre>
 * M_s  = MHA(F, F, F, hidden keys = padding ∪ s)        [L, d]   (the span's tokens are not attended to)
 * G_s  = BiGRU(M_s)                                      [L, d]   (hidden d/2 per direction: restores order)
 * c(s) = max over the visible positions t ∉ s of G_s[t]  [d]
 * </pre>
 *
 * <p>Computed exactly, but in an order that costs less than the definition:
 * <ul>
 *   <li>per document, the query/key/value projections and the score matrix Q K^T are computed
 *       once and shared by all its spans; only the mask differs per span;</li>
 *   <li>the spans go through the softmax and the BiGRU together, {@code chunk} spans at a time
 *       (the masked weights are [chunk, H, L, L]); chunk 0 sizes chunks to about
 *       {@link #AUTO_CHUNK_FLOATS} floats of temporaries, every span of a CoNLL04 sentence at
 *       once; without gradients each chunk's temporaries are released before the next;</li>
 *   <li>the output projection W_o is folded into each GRU direction's input projection W_ih
 *       [3h, d]:</li>
 * </ul>
 * <pre>
 * ctx_s = concat_h(P_{s,h} V_h)                      P_{s,h} [L, L]: head h's span-hidden attention weights
 * X_s   = M_s W_ih^T + b_ih = ctx_s W^T + b          W = W_ih W_o  [3h, d],  b = W_ih b_o + b_ih
 *       = sum_h P_{s,h} (V_h W_h^T) + b              W_h: the dh columns of W that head h's values meet
 * </pre>
 * The first line of X_s is a [S*L, d] x [d, 3h] gemm per span position; the second multiplies
 * [S*L, H*L] by the per-document U = [V_h W_h^T]_h [H*L, 3h], which is cheaper while H*L < d
 * (short sentences). {@link #projectValues} picks the cheaper one; both give X_s, the GRU's input
 * projections, without ever forming M_s. A test checks both against the definition.
 */
public final class SemanticEnhancementAttention extends Module {
    public final MultiHeadAttention attention;
    public final GRU bigru;
    /** With chunk 0: spans per chunk such that a chunk's temporaries stay near 16M floats (64 MiB). */
    static final long AUTO_CHUNK_FLOATS = 16L << 20;
    private final int dim, heads, chunk;

    public SemanticEnhancementAttention(Backend backend, int dim, int heads, int chunk) {
        super(backend);
        this.dim = dim;
        this.heads = heads;
        this.chunk = Math.max(0, chunk);
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
        return contexts(f, lengths, batch, start, end, null);
    }

    /** As above; {@code projectValues} forces one of the two orders (null: the cheaper). */
    Tensor contexts(Tensor f, int[] lengths, int[] batch, int[] start, int[] end, Boolean projectValues) {
        int spans = batch.length, dh = dim / heads;
        Folded[] folded = {fold(0), fold(1)};
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
            Tensor v = Attention.splitHeads(attention.value.forward(fb), heads).reshape(heads, len, dh);
            Tensor scores = q.matmul(k.t()).mul((float) (1.0 / Math.sqrt(dh)));   // [1, H, L, L]
            boolean useU = projectValues != null ? projectValues : projectValues(len);
            // U per direction: [H, L, dh] x [H, dh, 3h] -> [H*L, 3h]
            Tensor[] u = useU ? new Tensor[] {v.matmul(folded[0].byHead).reshape(heads * len, -1), v.matmul(folded[1].byHead).reshape(heads * len, -1)} : null;
            int spansPerChunk = chunkFor(len);
            for (int from = 0; from < mine.size(); from += spansPerChunk) {
                int n = Math.min(spansPerChunk, mine.size() - from);
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
                // Without gradients (prediction) the chunk's temporaries, the [n, H, L, L] weights among
                // them, go back to the pool before the next chunk; training keeps them for backward.
                try (TensorScope chunkScope = GradMode.isEnabled() ? null : TensorScope.open()) {
                    // Span-hidden attention weights: [n, H, L, L] (a span that covers everything gives zeros).
                    Tensor p = scores.expand(n, heads, len, len).maskedFill(Tensor.of(backend, hidden, n, 1, 1, len), Float.NEGATIVE_INFINITY).softmax(-1);
                    Tensor[] x = new Tensor[2];                                        // X_s per direction [n, L, 3h]
                    if (useU) {
                        Tensor pFlat = p.permute(0, 2, 1, 3).reshape(n * len, heads * len);   // [n*L, H*L]
                        for (int d = 0; d < 2; d++) x[d] = pFlat.matmul(u[d]).add(folded[d].bias).reshape(n, len, -1);
                    } else {
                        // ctx: [H, n*L, L] x [H, L, dh] -> [H, n*L, dh] -> [n*L, d]
                        Tensor ctx = p.permute(1, 0, 2, 3).reshape(heads, n * len, len).matmul(v)
                                .reshape(heads, n, len, dh).permute(1, 2, 0, 3).reshape(n * len, dim);
                        for (int d = 0; d < 2; d++) x[d] = ctx.matmul(folded[d].weight.t()).add(folded[d].bias).reshape(n, len, -1);
                    }
                    Tensor g = bigru.forwardProjected(x, null).output().reshape(n * len, dim);   // G_s [n*L, d]
                    Tensor contexts = maxOverVisible(g, st, en, len);
                    parts.add(chunkScope == null ? contexts : chunkScope.keep(contexts));
                }
            }
        }
        Tensor all = parts.size() == 1 ? parts.get(0) : Tensor.concat(0, parts.toArray(new Tensor[0]));
        return all.indexSelect(order);
    }

    /**
     * Spans per chunk for a document of length L: the configured number, or with chunk 0 as many
     * as fit {@link #AUTO_CHUNK_FLOATS}, counting per span the masked weights and their flat copy
     * (2 H L^2) and the GRU inputs, gates and outputs (about 6 L 3h).
     */
    private int chunkFor(int len) {
        if (chunk > 0) return chunk;
        long perSpan = 2L * heads * len * len + 6L * len * bigru.gates * bigru.hiddenSize;
        return (int) Math.max(8, Math.min(Integer.MAX_VALUE, AUTO_CHUNK_FLOATS / perSpan));
    }

    /** The output projection folded into one GRU direction's input projection. */
    private record Folded(Tensor weight, Tensor bias, Tensor byHead) {}

    /** W = W_ih W_o [3h, d], b = W_ih b_o + b_ih [3h], and W by head: [H, dh, 3h]. */
    private Folded fold(int direction) {
        Tensor wIh = bigru.inputWeight(0, direction);
        Tensor w = wIh.matmul(attention.out.weight);
        Tensor b = wIh.matmul(attention.out.bias.reshape(dim, 1)).reshape(-1).add(bigru.inputBias(0, direction));
        Tensor byHead = w.reshape(-1, heads, dim / heads).permute(1, 2, 0).contiguous();
        return new Folded(w, b, byHead);
    }

    /**
     * Whether X_s = P_s U costs less than X_s = (P_s V) W^T for a document of length L. Per span
     * position and direction the first is H*L multiply-adds per output, the second L*d/2 (ctx,
     * shared by the two directions) + d per output: compare H*L against d + L*d/(2*3h).
     */
    private boolean projectValues(int len) {
        int g = bigru.gates * bigru.hiddenSize;
        return (long) heads * len * 2 * g < (long) len * dim + 2L * g * dim;
    }

    /** c(s) = max of G_s over [0, start) and [end, L), each possibly empty (0 when both are). */
    private Tensor maxOverVisible(Tensor g, int[] start, int[] end, int len) {
        int n = start.length;
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
