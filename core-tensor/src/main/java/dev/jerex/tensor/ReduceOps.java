package dev.jerex.tensor;

import dev.jerex.tensor.backend.ReduceOp;
import java.util.Arrays;

/** Sums, means and maxima over axes, with their backward. */
final class ReduceOps {
    private ReduceOps() {}

    /** Reduces one axis of a contiguous tensor, viewed as [outer, len, inner]; keeps the axis as 1. */
    private static Tensor reduceAxis(ReduceOp op, Tensor x, int axis) {
        int[] shape = x.shapeRef();
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.length; i++) inner *= shape[i];
        int[] outShape = shape.clone();
        outShape[axis] = 1;
        Tensor out = Tensor.empty(x.backend(), outShape);
        x.backend().reduce(op, x.storage(), x.offset(), outer, shape[axis], inner, out.storage(), 0);
        return out;
    }

    private static int[] normalise(String op, int[] axes, int rank) {
        int[] a = new int[axes.length];
        for (int i = 0; i < axes.length; i++) a[i] = Shape.axis(op, axes[i], rank);
        Arrays.sort(a);
        for (int i = 1; i < a.length; i++) {
            if (a[i] == a[i - 1]) throw new IllegalArgumentException(op + ": axis " + a[i] + " given twice");
        }
        return a;
    }

    /** The reduced shape, with or without the reduced axes kept as size 1. */
    private static int[] reducedShape(int[] shape, int[] axes, boolean keepDim) {
        int[] kept = shape.clone();
        for (int a : axes) kept[a] = 1;
        if (keepDim) return kept;
        int[] out = new int[shape.length - axes.length];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (Arrays.binarySearch(axes, i) < 0) out[j++] = shape[i];
        }
        return out;
    }

    /** sum over axes;  dx = g broadcast back over the reduced axes. */
    static Tensor sum(Tensor x, int[] axes, boolean keepDim) {
        int[] ax = normalise("sum", axes, x.dim());
        int[] inShape = x.shapeRef();
        Tensor cur = ShapeOps.contiguous(x).detach();
        for (int a : ax) cur = reduceAxis(ReduceOp.SUM, cur, a);
        int[] keptShape = reducedShape(inShape, ax, true);
        Tensor out = cur.reshape(reducedShape(inShape, ax, keepDim)).detach();
        return out.recordOp("sum", g -> new Tensor[] {g.reshape(keptShape).expand(inShape)}, x);
    }

    /** mean = sum / count. */
    static Tensor mean(Tensor x, int[] axes, boolean keepDim) {
        int[] ax = normalise("mean", axes, x.dim());
        int count = 1;
        for (int a : ax) count *= x.shapeRef()[a];
        return sum(x, ax, keepDim).mul(1f / count);
    }

    /**
     * max over one axis;  the gradient is shared equally by the positions that attain the max
     * (dx = g * [x == max] / count), as PyTorch's amax does.
     */
    static Tensor max(Tensor x, int axis, boolean keepDim) {
        int a = Shape.axis("max", axis, x.dim());
        int[] inShape = x.shapeRef();
        Tensor kept = reduceAxis(ReduceOp.MAX, ShapeOps.contiguous(x).detach(), a);
        int[] keptShape = kept.shapeRef();
        Tensor out = keepDim ? kept : kept.reshape(reducedShape(inShape, new int[] {a}, false)).detach();
        return out.recordOp("max", g -> {
            Tensor hits = x.eq(kept);                         // 1 where x attains the max
            Tensor count = hits.sum(a, true);
            return new Tensor[] {hits.mul(g.reshape(keptShape).div(count))};
        }, x);
    }

    /** Sums the broadcast axes of {@code x} away so the result has {@code target} shape. */
    static Tensor sumTo(Tensor x, int[] target) {
        int[] shape = x.shapeRef();
        if (Arrays.equals(shape, target)) return x;
        int lead = shape.length - target.length;
        if (lead < 0) throw new IllegalArgumentException("sumTo: cannot reduce " + Shape.str(shape) + " to " + Shape.str(target));
        int count = 0;
        int[] axes = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (i < lead || (target[i - lead] == 1 && shape[i] != 1)) axes[count++] = i;
            else if (target[i - lead] != shape[i]) {
                throw new IllegalArgumentException("sumTo: cannot reduce " + Shape.str(shape) + " to " + Shape.str(target));
            }
        }
        Tensor s = count == 0 ? x : sum(x, Arrays.copyOf(axes, count), true);
        return s.reshape(target);
    }
}
