package dev.jerex.tensor.backend;

import dev.jerex.tensor.Storage;

/**
 * The small, kernel-shaped interface every device implements. Tensors, autograd and layers live
 * above it and never touch memory directly; a new device implements only these kernels.
 *
 * <p>Conventions: offsets and strides count floats; unless a parameter says otherwise, operands
 * are contiguous row-major blocks starting at their offset; output storages may be freshly
 * allocated (uninitialised) unless the kernel says it accumulates.
 */
public interface Backend {

    /** Short name: "java", "openblas", "cuda". */
    String name();

    /** Human-readable device description, used in error messages ("cpu", "cuda:0"). */
    String device();

    /**
     * Whether every call costs a fixed few microseconds however small its work (a GPU's kernel
     * launch), so that a step of many small calls is bound by their number: callers may then
     * prefer fewer, larger calls even at some extra memory or arithmetic (padding). False on the
     * CPU, where a call costs about its arithmetic.
     */
    default boolean launchBound() {
        return false;
    }

    /**
     * How many floats of temporaries a caller may hold at once for work it can split into chunks
     * of any size (SEA's spans in prediction): 64 Mi floats (256 MiB) on the CPU, where larger
     * chunks gain nothing; more on a GPU, where every chunk costs its launches.
     */
    default long workspaceFloats() {
        return 64L << 20;
    }

    // ---- memory ---------------------------------------------------------------------------

    /** A new storage of n floats, contents undefined. */
    Storage allocate(int n);

    /** A new storage holding a copy of {@code values}. */
    Storage upload(float[] values);

    /** Copies n floats starting at {@code offset} into {@code dst[dstOffset..]}. */
    void download(Storage src, int offset, float[] dst, int dstOffset, int n);

    void fill(Storage dst, int offset, int n, float value);

    /**
     * Strided copy: for every index i of {@code shape},
     * dst[dstOffset + i . dstStrides] = src[srcOffset + i . srcStrides].
     * Materialises views (transpose, slice, expand) and writes into views (concat, narrow backward).
     */
    void copy(int[] shape, Storage src, int srcOffset, int[] srcStrides, Storage dst, int dstOffset, int[] dstStrides);

    // ---- element-wise -----------------------------------------------------------------------

    /** y[i] = f(x[i]) for n contiguous elements. */
    void unary(UnaryOp op, float p, Storage x, int xOffset, Storage y, int yOffset, int n);

    /** gx[i] = gy[i] * f'(x[i]) (y = f(x) is passed as well, for derivatives cheaper from it). */
    void unaryBackward(UnaryOp op, float p, Storage x, int xOffset, Storage y, int yOffset,
                       Storage gy, int gyOffset, Storage gx, int gxOffset, int n);

    /**
     * out = f(a, b) over {@code shape} with broadcasting expressed as stride 0. {@code out} is
     * contiguous.
     */
    void binary(BinaryOp op, float p, int[] shape, Storage a, int aOffset, int[] aStrides,
                Storage b, int bOffset, int[] bStrides, Storage out, int outOffset);

    /** y[o, i] = reduce_l x[o, l, i] over a contiguous [outer, len, inner] block. */
    void reduce(ReduceOp op, Storage x, int xOffset, int outer, int len, int inner, Storage y, int yOffset);

    // ---- matrix products ----------------------------------------------------------------------

    /**
     * Row-major C = alpha * op(A) * op(B) + beta * C with op(A) [m, k], op(B) [k, n], C [m, n].
     * lda/ldb/ldc are the row strides of A, B, C as stored (A is [k, m] when transA).
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              Storage a, int aOffset, int lda, Storage b, int bOffset, int ldb,
              float beta, Storage c, int cOffset, int ldc);

    /** {@link #gemm} over {@code batch} matrices spaced by strideA / strideB / strideC floats. */
    default void gemmBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             Storage a, int aOffset, int lda, long strideA,
                             Storage b, int bOffset, int ldb, long strideB,
                             float beta, Storage c, int cOffset, int ldc, long strideC, int batch) {
        for (int i = 0; i < batch; i++) {
            gemm(transA, transB, m, n, k, alpha, a, (int) (aOffset + i * strideA), lda,
                    b, (int) (bOffset + i * strideB), ldb, beta, c, (int) (cOffset + i * strideC), ldc);
        }
    }

    // ---- fused rows -----------------------------------------------------------------------------

    /** Row-wise softmax (or log-softmax) of a contiguous [rows, cols] block, max-subtracted. */
    void softmax(boolean log, Storage x, int xOffset, Storage y, int yOffset, int rows, int cols);

    /**
     * Backward of {@link #softmax}: softmax: gx = y * (gy - sum(gy * y));
     * log-softmax: gx = gy - exp(y) * sum(gy).
     */
    void softmaxBackward(boolean log, Storage y, int yOffset, Storage gy, int gyOffset,
                         Storage gx, int gxOffset, int rows, int cols);

    /**
     * Layer normalisation of each row of a contiguous [rows, cols] block:
     * y = (x - mean) * rstd * gamma + beta, rstd = 1 / sqrt(var + eps) (biased variance).
     * Saves mean[rows] and rstd[rows] for the backward pass.
     */
    void layerNorm(Storage x, int xOffset, Storage gamma, int gammaOffset, Storage beta, int betaOffset,
                   Storage y, int yOffset, Storage mean, Storage rstd, int rows, int cols, float eps);

    /**
     * Backward of {@link #layerNorm}. With xhat = (x - mean) * rstd and g = gy * gamma:
     * gx = rstd * (g - mean(g) - xhat * mean(g * xhat)); ggamma += sum_rows gy * xhat;
     * gbeta += sum_rows gy. ggamma and gbeta accumulate.
     */
    void layerNormBackward(Storage x, int xOffset, Storage gamma, int gammaOffset, Storage mean, Storage rstd,
                           Storage gy, int gyOffset, Storage gx, int gxOffset,
                           Storage ggamma, Storage gbeta, int rows, int cols);

    // ---- recurrent cells --------------------------------------------------------------------------

    /**
     * One GRU step (PyTorch's gate order r, z, n) on rows: xt [rows, 3H] = x_t W_ih^T + b_ih with
     * row stride {@code xtStride}, hh [rows, 3H] = h W_hh^T + b_hh and h [rows, H] contiguous:
     * <pre>
     * r = sigmoid(xr + hr),  z = sigmoid(xz + hz),  n = tanh(xn + r hn),  h' = n + z (h - n)
     * </pre>
     * Writes h' [rows, H] and saves gates [rows, 3H] = (r, z, n) for the backward (both contiguous,
     * from their offsets).
     */
    void gruCell(Storage xt, int xtOffset, int xtStride, Storage hh, int hhOffset, Storage h, int hOffset,
                 Storage hNext, int hNextOffset, Storage gates, int gatesOffset, int rows, int hidden);

    /**
     * Backward of {@link #gruCell}, given gh' = d h' [rows, H]:
     * <pre>
     * dn = gh' (1 - z),  dz = gh' (h - n),  a = dn (1 - n^2),  dr = a hn
     * gxt = [dr r (1 - r), dz z (1 - z), a]     ghh = [same, same, a r]     gh = gh' z
     * </pre>
     * gh is only the direct path; the path through hh = h W_hh^T is the caller's gemm. gxt [rows, 3H]
     * is written with row stride {@code gxtStride} (into a whole sequence's gradient), ghh [rows, 3H]
     * and gh [rows, H] contiguously; all from their offsets.
     */
    void gruCellBackward(Storage gates, int gatesOffset, Storage hh, int hhOffset, Storage h, int hOffset,
                         Storage ghNext, int ghNextOffset, Storage gxt, int gxtOffset, int gxtStride,
                         Storage ghh, int ghhOffset, Storage gh, int ghOffset, int rows, int hidden);

    /**
     * One LSTM step (PyTorch's gate order i, f, g, o) on rows: xt [rows, 4H] = x_t W_ih^T + b_ih
     * + b_hh with row stride {@code xtStride}, hh [rows, 4H] = h W_hh^T (contiguous) and c [rows, H]
     * with row stride {@code cStride}:
     * <pre>
     * [i f g o] = xt + hh,  i, f, o = sigmoid(.),  g = tanh(.),  c' = f c + i g,  h' = o tanh(c')
     * </pre>
     * Writes out [rows, 2H] = (h', c') and saves act [rows, 5H] = (i, f, g, o, tanh c') for the
     * backward (both contiguous, from their offsets). A sequence keeps (h, c) of every step in one
     * [T, rows, 2H] buffer, so a step reads its c at stride 2H and writes its out in the next slot.
     */
    void lstmCell(Storage xt, int xtOffset, int xtStride, Storage hh, int hhOffset, Storage c, int cOffset, int cStride,
                  Storage out, int outOffset, Storage act, int actOffset, int rows, int hidden);

    /**
     * Backward of {@link #lstmCell}, given gOut = (dh', dc') [rows, 2H] (contiguous):
     * <pre>
     * dc = dc' + dh' o (1 - tanh^2 c')
     * gGates = [dc g i (1 - i), dc c f (1 - f), dc i (1 - g^2), dh' tanh(c') o (1 - o)]   (the gradient of xt and of hh)
     * gc = dc f
     * </pre>
     * act and gGates [rows, 4H] contiguous from their offsets; c read and gc [rows, H] written with
     * their row strides.
     */
    void lstmCellBackward(Storage act, int actOffset, Storage c, int cOffset, int cStride, Storage gOut, int gOutOffset,
                          Storage gGates, int gGatesOffset, Storage gc, int gcOffset, int gcStride, int rows, int hidden);

    // ---- attention with a span hidden -------------------------------------------------------------

    /**
     * Span-hidden attention, summed over heads (the context of SEA, MODEL.md step 6), for S spans
     * of one sequence of length L. scores [H, L, L] are q k^T / sqrt(dh), values [H, L, G]; span s
     * hides the keys start[s] <= j < end[s] from every query:
     * <pre>
     * out[s, t, :] = sum_h sum_{j visible} softmax_{j visible}(scores[h, t, :])_j values[h, j, :]     [S, L, G]
     * lse[s, h, t] = log sum_{j visible} exp(scores[h, t, j])                                       [S, H, L]
     * </pre>
     * A span that hides every key gives out 0 and lse -inf. Both are written from 0; lse is kept
     * for the backward. Kernels may compute the visible sums as prefix plus suffix sums over the
     * keys (shared by all spans), which needs no [S, H, L, L] weights.
     */
    void spanHiddenAttention(Storage scores, int scoresOffset, Storage values, int valuesOffset, int heads, int len, int width,
                             int[] start, int[] end, Storage out, Storage lse);

    /**
     * Backward of {@link #spanHiddenAttention}, given gOut [S, L, G]. With P the visible softmax
     * weights of (s, h, t) and y = sum_j P_j values[h, j]:
     * <pre>
     * gValues[h, j, :] = sum_{s, t: j visible} P_j gOut[s, t, :]
     * gScores[h, t, j] = sum_{s: j visible} P_j (gOut[s, t] . values[h, j] - gOut[s, t] . y)
     * </pre>
     * gScores [H, L, L] and gValues [H, L, G] are written from 0.
     */
    void spanHiddenAttentionBackward(Storage scores, int scoresOffset, Storage values, int valuesOffset, Storage lse,
                                     Storage gOut, int gOutOffset, int heads, int len, int width, int[] start, int[] end,
                                     Storage gScores, Storage gValues);

    // ---- indexing ---------------------------------------------------------------------------------

    /** dst[i, :] = src[index[i], :] for rows of length {@code rowLength}. */
    void gatherRows(Storage src, int srcOffset, int rowLength, int[] index, Storage dst, int dstOffset);

    /** dst[index[i], :] += src[i, :] (accumulates; repeated indices add up). */
    void scatterAddRows(Storage src, int srcOffset, int rowLength, int[] index, Storage dst, int dstOffset);

    /**
     * Max over row ranges of a contiguous [rows, cols] source: for range r,
     * dst[r, :] = max over rows start[r] <= t < end[r] of src[t, :], and argmax[r, :] = that t
     * (as a float). An empty range gives 0 and argmax -1 (no gradient).
     */
    void rangeMax(Storage src, int srcOffset, int cols, int[] start, int[] end, Storage dst, Storage argmax);

    /** Backward of {@link #rangeMax}: gsrc[argmax[r, c], c] += gdst[r, c] (accumulates). */
    void rangeMaxBackward(Storage gdst, Storage argmax, int ranges, int cols, Storage gsrc, int gsrcOffset);

    // ---- optimisers -------------------------------------------------------------------------------

    /**
     * One fused AdamW update of n parameters, in place (the optimiser's hot loop: one pass over
     * memory instead of a dozen tensor ops):
     * <pre>
     * g = gradScale * g                                         (gradient clipping, folded in)
     * if decayBeforeUpdate: p -= decay * p                      (PyTorch's AdamW)
     * m = beta1 m + (1 - beta1) g;   v = beta2 v + (1 - beta2) g^2
     * p -= stepSize * m / (denomScale * sqrt(v) + eps)
     * if !decayBeforeUpdate: p -= decay * p                     (transformers' AdamW, SpERT)
     * </pre>
     * decay = lr * weight_decay; stepSize and denomScale carry the bias corrections.
     */
    void adamw(Storage p, int pOffset, Storage g, int gOffset, float gradScale, Storage m, Storage v, int n,
               float beta1, float beta2, float eps, float stepSize, float denomScale, float decay, boolean decayBeforeUpdate);

    /**
     * sum over parts p of sum_{i < counts[p]} x_p[offsets[p] + i]^2, accumulated in double: the
     * squared global norm of a model's gradients, asked for all of them at once so that a device
     * backend waits for its results only once.
     */
    double sumOfSquares(Storage[] parts, int[] offsets, int[] counts);

    // ---- configuration ------------------------------------------------------------------------------

    /** Threads used by this backend's kernels. */
    int threads();
}
