package dev.jerex.tensor;

import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.BinaryOp;
import java.util.Arrays;

/**
 * An n-dimensional float32 array on a backend, and a node of the autograd graph.
 *
 * <p>A tensor is a view: a {@link Storage}, an offset, a shape and strides (row-major when
 * contiguous). {@link #reshape}, {@link #transpose}, {@link #permute}, {@link #narrow} and
 * {@link #expand} return views that share the storage; {@link #contiguous()} makes a compact copy
 * when one is needed. Tensors are immutable: every operation returns a new tensor.
 *
 * <p>Autograd (reverse mode, define-by-run): an operation on tensors that require gradients
 * records its inputs and a backward function on its output. {@link #backward()} walks that graph
 * in reverse topological order and returns the {@link Gradients} of the leaves. The operations
 * themselves, each with its forward and backward side by side, live in {@link ElementwiseOps},
 * {@link ReduceOps}, {@link MatmulOps}, {@link ShapeOps}, {@link IndexOps} and {@link NnOps};
 * the methods here are their entry points.
 */
public final class Tensor {
    private final Backend backend;
    private final Storage storage;
    private final int offset;
    private final int[] shape;
    private final int[] strides;

    // ---- autograd node ----
    boolean requiresGrad;
    Tensor[] parents;              // inputs of the op that produced this tensor (null for leaves)
    BackwardFunction backwardFn;   // gradient of the op w.r.t. each parent, given this tensor's gradient
    String op;                     // the op's name, for error messages and graph printing
    String section;                // the Profiler section the op ran in (for backward timing)
    /**
     * For a slicing view (narrow, select): maps a gradient of the parent's shape to the view of it
     * where this tensor's gradient belongs, so that autograd adds into that window in place
     * instead of building a parent-sized tensor per slice (T slices of [B, T, C] would otherwise
     * cost T full-size zero-fills and additions).
     */
    java.util.function.UnaryOperator<Tensor> windowInParent;

    /** Given the gradient of the loss w.r.t. an op's output, the gradients w.r.t. its inputs. */
    @FunctionalInterface
    public interface BackwardFunction {
        /** One entry per parent, null where a parent gets no gradient. */
        Tensor[] apply(Tensor outputGrad);
    }

    Tensor(Backend backend, Storage storage, int offset, int[] shape, int[] strides) {
        this.backend = backend;
        this.storage = storage;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
    }

    /** A new contiguous tensor over fresh, uninitialised storage. */
    static Tensor empty(Backend backend, int... shape) {
        int[] s = shape.clone();
        return new Tensor(backend, backend.allocate(Shape.numel(s)), 0, s, Shape.contiguousStrides(s));
    }

    /** A view of the same storage with other offset, shape and strides. */
    Tensor view(int offset, int[] shape, int[] strides) {
        return new Tensor(backend, storage, offset, shape, strides);
    }

    // ---- creation ---------------------------------------------------------------------------

    public static Tensor of(Backend backend, float[] values, int... shape) {
        if (Shape.numel(shape) != values.length) {
            throw new IllegalArgumentException("Tensor.of: " + values.length + " values do not fill shape " + Shape.str(shape));
        }
        int[] s = shape.clone();
        return new Tensor(backend, backend.upload(values), 0, s, Shape.contiguousStrides(s));
    }

    public static Tensor scalar(Backend backend, float value) {
        return of(backend, new float[] {value});
    }

    public static Tensor full(Backend backend, float value, int... shape) {
        Tensor t = empty(backend, shape);
        backend.fill(t.storage, 0, t.numel(), value);
        return t;
    }

    public static Tensor zeros(Backend backend, int... shape) {
        return full(backend, 0f, shape);
    }

    public static Tensor ones(Backend backend, int... shape) {
        return full(backend, 1f, shape);
    }

    /** Uniform in [low, high), drawn from {@code rng} in row-major order. */
    public static Tensor rand(Backend backend, Rng rng, float low, float high, int... shape) {
        return of(backend, rng.uniform(Shape.numel(shape), low, high), shape);
    }

    /** Normal(mean, std), drawn from {@code rng} in row-major order. */
    public static Tensor randn(Backend backend, Rng rng, float mean, float std, int... shape) {
        return of(backend, rng.normal(Shape.numel(shape), mean, std), shape);
    }

    /** 1 with probability p, else 0. */
    public static Tensor bernoulli(Backend backend, Rng rng, double p, int... shape) {
        float[] v = new float[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = rng.bernoulli(p) ? 1f : 0f;
        return of(backend, v, shape);
    }

    /** 0, 1, ..., n-1. */
    public static Tensor arange(Backend backend, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i;
        return of(backend, v, n);
    }

    // ---- properties --------------------------------------------------------------------------

    public Backend backend() {
        return backend;
    }

    public Storage storage() {
        return storage;
    }

    public int offset() {
        return offset;
    }

    public int[] shape() {
        return shape.clone();
    }

    int[] shapeRef() {
        return shape;
    }

    public int[] strides() {
        return strides.clone();
    }

    int[] stridesRef() {
        return strides;
    }

    public int dim() {
        return shape.length;
    }

    /** Size of a dimension; negative counts from the end. */
    public int size(int axis) {
        return shape[Shape.axis("size", axis, shape.length)];
    }

    public int numel() {
        return Shape.numel(shape);
    }

    public boolean isContiguous() {
        return Shape.isContiguous(shape, strides);
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor (a parameter or an input) as needing its gradient. */
    public Tensor requiresGrad(boolean value) {
        if (parents != null) throw new IllegalStateException("requiresGrad can only be set on leaf tensors, not on the output of " + op);
        this.requiresGrad = value;
        return this;
    }

    public boolean isLeaf() {
        return parents == null;
    }

    /** The same data, cut from the graph (no gradient flows through it). */
    public Tensor detach() {
        return view(offset, shape, strides);
    }

    /** Name of the op that produced this tensor, or null for a leaf. */
    public String op() {
        return op;
    }

    // ---- reading values -----------------------------------------------------------------------

    /** All values in row-major order. */
    public float[] toArray() {
        Tensor c = contiguousNoGrad();
        float[] out = new float[c.numel()];
        backend.download(c.storage, c.offset, out, 0, out.length);
        return out;
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (numel() != 1) throw new IllegalStateException("item() needs a one-element tensor, got shape " + Shape.str(shape));
        float[] v = new float[1];
        backend.download(storage, offset, v, 0, 1);
        return v[0];
    }

    /** The element at the given indices. */
    public float get(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("get: " + index.length + " indices for a tensor of rank " + shape.length);
        }
        int pos = offset;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("get: index " + Arrays.toString(index) + " out of bounds for shape " + Shape.str(shape));
            }
            pos += index[i] * strides[i];
        }
        float[] v = new float[1];
        backend.download(storage, pos, v, 0, 1);
        return v[0];
    }

    private Tensor contiguousNoGrad() {
        if (isContiguous()) return this;
        Tensor out = empty(backend, shape);
        backend.copy(shape, storage, offset, strides, out.storage, 0, out.strides);
        return out;
    }

    /**
     * Overwrites this tensor's elements with {@code src}'s, in place and outside the graph: for
     * loading weights and for optimisers updating parameters. Only leaves may be written.
     */
    public void assign(Tensor src) {
        if (!isLeaf()) throw new IllegalStateException("assign: only leaf tensors can be written in place, not the output of " + op);
        if (!Arrays.equals(shape, src.shape)) {
            throw new IllegalArgumentException("assign: source shape " + Shape.str(src.shape) + " does not match " + Shape.str(shape));
        }
        Tensor s = src.backend == backend ? src : src.to(backend);
        backend.copy(shape, s.storage, s.offset, s.strides, storage, offset, strides);
    }

    /** Overwrites this tensor's elements with host values (row-major), in place. */
    public void assign(float[] values) {
        assign(of(backend, values, shape));
    }

    /** This tensor's values on another backend (a copy; no gradient flows across). */
    public Tensor to(Backend target) {
        if (target == backend) return this;
        return of(target, toArray(), shape);
    }

    // ---- autograd -------------------------------------------------------------------------------

    /**
     * Records the op that produced {@code this} from {@code inputs}, when grad mode is on and any
     * input requires a gradient. Called by every differentiable op right after its forward.
     */
    Tensor recordOp(String name, BackwardFunction fn, Tensor... inputs) {
        if (!GradMode.isEnabled()) return this;
        boolean any = false;
        for (Tensor t : inputs) any |= t != null && t.requiresGrad;
        if (!any) return this;
        this.requiresGrad = true;
        this.op = name;
        this.section = Profiler.current();
        this.parents = inputs;
        this.backwardFn = fn;
        return this;
    }

    /** Backpropagates from this scalar (d this / d this = 1) and frees the graph. */
    public Gradients backward() {
        return Autograd.backward(this, null, false);
    }

    /** Backpropagates a given upstream gradient of this tensor's shape. */
    public Gradients backward(Tensor upstream, boolean retainGraph) {
        return Autograd.backward(this, upstream, retainGraph);
    }

    // ---- element-wise (ElementwiseOps) ----------------------------------------------------------

    public Tensor add(Tensor o) { return ElementwiseOps.add(this, o); }
    public Tensor sub(Tensor o) { return ElementwiseOps.sub(this, o); }
    public Tensor mul(Tensor o) { return ElementwiseOps.mul(this, o); }
    public Tensor div(Tensor o) { return ElementwiseOps.div(this, o); }
    public Tensor maximum(Tensor o) { return ElementwiseOps.maximum(this, o); }
    public Tensor add(float c) { return ElementwiseOps.addScalar(this, c); }
    public Tensor mul(float c) { return ElementwiseOps.mulScalar(this, c); }
    public Tensor neg() { return ElementwiseOps.neg(this); }
    public Tensor exp() { return ElementwiseOps.exp(this); }
    public Tensor log() { return ElementwiseOps.log(this); }
    public Tensor sqrt() { return ElementwiseOps.sqrt(this); }
    public Tensor pow(float p) { return ElementwiseOps.pow(this, p); }
    public Tensor abs() { return ElementwiseOps.abs(this); }
    public Tensor tanh() { return ElementwiseOps.tanh(this); }
    public Tensor sigmoid() { return ElementwiseOps.sigmoid(this); }
    public Tensor relu() { return ElementwiseOps.relu(this); }
    public Tensor gelu() { return ElementwiseOps.gelu(this); }
    public Tensor softplus() { return ElementwiseOps.softplus(this); }
    /** 1 where this == o, else 0 (no gradient). */
    public Tensor eq(Tensor o) { return ElementwiseOps.compare(this, o, BinaryOp.EQ); }
    /** 1 where this > o, else 0 (no gradient). */
    public Tensor gt(Tensor o) { return ElementwiseOps.compare(this, o, BinaryOp.GT); }

    // ---- reductions (ReduceOps) -------------------------------------------------------------------

    /** Sum of all elements, as a scalar tensor. */
    public Tensor sum() { return ReduceOps.sum(this, allAxes(), false); }
    public Tensor sum(int axis, boolean keepDim) { return ReduceOps.sum(this, new int[] {axis}, keepDim); }
    public Tensor sum(int[] axes, boolean keepDim) { return ReduceOps.sum(this, axes, keepDim); }
    public Tensor mean() { return ReduceOps.mean(this, allAxes(), false); }
    public Tensor mean(int axis, boolean keepDim) { return ReduceOps.mean(this, new int[] {axis}, keepDim); }
    public Tensor max(int axis, boolean keepDim) { return ReduceOps.max(this, axis, keepDim); }
    /** Sums broadcast dimensions away so the result has {@code target} shape (broadcast's adjoint). */
    public Tensor sumTo(int... target) { return ReduceOps.sumTo(this, target); }

    private int[] allAxes() {
        int[] a = new int[shape.length];
        for (int i = 0; i < a.length; i++) a[i] = i;
        return a;
    }

    // ---- matrix products (MatmulOps) ----------------------------------------------------------------

    /** Matrix product over the last two axes; batch axes must match, or {@code o} is 2-D. */
    public Tensor matmul(Tensor o) { return MatmulOps.matmul(this, o); }

    // ---- shape (ShapeOps) ---------------------------------------------------------------------------

    /** Same elements, new shape (one entry may be -1); a view when the layout allows. */
    public Tensor reshape(int... newShape) { return ShapeOps.reshape(this, newShape); }
    public Tensor permute(int... order) { return ShapeOps.permute(this, order); }
    public Tensor transpose(int a, int b) { return ShapeOps.transpose(this, a, b); }
    /** Transpose of the last two axes. */
    public Tensor t() { return ShapeOps.transpose(this, -2, -1); }
    public Tensor expand(int... newShape) { return ShapeOps.expand(this, newShape); }
    public Tensor unsqueeze(int axis) { return ShapeOps.unsqueeze(this, axis); }
    public Tensor squeeze(int axis) { return ShapeOps.squeeze(this, axis); }
    /** Elements start..start+length-1 along an axis (a view). */
    public Tensor narrow(int axis, int start, int length) { return ShapeOps.narrow(this, axis, start, length); }
    /** The slice at {@code index} along an axis, without that axis (a view). */
    public Tensor select(int axis, int index) { return ShapeOps.select(this, axis, index); }
    public Tensor contiguous() { return ShapeOps.contiguous(this); }
    public static Tensor concat(int axis, Tensor... parts) { return ShapeOps.concat(axis, parts); }
    public static Tensor stack(int axis, Tensor... parts) { return ShapeOps.stack(axis, parts); }

    // ---- indexing (IndexOps) --------------------------------------------------------------------------

    /** Rows {@code index} of the first axis: out[i, ...] = this[index[i], ...]. */
    public Tensor indexSelect(int[] index) { return IndexOps.indexSelect(this, index); }
    /** One element per row of a [rows, cols] tensor: out[r] = this[r, index[r]]. */
    public Tensor gatherRows(int[] index) { return IndexOps.gatherColumn(this, index); }
    /** out[index[i], ...] += this[i, ...] into a zero tensor with {@code rows} rows. */
    public Tensor scatterAdd(int[] index, int rows) { return IndexOps.scatterAdd(this, index, rows); }
    /**
     * Max over row ranges of a [rows, cols] tensor: out[r, :] = max of this[t, :] for
     * start[r] <= t < end[r], and 0 for an empty range (span max-pooling, many spans at once).
     */
    public Tensor rangeMax(int[] start, int[] end) { return IndexOps.rangeMax(this, start, end); }
    /** Value where mask (broadcast) is non-zero, else this. */
    public Tensor maskedFill(Tensor mask, float value) { return IndexOps.maskedFill(this, mask, value); }
    public static Tensor where(Tensor condition, Tensor ifTrue, Tensor ifFalse) { return IndexOps.where(condition, ifTrue, ifFalse); }

    // ---- neural-network functions (NnOps) ---------------------------------------------------------------

    public Tensor softmax(int axis) { return NnOps.softmax(this, axis, false); }
    public Tensor logSoftmax(int axis) { return NnOps.softmax(this, axis, true); }
    public Tensor dropout(float p, Rng rng, boolean training) { return NnOps.dropout(this, p, rng, training); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(Shape.str(shape)).append(" on ").append(backend.name());
        if (op != null) sb.append(", grad_fn=").append(op);
        else if (requiresGrad) sb.append(", requires_grad");
        if (storage.isReleased()) return sb.append(" (released)").toString();
        float[] v = toArray();
        sb.append(" [");
        for (int i = 0; i < Math.min(v.length, 8); i++) sb.append(i > 0 ? ", " : "").append(v[i]);
        return sb.append(v.length > 8 ? ", ...]" : "]").toString();
    }
}
