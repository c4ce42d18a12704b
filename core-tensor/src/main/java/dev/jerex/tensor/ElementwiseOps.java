package dev.jerex.tensor;

import dev.jerex.tensor.backend.BinaryOp;
import dev.jerex.tensor.backend.UnaryOp;

/**
 * Element-wise operations, each with its backward beside it.
 *
 * <p>Binary ops broadcast NumPy-style: each operand is read through strides with 0 on the
 * broadcast axes, so nothing is materialised. The adjoint of broadcasting is a sum over the
 * broadcast axes: every gradient below goes through {@link Tensor#sumTo} back to its input's shape.
 */
final class ElementwiseOps {
    private ElementwiseOps() {}

    static void sameBackend(String op, Tensor a, Tensor b) {
        if (a.backend() != b.backend()) {
            throw new IllegalArgumentException(op + ": operands live on different backends/devices: "
                    + a.backend().name() + " (" + a.backend().device() + ") and " + b.backend().name() + " (" + b.backend().device() + ")");
        }
    }

    /** Strides that read {@code t} as if it had shape {@code out} (0 on broadcast axes). */
    static int[] broadcastStrides(Tensor t, int[] out) {
        int[] shape = t.shapeRef(), strides = t.stridesRef();
        int[] s = new int[out.length];
        int lead = out.length - shape.length;
        for (int i = 0; i < out.length; i++) {
            s[i] = i < lead || shape[i - lead] == 1 ? 0 : strides[i - lead];
        }
        return s;
    }

    /** out = f(a, b) with broadcasting, no graph. */
    static Tensor binaryForward(String name, BinaryOp op, float p, Tensor a, Tensor b) {
        sameBackend(name, a, b);
        int[] shape = Shape.broadcast(name, a.shapeRef(), b.shapeRef());
        Tensor out = Tensor.empty(a.backend(), shape);
        a.backend().binary(op, p, shape, a.storage(), a.offset(), broadcastStrides(a, shape),
                b.storage(), b.offset(), broadcastStrides(b, shape), out.storage(), 0);
        return out;
    }

    /** y = f(x) element-wise, no graph. */
    static Tensor unaryForward(UnaryOp op, float p, Tensor x) {
        Tensor xc = x.isContiguous() ? x : ShapeOps.contiguous(x);
        Tensor y = Tensor.empty(x.backend(), x.shapeRef());
        x.backend().unary(op, p, xc.storage(), xc.offset(), y.storage(), 0, y.numel());
        return y;
    }

    /** gx = g * f'(x), using the saved output y where the derivative is cheaper from it. */
    static Tensor unaryBackward(UnaryOp op, float p, Tensor x, Tensor y, Tensor g) {
        Tensor xc = ShapeOps.contiguous(x), gc = ShapeOps.contiguous(g);
        Tensor gx = Tensor.empty(x.backend(), x.shapeRef());
        x.backend().unaryBackward(op, p, xc.storage(), xc.offset(), y == null ? null : y.storage(), y == null ? 0 : y.offset(),
                gc.storage(), gc.offset(), gx.storage(), 0, gx.numel());
        return gx;
    }

    /** A differentiable unary op: y = f(x); dx = g * f'(x). */
    private static Tensor unary(String name, UnaryOp op, float p, Tensor x) {
        Tensor y = unaryForward(op, p, x);
        return y.recordOp(name, g -> new Tensor[] {unaryBackward(op, p, x, y, g)}, x);
    }

    // ---- binary ---------------------------------------------------------------------------------

    /** a + b;  da = g, db = g. */
    static Tensor add(Tensor a, Tensor b) {
        Tensor out = binaryForward("add", BinaryOp.ADD, 0f, a, b);
        return out.recordOp("add", g -> new Tensor[] {g.sumTo(a.shapeRef()), g.sumTo(b.shapeRef())}, a, b);
    }

    /** a - b;  da = g, db = -g. */
    static Tensor sub(Tensor a, Tensor b) {
        Tensor out = binaryForward("sub", BinaryOp.SUB, 0f, a, b);
        return out.recordOp("sub", g -> new Tensor[] {g.sumTo(a.shapeRef()), b.requiresGrad ? g.neg().sumTo(b.shapeRef()) : null}, a, b);
    }

    /** a * b;  da = g b, db = g a. */
    static Tensor mul(Tensor a, Tensor b) {
        Tensor out = binaryForward("mul", BinaryOp.MUL, 0f, a, b);
        return out.recordOp("mul", g -> new Tensor[] {
            a.requiresGrad ? g.mul(b).sumTo(a.shapeRef()) : null,
            b.requiresGrad ? g.mul(a).sumTo(b.shapeRef()) : null}, a, b);
    }

    /** a / b;  da = g / b, db = -g a / b^2 = -g out / b. */
    static Tensor div(Tensor a, Tensor b) {
        Tensor out = binaryForward("div", BinaryOp.DIV, 0f, a, b);
        return out.recordOp("div", g -> new Tensor[] {
            a.requiresGrad ? g.div(b).sumTo(a.shapeRef()) : null,
            b.requiresGrad ? g.mul(out).div(b).neg().sumTo(b.shapeRef()) : null}, a, b);
    }

    /** max(a, b);  the gradient goes to a where a >= b, else to b. */
    static Tensor maximum(Tensor a, Tensor b) {
        Tensor out = binaryForward("maximum", BinaryOp.MAX, 0f, a, b);
        return out.recordOp("maximum", g -> {
            Tensor bWins = binaryForward("maximum", BinaryOp.GT, 0f, b, a);   // 1 where b > a
            return new Tensor[] {
                a.requiresGrad ? g.maskedFill(bWins, 0f).sumTo(a.shapeRef()) : null,
                b.requiresGrad ? g.mul(bWins).sumTo(b.shapeRef()) : null};
        }, a, b);
    }

    /** Comparison (EQ, GT) giving 0/1; not differentiable. */
    static Tensor compare(Tensor a, Tensor b, BinaryOp op) {
        return binaryForward(op.name().toLowerCase(), op, 0f, a, b);
    }

    // ---- unary --------------------------------------------------------------------------------------

    static Tensor addScalar(Tensor x, float c) { return unary("add_scalar", UnaryOp.ADD_SCALAR, c, x); }
    static Tensor mulScalar(Tensor x, float c) { return unary("mul_scalar", UnaryOp.MUL_SCALAR, c, x); }
    static Tensor neg(Tensor x) { return unary("neg", UnaryOp.NEG, 0f, x); }
    static Tensor exp(Tensor x) { return unary("exp", UnaryOp.EXP, 0f, x); }
    static Tensor log(Tensor x) { return unary("log", UnaryOp.LOG, 0f, x); }
    static Tensor sqrt(Tensor x) { return unary("sqrt", UnaryOp.SQRT, 0f, x); }
    static Tensor pow(Tensor x, float p) { return unary("pow", UnaryOp.POW, p, x); }
    static Tensor abs(Tensor x) { return unary("abs", UnaryOp.ABS, 0f, x); }
    static Tensor tanh(Tensor x) { return unary("tanh", UnaryOp.TANH, 0f, x); }
    static Tensor sigmoid(Tensor x) { return unary("sigmoid", UnaryOp.SIGMOID, 0f, x); }
    static Tensor relu(Tensor x) { return unary("relu", UnaryOp.RELU, 0f, x); }
    static Tensor gelu(Tensor x) { return unary("gelu", UnaryOp.GELU, 0f, x); }
    static Tensor softplus(Tensor x) { return unary("softplus", UnaryOp.SOFTPLUS, 0f, x); }
}
