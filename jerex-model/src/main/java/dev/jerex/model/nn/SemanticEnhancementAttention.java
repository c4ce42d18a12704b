package dev.jerex.model.nn;

import dev.jerex.nn.Module;
import dev.jerex.nn.attention.Attention;
import dev.jerex.nn.attention.MultiHeadAttention;
import dev.jerex.nn.rnn.GRU;
import dev.jerex.tensor.GradMode;
import dev.jerex.tensor.NnOps;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.TensorScope;
import dev.jerex.tensor.backend.Backend;
import java.util.ArrayList;
import java.util.Arrays;
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
 *   <li>per document, the query/key/value projections and the scores Q K^T are computed once and
 *       shared by all its spans; only the hidden keys differ per span;</li>
 *   <li>the output projection W_o is folded into each BiGRU direction's input projection
 *       W_ih [3h, d], and the values are projected once per document:</li>
 * </ul>
 * <pre>
 * X_s = M_s W_ih^T + b_ih = ctx_s W^T + b                  W = W_ih W_o  [3h, d],  b = W_ih b_o + b_ih
 *     = sum_h P_{s,h} U_h + b                              U_h = V_h W_h^T  [L, 3h]  (W_h: head h's dh columns of W)
 *     = sum_h P_{s,h} (U_h + b / H)                        (each row of P_{s,h} sums to 1)
 * </pre>
 * The bias goes into the H L rows of U rather than the S L rows of X_s: one pass over X_s fewer,
 * forward and backward. (Where a span hides every key, P_{s,h} is 0 and so is X_s, but no
 * position is visible either: c(s) is 0 whatever X_s holds.)
 * <ul>
 *   <li>{@link NnOps#spanHiddenAttention} computes sum_h P_{s,h} U_h for all spans from prefix and
 *       suffix sums over the keys: O(H L (L + S) 3h) per document instead of O(H S L^2 3h), and
 *       neither the [S, H, L, L] weights nor M_s are ever formed;</li>
 *   <li>the spans go through the BiGRU together: in training all spans of a document, in
 *       prediction chunks of about {@link Backend#workspaceFloats()} floats of temporaries (or
 *       {@code chunk} spans), each chunk's temporaries released before the next; on a GPU
 *       ({@link Backend#launchBound()}) spans of several documents share a run, the shorter
 *       documents padded: in training all spans of the batch.</li>
 * </ul>
 * The BiGRU over every span's sentence is what remains: the paper's own arithmetic. A test checks
 * c(s) and every gradient against the span-by-span definition.
 */
public final class SemanticEnhancementAttention extends Module {
    public final MultiHeadAttention attention;
    public final GRU bigru;
    private final int dim, heads, chunk;
    /** Whether spans of different documents share a BiGRU run (padded): where calls are launches. */
    private final boolean acrossDocuments;

    public SemanticEnhancementAttention(Backend backend, int dim, int heads, int chunk) {
        this(backend, dim, heads, chunk, backend.launchBound());
    }

    /**
     * @param acrossDocuments let spans of different documents share a BiGRU run, the shorter
     *                        documents padded: fewer, larger calls (on a GPU, half the SEA launches
     *                        of a two-document batch) for more memory and copies (on the CPU, about
     *                        7 % more time); by default where {@link Backend#launchBound()}
     */
    SemanticEnhancementAttention(Backend backend, int dim, int heads, int chunk, boolean acrossDocuments) {
        super(backend);
        this.dim = dim;
        this.heads = heads;
        this.chunk = Math.max(0, chunk);
        this.acrossDocuments = acrossDocuments;
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
        int spans = batch.length, dh = dim / heads;
        Folded folded = fold();
        // Per document, longest first: its spans, and what all of them share (projections, raw
        // scores and U = [V_h W_h^T + b / H]_h per direction).
        List<Document> documents = new ArrayList<>();
        for (int b = 0; b < f.size(0); b++) {
            List<Integer> mine = new ArrayList<>();
            for (int s = 0; s < spans; s++) if (batch[s] == b) mine.add(s);
            if (mine.isEmpty()) continue;
            int len = lengths[b];
            Tensor fb = f.select(0, b).narrow(0, 0, len).unsqueeze(0);                            // [1, L, d]
            Tensor q = Attention.splitHeads(attention.query.forward(fb), heads).reshape(heads, len, dh);
            Tensor k = Attention.splitHeads(attention.key.forward(fb), heads).reshape(heads, len, dh);
            Tensor v = Attention.splitHeads(attention.value.forward(fb), heads).reshape(heads, len, dh);
            Tensor scores = q.matmul(k.t()).mul((float) (1.0 / Math.sqrt(dh)));                  // [H, L, L]
            Tensor[] u = new Tensor[2];                                                          // per direction [H, L, 3h]
            for (int d = 0; d < 2; d++) u[d] = v.matmul(folded.byHead[d]).add(folded.bias[d].mul(1f / heads));
            documents.add(new Document(len, mine, scores, u));
        }
        documents.sort((a, b) -> Integer.compare(b.len, a.len));
        // Pieces (a document's spans, or a chunk of them) go through the BiGRU in groups, padded to
        // the group's longest document (in training on a GPU, all spans of the batch at once).
        List<List<Piece>> groups = new ArrayList<>();
        List<Piece> group = new ArrayList<>();
        int groupRows = 0;
        for (Document doc : documents) {
            int perChunk = chunkFor(doc.len);
            for (int from = 0; from < doc.spans.size(); from += perChunk) {
                Piece piece = new Piece(doc, doc.spans.subList(from, Math.min(doc.spans.size(), from + perChunk)));
                if (!group.isEmpty() && (groupRows + piece.spans.size() > chunkFor(group.get(0).doc.len)
                        || !acrossDocuments && group.get(0).doc != doc)) {
                    groups.add(group);
                    group = new ArrayList<>();
                    groupRows = 0;
                }
                group.add(piece);
                groupRows += piece.spans.size();
            }
        }
        if (!group.isEmpty()) groups.add(group);

        List<Tensor> parts = new ArrayList<>();
        int[] order = new int[spans];   // position of span s in the concatenated parts
        int filled = 0;
        for (List<Piece> pieces : groups) {
            int rows = pieces.stream().mapToInt(p -> p.spans.size()).sum(), longest = pieces.get(0).doc.len;
            int[] st = new int[rows], en = new int[rows], len = new int[rows];
            int row = 0;
            for (Piece piece : pieces) {
                for (int s : piece.spans) {
                    st[row] = start[s];
                    en[row] = end[s];
                    len[row] = piece.doc.len;
                    order[s] = filled + row++;
                }
            }
            filled += rows;
            // Without gradients (prediction) the group's temporaries go back to the pool before the
            // next group; training keeps them for backward.
            try (TensorScope groupScope = GradMode.isEnabled() ? null : TensorScope.open()) {
                // X_s per direction [rows, L, 3h], each piece's rows padded to the longest document
                Tensor[][] byPiece = new Tensor[2][pieces.size()];
                for (int i = 0, from = 0; i < pieces.size(); from += pieces.get(i).spans.size(), i++) {
                    Piece piece = pieces.get(i);
                    int n = piece.spans.size();
                    int[] ps = Arrays.copyOfRange(st, from, from + n), pe = Arrays.copyOfRange(en, from, from + n);
                    for (int d = 0; d < 2; d++) {
                        Tensor xi = NnOps.spanHiddenAttention(piece.doc.scores, piece.doc.u[d], ps, pe);
                        byPiece[d][i] = piece.doc.len == longest ? xi : Tensor.concat(1, xi, Tensor.zeros(backend, n, longest - piece.doc.len, xi.size(2)));
                    }
                }
                Tensor[] x = new Tensor[2];
                for (int d = 0; d < 2; d++) x[d] = pieces.size() == 1 ? byPiece[d][0] : Tensor.concat(0, byPiece[d]);
                Tensor g = bigru.forwardProjected(x, len).output().reshape(rows * longest, dim);        // G_s [rows*L, d]
                Tensor contexts = maxOverVisible(g, st, en, len, longest);
                parts.add(groupScope == null ? contexts : groupScope.keep(contexts));
            }
        }
        Tensor all = parts.size() == 1 ? parts.get(0) : Tensor.concat(0, parts.toArray(new Tensor[0]));
        return all.indexSelect(order);
    }

    /** A document of the batch: its length, its spans (indices into the span arrays) and what they share. */
    private record Document(int len, List<Integer> spans, Tensor scores, Tensor[] u) {}

    /** Some of a document's spans, computed together. */
    private record Piece(Document doc, List<Integer> spans) {}

    /**
     * Spans computed together (a group, padded to its longest document, of length L): the
     * configured number; with chunk 0, in training all of the batch's spans (their activations
     * are kept for the backward anyway), and in prediction as many as fit
     * {@link Backend#workspaceFloats()} (256 MiB on the CPU, up to 4 GiB on a GPU; per span, the
     * GRU inputs X_s of both directions, 2 L 3h floats, and the BiGRU's outputs, stacked and
     * concatenated, about 2 L 3h; a step's gates are released after it). Each piece pays the
     * attention kernel's O(H L^2 3h) prefix and suffix sums once, against O(H L n 3h) for its n
     * spans.
     */
    private int chunkFor(int len) {
        if (chunk > 0) return chunk;
        if (GradMode.isEnabled()) return Integer.MAX_VALUE;
        long perSpan = 4L * len * bigru.gates * bigru.hiddenSize;
        return (int) Math.max(8, Math.min(Integer.MAX_VALUE, backend.workspaceFloats() / perSpan));
    }

    /** The output projection folded into each direction's input projection: b [3h] and W by head [H, dh, 3h]. */
    private record Folded(Tensor[] bias, Tensor[] byHead) {}

    /** Per direction: W = W_ih W_o [3h, d], b = W_ih b_o + b_ih [3h], and W by head [H, dh, 3h]. */
    private Folded fold() {
        Tensor[] bias = new Tensor[2], byHead = new Tensor[2];
        for (int d = 0; d < 2; d++) {
            Tensor wIh = bigru.inputWeight(0, d);
            Tensor w = wIh.matmul(attention.out.weight);
            bias[d] = wIh.matmul(attention.out.bias.reshape(dim, 1)).reshape(-1).add(bigru.inputBias(0, d));
            byHead[d] = w.reshape(-1, heads, dim / heads).permute(1, 2, 0).contiguous();
        }
        return new Folded(bias, byHead);
    }

    /**
     * c(s) = max of G_s over [0, start) and [end, len), each possibly empty (0 when both are); row
     * i of the group is g[i*L, (i+1)*L), its document of length len[i] <= L.
     */
    private Tensor maxOverVisible(Tensor g, int[] start, int[] end, int[] len, int longest) {
        int n = start.length;
        int[] beforeStart = new int[n], beforeEnd = new int[n], afterStart = new int[n], afterEnd = new int[n];
        float[] noBefore = new float[n], noAfter = new float[n], none = new float[n];
        for (int i = 0; i < n; i++) {
            beforeStart[i] = i * longest;
            beforeEnd[i] = i * longest + start[i];
            afterStart[i] = i * longest + end[i];
            afterEnd[i] = i * longest + len[i];
            noBefore[i] = start[i] == 0 ? 1f : 0f;
            noAfter[i] = end[i] >= len[i] ? 1f : 0f;
            none[i] = noBefore[i] * noAfter[i];
        }
        Tensor before = g.rangeMax(beforeStart, beforeEnd).maskedFill(Tensor.of(backend, noBefore, n, 1), Float.NEGATIVE_INFINITY);
        Tensor after = g.rangeMax(afterStart, afterEnd).maskedFill(Tensor.of(backend, noAfter, n, 1), Float.NEGATIVE_INFINITY);
        return before.maximum(after).maskedFill(Tensor.of(backend, none, n, 1), 0f);
    }
}
