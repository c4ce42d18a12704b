package dev.jerex.tensor;

import dev.jerex.tensor.backend.Backend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A numerical gradient check of every differentiable op, on every available backend. */
class GradientCheckTest {
    private static final String BACKENDS = "dev.jerex.tensor.TestBackends#all";

    private static Tensor rand(Backend b, long seed, int... shape) {
        return Tensor.rand(b, new Rng(seed), -1f, 1f, shape);
    }

    /** Values bounded away from 0 (for log, sqrt, div, pow, and the kinks of relu and abs). */
    private static Tensor positive(Backend b, long seed, int... shape) {
        return Tensor.rand(b, new Rng(seed), 0.5f, 2f, shape);
    }

    /** Values with |x| >= 0.2 and random signs: away from the kinks of relu and abs. */
    private static Tensor awayFromZero(Backend b, long seed, int... shape) {
        Rng r = new Rng(seed);
        float[] v = new float[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (r.bernoulli(0.5) ? 1 : -1) * r.uniform(0.2f, 1.5f);
        return Tensor.of(b, v, shape);
    }

    /** Distinct values (a shuffled ramp), so max and argmax are never tied. */
    private static Tensor distinct(Backend b, long seed, int... shape) {
        int n = Shape.numel(shape);
        int[] p = new Rng(seed).permutation(n);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (p[i] - n / 2f) * 0.1f;
        return Tensor.of(b, v, shape);
    }

    // ---- element-wise -------------------------------------------------------------------------

    @ParameterizedTest @MethodSource(BACKENDS)
    void addWithBroadcast(Backend b) {
        GradCheck.check("add", x -> x[0].add(x[1]), rand(b, 1, 2, 3, 4), rand(b, 2, 3, 1));
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void subWithBroadcast(Backend b) {
        GradCheck.check("sub", x -> x[0].sub(x[1]), rand(b, 1, 4), rand(b, 2, 3, 4));
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void mulWithBroadcast(Backend b) {
        GradCheck.check("mul", x -> x[0].mul(x[1]), rand(b, 1, 2, 1, 4), rand(b, 2, 3, 1));
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void divWithBroadcast(Backend b) {
        GradCheck.check("div", x -> x[0].div(x[1]), rand(b, 1, 2, 3), positive(b, 2, 3));
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void maximum(Backend b) {
        GradCheck.check("maximum", x -> x[0].maximum(x[1]), distinct(b, 1, 3, 4), distinct(b, 2, 3, 4).mul(0.97f).detach());
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void scalarOps(Backend b) {
        GradCheck.check("add_scalar", x -> x[0].add(0.5f), rand(b, 1, 5));
        GradCheck.check("mul_scalar", x -> x[0].mul(-3f), rand(b, 1, 5));
        GradCheck.check("neg", x -> x[0].neg(), rand(b, 1, 5));
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void unaryFunctions(Backend b) {
        GradCheck.check("exp", x -> x[0].exp(), rand(b, 1, 2, 3));
        GradCheck.check("log", x -> x[0].log(), positive(b, 2, 2, 3));
        GradCheck.check("sqrt", x -> x[0].sqrt(), positive(b, 3, 2, 3));
        GradCheck.check("pow", x -> x[0].pow(3f), positive(b, 4, 2, 3));
        GradCheck.check("pow_negative", x -> x[0].pow(-0.5f), positive(b, 5, 2, 3));
        GradCheck.check("tanh", x -> x[0].tanh(), rand(b, 6, 2, 3));
        GradCheck.check("sigmoid", x -> x[0].sigmoid(), rand(b, 7, 2, 3));
        GradCheck.check("relu", x -> x[0].relu(), awayFromZero(b, 8, 2, 3));
        GradCheck.check("abs", x -> x[0].abs(), awayFromZero(b, 9, 2, 3));
        GradCheck.check("gelu", x -> x[0].gelu(), rand(b, 10, 2, 3).mul(3f).detach());
        GradCheck.check("softplus", x -> x[0].softplus(), rand(b, 11, 2, 3).mul(5f).detach());
    }

    // ---- matrix products -------------------------------------------------------------------------

    @ParameterizedTest @MethodSource(BACKENDS)
    void matmul2d(Backend b) {
        GradCheck.check("matmul", x -> x[0].matmul(x[1]), rand(b, 1, 3, 4), rand(b, 2, 4, 5));
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void matmulWithTransposedViews(Backend b) {
        // x @ w^T as in Linear, and a^T @ b: both operands passed with transpose flags.
        GradCheck.check("matmul_nt", x -> x[0].matmul(x[1].t()), rand(b, 1, 3, 4), rand(b, 2, 5, 4));
        GradCheck.check("matmul_tn", x -> x[0].t().matmul(x[1]), rand(b, 3, 4, 3), rand(b, 4, 4, 5));
        GradCheck.check("matmul_tt", x -> x[0].t().matmul(x[1].t()), rand(b, 5, 4, 3), rand(b, 6, 5, 4));
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void batchedMatmul(Backend b) {
        GradCheck.check("bmm3", x -> x[0].matmul(x[1]), rand(b, 1, 2, 3, 4), rand(b, 2, 2, 4, 2));
        GradCheck.check("bmm4_kt", x -> x[0].matmul(x[1].t()), rand(b, 3, 2, 2, 3, 4), rand(b, 4, 2, 2, 5, 4));
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void matmulBatchTimesMatrix(Backend b) {
        GradCheck.check("matmul_nd_2d", x -> x[0].matmul(x[1].t()), rand(b, 1, 2, 3, 4), rand(b, 2, 5, 4));
    }

    // ---- reductions ---------------------------------------------------------------------------------

    @ParameterizedTest @MethodSource(BACKENDS)
    void sums(Backend b) {
        GradCheck.check("sum_all", x -> x[0].sum(), rand(b, 1, 2, 3, 4));
        GradCheck.check("sum_axis", x -> x[0].sum(1, false), rand(b, 2, 2, 3, 4));
        GradCheck.check("sum_axes_keep", x -> x[0].sum(new int[] {0, 2}, true), rand(b, 3, 2, 3, 4));
        GradCheck.check("mean", x -> x[0].mean(-1, true), rand(b, 4, 2, 3, 4));
        GradCheck.check("mean_all", x -> x[0].mean(), rand(b, 5, 3, 4));
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void max(Backend b) {
        GradCheck.check("max_last", x -> x[0].max(-1, false), distinct(b, 1, 2, 3, 4));
        GradCheck.check("max_middle_keep", x -> x[0].max(1, true), distinct(b, 2, 2, 3, 4));
    }

    // ---- shape -----------------------------------------------------------------------------------------

    @ParameterizedTest @MethodSource(BACKENDS)
    void views(Backend b) {
        GradCheck.check("reshape", x -> x[0].reshape(4, -1).mul(x[0].reshape(4, -1)), rand(b, 1, 2, 3, 2));
        GradCheck.check("permute", x -> x[0].permute(2, 0, 1).contiguous(), rand(b, 2, 2, 3, 4));
        GradCheck.check("transpose", x -> x[0].transpose(0, 1).exp(), rand(b, 3, 3, 4));
        GradCheck.check("expand", x -> x[0].expand(3, 2, 4).mul(x[1]), rand(b, 4, 2, 1), rand(b, 5, 3, 2, 4));
        GradCheck.check("narrow", x -> x[0].narrow(1, 1, 2).exp(), rand(b, 6, 2, 4, 3));
        GradCheck.check("unsqueeze_squeeze", x -> x[0].unsqueeze(1).exp().squeeze(1), rand(b, 7, 3, 2));
        GradCheck.check("select", x -> x[0].select(1, 2).exp(), rand(b, 9, 2, 4, 3));
        GradCheck.check("reshape_of_transposed", x -> x[0].t().reshape(-1).exp(), rand(b, 8, 3, 4));
    }

    /**
     * Slices add their gradients into windows of the parent's gradient in place (Autograd):
     * overlapping slices, slices of a transposed view, of a slice, and a parent that also gets a
     * whole-tensor gradient before and after its slices do.
     */
    @ParameterizedTest @MethodSource(BACKENDS)
    void manySlicesOfOneTensor(Backend b) {
        GradCheck.check("slices", x -> {
            Tensor a = x[0];
            Tensor out = a.exp().sum(1, false);                          // whole-tensor gradient first
            for (int t = 0; t < 4; t++) out = out.add(a.select(1, t).mul((float) (t + 1)));
            out = out.add(a.narrow(1, 1, 3).sum(1, false).tanh());        // overlaps the selects
            out = out.add(a.transpose(0, 2).select(1, 2).t().mul(0.5f));      // a slice of a transposed view
            out = out.add(a.narrow(1, 0, 3).select(1, 1).sigmoid());     // a slice of a slice
            return out.mul(a.select(1, 3));                              // a slice used in a product
        }, rand(b, 10, 2, 4, 3));
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void concatAndStack(Backend b) {
        GradCheck.check("concat", x -> Tensor.concat(1, x[0], x[1].exp(), x[0]), rand(b, 1, 2, 2, 3), rand(b, 2, 2, 3, 3));
        GradCheck.check("stack", x -> Tensor.stack(0, x[0], x[1]), rand(b, 3, 2, 3), rand(b, 4, 2, 3));
    }

    // ---- indexing ------------------------------------------------------------------------------------------

    @ParameterizedTest @MethodSource(BACKENDS)
    void indexing(Backend b) {
        GradCheck.check("index_select", x -> x[0].indexSelect(new int[] {2, 0, 2, 1}), rand(b, 1, 3, 4));
        GradCheck.check("gather_rows", x -> x[0].gatherRows(new int[] {1, 0, 3}), rand(b, 2, 3, 4));
        GradCheck.check("scatter_add", x -> x[0].scatterAdd(new int[] {1, 1, 0}, 3), rand(b, 3, 3, 2));
        Tensor mask = Tensor.of(b, new float[] {0, 1, 0, 1, 1, 0}, 2, 3);
        GradCheck.check("masked_fill", x -> x[0].maskedFill(mask, -5f), rand(b, 4, 4, 2, 3));
        GradCheck.check("where", x -> Tensor.where(mask, x[0], x[1]), rand(b, 5, 2, 3), rand(b, 6, 1, 3));
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void rangeMax(Backend b) {
        // spans [0,2), [1,4), [3,3) (empty -> 0), [4,5) over 5 rows of 3 columns
        GradCheck.check("range_max", x -> IndexOps.rangeMax(x[0], new int[] {0, 1, 3, 4}, new int[] {2, 4, 3, 5}), distinct(b, 1, 5, 3));
    }

    // ---- neural-network functions --------------------------------------------------------------------------

    @ParameterizedTest @MethodSource(BACKENDS)
    void softmax(Backend b) {
        GradCheck.check("softmax_last", x -> x[0].softmax(-1), rand(b, 1, 2, 3, 5));
        GradCheck.check("softmax_middle", x -> x[0].softmax(1), rand(b, 2, 2, 3, 5));
        GradCheck.check("log_softmax", x -> x[0].logSoftmax(-1), rand(b, 3, 4, 5));
    }

    /**
     * A weight that collects its products' gradients (a recurrence's W_hh^T): its gradient, summed
     * as one product at the end, next to a gradient it receives directly and one through a
     * batched product (not collected).
     */
    @ParameterizedTest @MethodSource(BACKENDS)
    void collectedProductGradients(Backend b) {
        GradCheck.check("collected_products", x -> {
            Tensor wt = x[0].t().collectProductGradients();
            Tensor h = x[1];
            for (int t = 0; t < 3; t++) h = h.matmul(wt).tanh();                 // collected
            Tensor batched = x[1].unsqueeze(0).expand(2, 2, 3).contiguous().matmul(wt.unsqueeze(0).expand(2, 3, 3));
            return h.add(batched.sum(0, false)).add(x[0].narrow(0, 0, 2).exp());   // direct
        }, rand(b, 7, 3, 3), rand(b, 8, 2, 3));
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void gruSequence(Backend b) {
        // B = 2, T = 3, H = 2 in both directions, unpadded and with lengths 3, 1; projected taken as a view, as the layers pass it
        for (int[] lengths : new int[][] {null, {3, 1}}) {
            for (boolean reverse : new boolean[] {false, true}) {
                GradCheck.check("gru_sequence" + (reverse ? " reverse" : "") + (lengths == null ? "" : " padded"),
                        x -> NnOps.gruSequence(x[0].mul(1f), x[1], x[2], lengths, reverse), rand(b, 11, 2, 3, 6), rand(b, 12, 6, 2), rand(b, 13, 6));
            }
        }
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void lstmSequence(Backend b) {
        // B = 3 with lengths 4, 2, 1 (longest first), T = 4, H = 2; the c half is kept in the loss
        for (boolean reverse : new boolean[] {false, true}) {
            GradCheck.check("lstm_sequence" + (reverse ? " reverse" : ""), x -> NnOps.lstmSequence(x[0], x[1], new int[] {4, 2, 1}, reverse),
                    rand(b, 14, 3, 4, 8), rand(b, 15, 8, 2));
        }
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void gruCell(Backend b) {
        // xt as time step 1 of a [B, T, 3H] tensor (strided rows), as the recurrent layers pass it
        GradCheck.check("gru_cell", x -> NnOps.gruCell(x[0].select(1, 1), x[1], x[2]), rand(b, 1, 3, 2, 6), rand(b, 2, 3, 6), rand(b, 3, 3, 2));
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void lstmCell(Backend b) {
        GradCheck.check("lstm_cell", x -> NnOps.lstmCell(x[0].select(1, 1), x[1], x[2]), rand(b, 4, 3, 2, 8), rand(b, 5, 3, 8), rand(b, 6, 3, 2));
    }

    /** Spans: the first key, the last, a middle run, a single key, and one hiding every key (no gradient). */
    private static final int[] SPAN_START = {0, 4, 1, 2, 0}, SPAN_END = {1, 5, 4, 3, 5};

    @ParameterizedTest @MethodSource(BACKENDS)
    void spanHiddenAttention(Backend b) {
        GradCheck.check("span_hidden_attention", x -> NnOps.spanHiddenAttention(x[0], x[1], SPAN_START, SPAN_END),
                Tensor.rand(b, new Rng(1), -2f, 2f, 2, 5, 5), rand(b, 2, 2, 5, 3));
    }

    /** Key 0 outscores every other key by about 120: hiding it leaves a visible mass of e^-120, below float range, so those sums are direct. */
    @ParameterizedTest @MethodSource(BACKENDS)
    void spanHiddenAttentionFarBelowAHiddenKey(Backend b) {
        float[] lift = new float[2 * 5 * 5];
        for (int r = 0; r < 2 * 5; r++) lift[r * 5] = 120f;
        GradCheck.check("span_hidden_attention (direct sums)", x -> NnOps.spanHiddenAttention(x[0].add(Tensor.of(b, lift, 2, 5, 5)), x[1],
                SPAN_START, SPAN_END), rand(b, 3, 2, 5, 5), rand(b, 4, 2, 5, 3));
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void layerNorm(Backend b) {
        GradCheck.check("layer_norm", x -> NnOps.layerNorm(x[0], x[1], x[2], 1e-5f), rand(b, 1, 2, 3, 6), rand(b, 2, 6), rand(b, 3, 6));
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void losses(Backend b) {
        GradCheck.check("cross_entropy", x -> NnOps.crossEntropy(x[0], new int[] {1, -100, 4, 0}, -100), rand(b, 1, 4, 5).mul(3f).detach());
        Tensor targets = Tensor.of(b, new float[] {1, 0, 0, 1, 1, 0}, 2, 3);
        GradCheck.check("bce_with_logits", x -> NnOps.binaryCrossEntropyWithLogits(x[0], targets), rand(b, 2, 2, 3).mul(4f).detach());
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void dropout(Backend b) {
        // The same seed in every evaluation gives the same mask, so the check is well defined.
        GradCheck.check("dropout", x -> x[0].dropout(0.3f, new Rng(99), true), rand(b, 1, 4, 5));
    }
}
