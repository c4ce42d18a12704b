package dev.jerex.tensor;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * Shape operations. Most are views (no data moves): reshape of a contiguous tensor, permute,
 * transpose, expand, narrow. Their backward maps the gradient back through the inverse view.
 */
final class ShapeOps {
    private ShapeOps() {}

    /** A compact row-major copy when the tensor is not already one;  dx = g. */
    static Tensor contiguous(Tensor x) {
        if (x.isContiguous()) return x;
        Tensor out = Tensor.empty(x.backend(), x.shapeRef());
        x.backend().copy(x.shapeRef(), x.storage(), x.offset(), x.stridesRef(), out.storage(), 0, out.stridesRef());
        return out.recordOp("contiguous", g -> new Tensor[] {g}, x);
    }

    /** Resolves one -1 entry and checks that the element count is preserved. */
    static int[] inferShape(int[] from, int[] to) {
        int[] s = to.clone();
        int unknown = -1, known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (unknown >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Shape.str(to));
                unknown = i;
            } else {
                known *= s[i];
            }
        }
        int n = Shape.numel(from);
        if (unknown >= 0) {
            if (known == 0 || n % known != 0) throw new IllegalArgumentException("reshape: cannot reshape " + Shape.str(from) + " to " + Shape.str(to));
            s[unknown] = n / known;
        }
        if (Shape.numel(s) != n) throw new IllegalArgumentException("reshape: cannot reshape " + Shape.str(from) + " to " + Shape.str(to));
        return s;
    }

    /** Same elements in a new shape: a view of a contiguous tensor, else of a contiguous copy. */
    static Tensor reshape(Tensor x, int[] newShape) {
        int[] inShape = x.shapeRef();
        int[] shape = inferShape(inShape, newShape);
        if (Arrays.equals(shape, inShape)) return x;
        Tensor src = contiguous(x);
        Tensor out = src.detach().view(src.offset(), shape, Shape.contiguousStrides(shape));
        return out.recordOp("reshape", g -> new Tensor[] {g.reshape(inShape)}, src);
    }

    /** Reorders axes: out axis i is input axis order[i];  dx = g permuted by the inverse order. */
    static Tensor permute(Tensor x, int[] order) {
        int r = x.dim();
        if (order.length != r) throw new IllegalArgumentException("permute: order " + Arrays.toString(order) + " for a tensor of rank " + r);
        int[] shape = new int[r], strides = new int[r], inverse = new int[r];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            int a = Shape.axis("permute", order[i], r);
            if (seen[a]) throw new IllegalArgumentException("permute: axis " + a + " repeated in " + Arrays.toString(order));
            seen[a] = true;
            shape[i] = x.shapeRef()[a];
            strides[i] = x.stridesRef()[a];
            inverse[a] = i;
        }
        Tensor out = x.view(x.offset(), shape, strides);
        return out.recordOp("permute", g -> new Tensor[] {g.permute(inverse)}, x);
    }

    static Tensor transpose(Tensor x, int a, int b) {
        int r = x.dim();
        int[] order = new int[r];
        for (int i = 0; i < r; i++) order[i] = i;
        int aa = Shape.axis("transpose", a, r), bb = Shape.axis("transpose", b, r);
        order[aa] = bb;
        order[bb] = aa;
        return permute(x, order);
    }

    /** Repeats size-1 axes (and adds leading ones) with stride 0;  dx = sum of g over them. */
    static Tensor expand(Tensor x, int[] newShape) {
        int[] inShape = x.shapeRef();
        int lead = newShape.length - inShape.length;
        if (lead < 0) throw new IllegalArgumentException("expand: cannot expand " + Shape.str(inShape) + " to " + Shape.str(newShape));
        int[] strides = new int[newShape.length];
        int[] shape = newShape.clone();
        for (int i = 0; i < newShape.length; i++) {
            if (i < lead) {
                strides[i] = 0;
                continue;
            }
            int d = inShape[i - lead];
            if (shape[i] == -1) shape[i] = d;
            if (d == shape[i]) strides[i] = x.stridesRef()[i - lead];
            else if (d == 1) strides[i] = 0;
            else throw new IllegalArgumentException("expand: cannot expand " + Shape.str(inShape) + " to " + Shape.str(newShape));
        }
        if (Arrays.equals(shape, inShape)) return x;
        Tensor out = x.view(x.offset(), shape, strides);
        return out.recordOp("expand", g -> new Tensor[] {g.sumTo(inShape)}, x);
    }

    static Tensor unsqueeze(Tensor x, int axis) {
        int a = Shape.axis("unsqueeze", axis, x.dim() + 1);
        int[] s = new int[x.dim() + 1];
        for (int i = 0, j = 0; i < s.length; i++) s[i] = i == a ? 1 : x.shapeRef()[j++];
        return reshape(x, s);
    }

    static Tensor squeeze(Tensor x, int axis) {
        int a = Shape.axis("squeeze", axis, x.dim());
        if (x.shapeRef()[a] != 1) throw new IllegalArgumentException("squeeze: axis " + axis + " of " + Shape.str(x.shapeRef()) + " is not 1");
        int[] s = new int[x.dim() - 1];
        for (int i = 0, j = 0; i < x.dim(); i++) if (i != a) s[j++] = x.shapeRef()[i];
        return reshape(x, s);
    }

    /**
     * Elements start .. start+length-1 along an axis, as a view;  dx = zeros with g written into
     * the same window.
     */
    static Tensor narrow(Tensor x, int axis, int start, int length) {
        int a = Shape.axis("narrow", axis, x.dim());
        int[] inShape = x.shapeRef();
        if (start < 0 || length < 0 || start + length > inShape[a]) {
            throw new IllegalArgumentException("narrow: range [" + start + ", " + (start + length) + ") outside axis " + a
                    + " of size " + inShape[a] + " (shape " + Shape.str(inShape) + ")");
        }
        int[] shape = inShape.clone();
        shape[a] = length;
        Tensor out = x.view(x.offset() + start * x.stridesRef()[a], shape, x.stridesRef());
        UnaryOperator<Tensor> window = gx -> gx.view(gx.offset() + start * gx.stridesRef()[a], shape, gx.stridesRef());
        return slice(out, "narrow", window, x);
    }

    /**
     * The slice at {@code index} along an axis, with that axis removed (a view);  dx = zeros with
     * g written into that slice.
     */
    static Tensor select(Tensor x, int axis, int index) {
        int a = Shape.axis("select", axis, x.dim());
        int[] inShape = x.shapeRef(), inStrides = x.stridesRef();
        if (index < 0 || index >= inShape[a]) {
            throw new IndexOutOfBoundsException("select: index " + index + " out of range for axis " + a + " of " + Shape.str(inShape));
        }
        int[] shape = new int[inShape.length - 1], strides = new int[inShape.length - 1];
        for (int i = 0, j = 0; i < inShape.length; i++) {
            if (i == a) continue;
            shape[j] = inShape[i];
            strides[j++] = inStrides[i];
        }
        Tensor out = x.view(x.offset() + index * inStrides[a], shape, strides);
        UnaryOperator<Tensor> window = gx -> {
            int[] gStrides = gx.stridesRef();
            int[] windowStrides = new int[shape.length];
            for (int i = 0, j = 0; i < inShape.length; i++) if (i != a) windowStrides[j++] = gStrides[i];
            return gx.view(gx.offset() + index * gStrides[a], shape, windowStrides);
        };
        return slice(out, "select", window, x);
    }

    /**
     * Records a slicing view: dx = zeros with g written into the slice's window. Autograd uses
     * the window directly to add g into x's gradient in place ({@link Tensor#windowInParent}).
     */
    private static Tensor slice(Tensor out, String op, UnaryOperator<Tensor> window, Tensor x) {
        out.recordOp(op, g -> {
            Tensor gx = Tensor.zeros(x.backend(), x.shapeRef());
            copyInto(g, window.apply(gx));
            return new Tensor[] {gx};
        }, x);
        if (out.requiresGrad) out.windowInParent = window;
        return out;
    }

    /** Writes src's values into the (possibly strided) view dst. No graph. */
    static void copyInto(Tensor src, Tensor dst) {
        src.backend().copy(src.shapeRef(), src.storage(), src.offset(), src.stridesRef(), dst.storage(), dst.offset(), dst.stridesRef());
    }

    /** Joins tensors along an axis;  each part's gradient is its window of g. */
    static Tensor concat(int axis, Tensor... parts) {
        if (parts.length == 0) throw new IllegalArgumentException("concat: no tensors");
        int r = parts[0].dim();
        int a = Shape.axis("concat", axis, r);
        int[] shape = parts[0].shape();
        int total = 0;
        for (Tensor p : parts) {
            ElementwiseOps.sameBackend("concat", parts[0], p);
            int[] ps = p.shapeRef();
            boolean ok = ps.length == r;
            for (int i = 0; ok && i < r; i++) ok = i == a || ps[i] == shape[i];
            if (!ok) throw new IllegalArgumentException("concat: shape " + Shape.str(ps) + " does not match " + Shape.str(shape) + " outside axis " + a);
            total += ps[a];
        }
        shape[a] = total;
        Tensor out = Tensor.empty(parts[0].backend(), shape);
        int[] starts = new int[parts.length];
        int pos = 0;
        for (int i = 0; i < parts.length; i++) {
            starts[i] = pos;
            int[] ps = parts[i].shapeRef();
            copyInto(parts[i], out.view(pos * out.stridesRef()[a], ps, out.stridesRef()));
            pos += ps[a];
        }
        return out.recordOp("concat", g -> {
            Tensor[] grads = new Tensor[parts.length];
            for (int i = 0; i < parts.length; i++) {
                if (parts[i].requiresGrad) grads[i] = g.narrow(a, starts[i], parts[i].shapeRef()[a]);
            }
            return grads;
        }, parts);
    }

    /** Stacks equal-shaped tensors along a new axis. */
    static Tensor stack(int axis, Tensor... parts) {
        Tensor[] expanded = new Tensor[parts.length];
        for (int i = 0; i < parts.length; i++) expanded[i] = parts[i].unsqueeze(axis);
        return concat(axis, expanded);
    }
}
