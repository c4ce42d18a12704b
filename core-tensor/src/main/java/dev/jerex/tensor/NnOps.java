package dev.jerex.tensor;

/**
 * Neural-network functions with fused kernels (softmax, layer norm) and the numerically stable
 * losses. Each fused op has its own hand-written backward and its own gradient check.
 */
public final class NnOps {
    private NnOps() {}

    /**
     * Softmax or log-softmax along an axis (max-subtracted, so large logits do not overflow).
     * Backward: softmax gx = y (g - sum(g y)); log-softmax gx = g - exp(y) sum(g).
     */
    static Tensor softmax(Tensor x, int axis, boolean log) {
        int a = Shape.axis(log ? "logSoftmax" : "softmax", axis, x.dim());
        if (a != x.dim() - 1) {
            // Move the axis last, apply, move it back.
            return softmax(x.transpose(a, -1), -1, log).transpose(a, -1);
        }
        Tensor xc = ShapeOps.contiguous(x);
        int cols = x.shapeRef()[a], rows = cols == 0 ? 0 : x.numel() / cols;
        Tensor y = Tensor.empty(x.backend(), x.shapeRef());
        x.backend().softmax(log, xc.storage(), xc.offset(), y.storage(), 0, rows, cols);
        return y.recordOp(log ? "log_softmax" : "softmax", g -> {
            Tensor gc = ShapeOps.contiguous(g);
            Tensor gx = Tensor.empty(x.backend(), x.shapeRef());
            x.backend().softmaxBackward(log, y.storage(), 0, gc.storage(), gc.offset(), gx.storage(), 0, rows, cols);
            return new Tensor[] {gx};
        }, xc);
    }

    /**
     * Layer normalisation over the last axis: y = (x - mean) / sqrt(var + eps) * gamma + beta,
     * with the biased variance (as PyTorch and BERT). Fused forward and backward kernels.
     */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        int cols = x.size(-1);
        if (gamma.numel() != cols || beta.numel() != cols) {
            throw new IllegalArgumentException("layerNorm: gamma " + Shape.str(gamma.shapeRef()) + " / beta " + Shape.str(beta.shapeRef())
                    + " do not match the last axis of " + Shape.str(x.shapeRef()));
        }
        ElementwiseOps.sameBackend("layerNorm", x, gamma);
        Tensor xc = ShapeOps.contiguous(x), gc = ShapeOps.contiguous(gamma), bc = ShapeOps.contiguous(beta);
        int rows = cols == 0 ? 0 : x.numel() / cols;
        Tensor y = Tensor.empty(x.backend(), x.shapeRef());
        Tensor mean = Tensor.empty(x.backend(), rows), rstd = Tensor.empty(x.backend(), rows);
        x.backend().layerNorm(xc.storage(), xc.offset(), gc.storage(), gc.offset(), bc.storage(), bc.offset(),
                y.storage(), 0, mean.storage(), rstd.storage(), rows, cols, eps);
        return y.recordOp("layer_norm", g -> {
            Tensor gyc = ShapeOps.contiguous(g);
            Tensor gx = Tensor.empty(x.backend(), x.shapeRef());
            Tensor gGamma = Tensor.zeros(x.backend(), cols), gBeta = Tensor.zeros(x.backend(), cols);
            x.backend().layerNormBackward(xc.storage(), xc.offset(), gc.storage(), gc.offset(), mean.storage(), rstd.storage(),
                    gyc.storage(), gyc.offset(), gx.storage(), 0, gGamma.storage(), gBeta.storage(), rows, cols);
            return new Tensor[] {gx, gGamma.reshape(gamma.shapeRef()), gBeta.reshape(beta.shapeRef())};
        }, xc, gc, bc);
    }

    /**
     * Inverted dropout: in training, zero each element with probability p and scale the rest by
     * 1 / (1 - p), so inference needs no rescaling. The mask comes from {@code rng} (seeded).
     */
    static Tensor dropout(Tensor x, float p, Rng rng, boolean training) {
        if (p < 0 || p >= 1) throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
        if (!training || p == 0f) return x;
        float[] mask = new float[x.numel()];
        float keep = 1f / (1f - p);
        for (int i = 0; i < mask.length; i++) mask[i] = rng.bernoulli(p) ? 0f : keep;
        return x.mul(Tensor.of(x.backend(), mask, x.shapeRef()));
    }

    /**
     * Mean cross-entropy of logits [N, C] against class indices, skipping targets equal to
     * {@code ignoreIndex}: loss = -(1/|kept|) sum over kept rows of log_softmax(logits)[r, t_r].
     * Stable (log-softmax is max-subtracted). Returns 0 when every target is ignored.
     */
    public static Tensor crossEntropy(Tensor logits, int[] targets, int ignoreIndex) {
        if (logits.dim() != 2 || logits.size(0) != targets.length) {
            throw new IllegalArgumentException("crossEntropy: logits " + Shape.str(logits.shapeRef()) + " and " + targets.length + " targets");
        }
        int kept = 0;
        int[] safe = new int[targets.length];
        float[] weight = new float[targets.length];
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] == ignoreIndex) continue;
            safe[i] = targets[i];
            weight[i] = 1f;
            kept++;
        }
        if (kept == 0) return logits.sum().mul(0f);   // zero, still connected to the graph
        Tensor picked = logits.logSoftmax(-1).gatherRows(safe);
        return picked.mul(Tensor.of(logits.backend(), weight, targets.length)).sum().mul(-1f / kept);
    }

    /**
     * Mean binary cross-entropy with logits, stable for any |x|:
     * l = softplus(x) - x y = max(x, 0) - x y + ln(1 + e^-|x|);  dl/dx = sigmoid(x) - y.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor targets) {
        if (!java.util.Arrays.equals(logits.shapeRef(), targets.shapeRef())) {
            throw new IllegalArgumentException("binaryCrossEntropyWithLogits: logits " + Shape.str(logits.shapeRef())
                    + " and targets " + Shape.str(targets.shapeRef()) + " differ");
        }
        return logits.softplus().sub(logits.mul(targets)).mean();
    }
}
