package dev.jerex.tensor;

import dev.jerex.tensor.backend.BinaryOp;

/**
 * Indexing: row gathers (embedding lookup), scatter-add (their adjoint), per-row element picks
 * (the target logit of a cross-entropy), max over row ranges (span pooling) and masking.
 * Indices are plain {@code int[]}: they come from data, not from other tensors' values.
 */
final class IndexOps {
    private IndexOps() {}

    private static void checkIndex(String op, int[] index, int rows) {
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= rows) {
                throw new IndexOutOfBoundsException(op + ": index[" + i + "] = " + index[i] + " out of range [0, " + rows + ")");
            }
        }
    }

    /**
     * out[i, ...] = x[index[i], ...] along the first axis;  dx = scatter-add of g into the rows
     * it was read from (a row read twice gets both gradients).
     */
    static Tensor indexSelect(Tensor x, int[] index) {
        int[] inShape = x.shapeRef();
        if (inShape.length == 0) throw new IllegalArgumentException("indexSelect: needs at least one axis");
        checkIndex("indexSelect", index, inShape[0]);
        int rowLength = x.numel() / Math.max(1, inShape[0]);
        int[] outShape = inShape.clone();
        outShape[0] = index.length;
        Tensor xc = ShapeOps.contiguous(x);
        Tensor out = Tensor.empty(x.backend(), outShape);
        x.backend().gatherRows(xc.storage(), xc.offset(), rowLength, index.clone(), out.storage(), 0);
        int[] idx = index.clone();
        return out.recordOp("index_select", g -> new Tensor[] {scatterAdd(g, idx, inShape[0])}, x);
    }

    /** out = zeros([rows, ...]); out[index[i], ...] += x[i, ...];  dx = g[index]. */
    static Tensor scatterAdd(Tensor x, int[] index, int rows) {
        int[] inShape = x.shapeRef();
        if (inShape[0] != index.length) {
            throw new IllegalArgumentException("scatterAdd: " + index.length + " indices for " + inShape[0] + " rows");
        }
        checkIndex("scatterAdd", index, rows);
        int rowLength = inShape[0] == 0 ? 0 : x.numel() / inShape[0];
        int[] outShape = inShape.clone();
        outShape[0] = rows;
        Tensor xc = ShapeOps.contiguous(x);
        Tensor out = Tensor.zeros(x.backend(), outShape);
        x.backend().scatterAddRows(xc.storage(), xc.offset(), rowLength, index, out.storage(), 0);
        int[] idx = index.clone();
        return out.recordOp("scatter_add", g -> new Tensor[] {g.indexSelect(idx)}, x);
    }

    /**
     * out[r] = x[r, index[r]] for a [rows, cols] tensor: the same row gather on the flattened
     * [rows * cols, 1] view, at flat position r * cols + index[r].
     */
    static Tensor gatherColumn(Tensor x, int[] index) {
        if (x.dim() != 2 || x.shapeRef()[0] != index.length) {
            throw new IllegalArgumentException("gatherRows: needs a [rows, cols] tensor with one index per row, got "
                    + Shape.str(x.shapeRef()) + " and " + index.length + " indices");
        }
        int cols = x.shapeRef()[1];
        int[] flat = new int[index.length];
        for (int r = 0; r < index.length; r++) {
            if (index[r] < 0 || index[r] >= cols) {
                throw new IndexOutOfBoundsException("gatherRows: index[" + r + "] = " + index[r] + " out of range [0, " + cols + ")");
            }
            flat[r] = r * cols + index[r];
        }
        return x.reshape(-1, 1).indexSelect(flat).reshape(index.length);
    }

    /** x with {@code value} where mask != 0 (mask broadcast to x);  dx = g with 0 where masked. */
    static Tensor maskedFill(Tensor x, Tensor mask, float value) {
        int[] shape = Shape.broadcast("maskedFill", x.shapeRef(), mask.shapeRef());
        if (!java.util.Arrays.equals(shape, x.shapeRef())) {
            throw new IllegalArgumentException("maskedFill: mask " + Shape.str(mask.shapeRef()) + " does not broadcast to " + Shape.str(x.shapeRef()));
        }
        Tensor out = ElementwiseOps.binaryForward("maskedFill", BinaryOp.MASKED_FILL, value, x, mask);
        return out.recordOp("masked_fill", g -> new Tensor[] {g.maskedFill(mask, 0f), null}, x, mask);
    }

    /** condition ? a : b, element-wise with broadcasting (as two masked fills, no arithmetic on a or b). */
    static Tensor where(Tensor condition, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast("where", Shape.broadcast("where", condition.shapeRef(), a.shapeRef()), b.shapeRef());
        Tensor notCondition = condition.mul(-1f).add(1f);
        Tensor fromA = a.expand(shape).maskedFill(notCondition, 0f);
        Tensor fromB = b.expand(shape).maskedFill(condition, 0f);
        return fromA.add(fromB);
    }

    /**
     * Max over row ranges of a [rows, cols] tensor: out[r, :] = max of x[t, :] for start[r] <= t
     * < end[r] (0 for an empty range). Span max-pooling over many spans at once, with the batch
     * folded into the row index.  dx: each output element's gradient goes to its argmax row.
     */
    static Tensor rangeMax(Tensor x, int[] start, int[] end) {
        if (x.dim() != 2) throw new IllegalArgumentException("rangeMax: needs a [rows, cols] tensor, got " + Shape.str(x.shapeRef()));
        if (start.length != end.length) throw new IllegalArgumentException("rangeMax: " + start.length + " starts but " + end.length + " ends");
        int rows = x.shapeRef()[0], cols = x.shapeRef()[1];
        for (int r = 0; r < start.length; r++) {
            if (start[r] < 0 || end[r] > rows || (end[r] > start[r] && start[r] >= rows)) {
                throw new IndexOutOfBoundsException("rangeMax: range " + r + " = [" + start[r] + ", " + end[r] + ") outside [0, " + rows + ")");
            }
        }
        Tensor xc = ShapeOps.contiguous(x);
        Tensor out = Tensor.empty(x.backend(), start.length, cols);
        Tensor argmax = Tensor.empty(x.backend(), start.length, cols);
        x.backend().rangeMax(xc.storage(), xc.offset(), cols, start.clone(), end.clone(), out.storage(), argmax.storage());
        return out.recordOp("range_max", g -> {
            Tensor gc = ShapeOps.contiguous(g);
            Tensor gx = Tensor.zeros(x.backend(), rows, cols);
            x.backend().rangeMaxBackward(gc.storage(), argmax.storage(), start.length, cols, gx.storage(), 0);
            return new Tensor[] {gx};
        }, x);
    }
}
