package dev.jerex.tensor;

import java.util.Arrays;

/**
 * Matrix products. Operands are handed to the backend's gemm as they lie in memory: a
 * transposed view (say {@code w.t()}) is passed with the transpose flag and its leading
 * dimension, never copied. Only layouts gemm cannot express are made contiguous first.
 */
final class MatmulOps {
    private MatmulOps() {}

    /**
     * How a stack of matrices lies in memory: {@code batch} matrices [rows, cols], each stored
     * row-major with row stride {@code ld} (trans = false) or column-major with column stride
     * {@code ld} (trans = true), spaced {@code batchStride} floats apart.
     */
    record MatrixLayout(Tensor tensor, int batch, int rows, int cols, boolean trans, int ld, int batchStride) {

        /** The layout of t's last two axes, or null when gemm cannot read t as it is. */
        static MatrixLayout of(Tensor t) {
            int[] shape = t.shapeRef(), strides = t.stridesRef();
            int r = shape.length;
            int rows = shape[r - 2], cols = shape[r - 1];
            int sr = strides[r - 2], sc = strides[r - 1];
            boolean trans;
            int ld;
            if ((sc == 1 || cols == 1) && sr >= Math.max(1, cols)) {
                trans = false;
                ld = Math.max(sr, Math.max(1, cols));
            } else if ((sr == 1 || rows == 1) && sc >= Math.max(1, rows)) {
                trans = true;
                ld = Math.max(sc, Math.max(1, rows));
            } else {
                return null;
            }
            // Batch axes must collapse to one uniform stride.
            int batch = 1, batchStride = 0;
            for (int i = r - 3; i >= 0; i--) {
                if (shape[i] == 1) continue;
                if (batch == 1) batchStride = strides[i];
                else if (strides[i] != batchStride * batch) return null;
                batch *= shape[i];
            }
            if (batch > 1 && batchStride == 0) return null;   // an expanded batch: materialise
            return new MatrixLayout(t, batch, rows, cols, trans, ld, batchStride);
        }

        static MatrixLayout require(Tensor t) {
            MatrixLayout l = of(t);
            return l != null ? l : of(ShapeOps.contiguous(t).detach());
        }
    }

    /**
     * a [..., m, k] @ b [..., k, n] -> [..., m, n]. Batch axes must be equal, or b is 2-D (a
     * weight shared by every row of a, folded into one large gemm).
     *
     * <p>Backward: da = g @ b^T, db = a^T @ g (transposed views: no copies).
     */
    static Tensor matmul(Tensor a, Tensor b) {
        ElementwiseOps.sameBackend("matmul", a, b);
        int[] as = a.shapeRef(), bs = b.shapeRef();
        if (as.length < 2 || bs.length < 2 || as[as.length - 1] != bs[bs.length - 2]) {
            throw new IllegalArgumentException("matmul: shapes " + Shape.str(as) + " and " + Shape.str(bs) + " are not aligned");
        }
        if (bs.length == 2 && as.length > 2) {
            // [..., m, k] @ [k, n]: fold the batch into the rows, one gemm.
            int k = as[as.length - 1];
            Tensor flat = a.reshape(-1, k);
            Tensor out2 = matmul(flat, b);
            int[] outShape = as.clone();
            outShape[outShape.length - 1] = bs[1];
            return out2.reshape(outShape);
        }
        if (as.length != bs.length || !Arrays.equals(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2))) {
            throw new IllegalArgumentException("matmul: batch dimensions of " + Shape.str(as) + " and " + Shape.str(bs) + " differ");
        }
        Tensor out = product(a, b);
        return out.recordOp("matmul", g -> new Tensor[] {
            a.requiresGrad ? product(g, b.t()) : null,
            !b.requiresGrad ? null : b.collectedProducts != null && as.length == 2 ? collect(b, a, g) : gradientOfRight(a, g, b)}, a, b);
    }

    /**
     * db = a^T g, laid out like b: for b = w.t() (a Linear's weight, W_hh^T) it is computed as
     * (g^T a)^T, so that w's gradient, db^T, comes out contiguous. Gradient clipping, the
     * optimiser and in-place accumulation then read it as it is, with no copy.
     */
    private static Tensor gradientOfRight(Tensor a, Tensor g, Tensor b) {
        MatrixLayout lb = MatrixLayout.of(b);
        boolean transposedWeight = b.dim() == 2 && a.dim() == 2 && lb != null && lb.trans() && b.size(0) > 1 && b.size(1) > 1;
        return transposedWeight ? product(g.t(), a).t() : product(a.t(), g);
    }

    /**
     * Defers db = a^T g for a weight that collects its products ({@link Tensor#collectProductGradients}):
     * keeps a and a copy of g (autograd frees g after this step) and returns no gradient now.
     */
    private static Tensor collect(Tensor b, Tensor a, Tensor g) {
        Tensor gCopy = Tensor.empty(g.backend(), g.shapeRef());
        ShapeOps.copyInto(g, gCopy);
        b.collectedProducts.add(new Tensor[] {a, gCopy});
        return null;
    }

    /** The collected sum_t a_t^T g_t of a weight as one product of the stacked a_t and g_t; null when none. */
    static Tensor collectedGradient(Tensor b) {
        java.util.List<Tensor[]> pairs = b.collectedProducts;
        if (pairs == null || pairs.isEmpty()) return null;
        Tensor[] as = new Tensor[pairs.size()], gs = new Tensor[pairs.size()];
        for (int i = 0; i < as.length; i++) {
            as[i] = pairs.get(i)[0];
            gs[i] = pairs.get(i)[1];
        }
        pairs.clear();
        Tensor stackedA = as.length == 1 ? as[0] : ShapeOps.concat(0, as);    // [sum B_t, k]
        Tensor stackedG = gs.length == 1 ? gs[0] : ShapeOps.concat(0, gs);    // [sum B_t, n]
        Tensor sum = gradientOfRight(stackedA, stackedG, b);                   // [k, n]
        for (Tensor g : gs) g.storage().release();
        if (stackedG != gs[0]) stackedG.storage().release();
        if (stackedA != as[0]) stackedA.storage().release();
        return sum;
    }

    /** The product itself, no graph: one (batched) gemm into a new contiguous tensor. */
    static Tensor product(Tensor a, Tensor b) {
        MatrixLayout la = MatrixLayout.require(a), lb = MatrixLayout.require(b);
        int[] outShape = a.shape();
        int m = la.rows(), k = la.cols(), n = lb.cols();
        outShape[outShape.length - 1] = n;
        Tensor out = Tensor.empty(a.backend(), outShape);
        int batch = la.batch();
        if (lb.batch() != batch) throw new IllegalStateException("matmul: batch mismatch");
        if (batch == 1) {
            a.backend().gemm(la.trans(), lb.trans(), m, n, k, 1f, la.tensor().storage(), la.tensor().offset(), la.ld(),
                    lb.tensor().storage(), lb.tensor().offset(), lb.ld(), 0f, out.storage(), 0, n);
        } else {
            a.backend().gemmBatched(la.trans(), lb.trans(), m, n, k, 1f,
                    la.tensor().storage(), la.tensor().offset(), la.ld(), la.batchStride(),
                    lb.tensor().storage(), lb.tensor().offset(), lb.ld(), lb.batchStride(),
                    0f, out.storage(), 0, n, (long) m * n, batch);
        }
        return out;
    }
}
