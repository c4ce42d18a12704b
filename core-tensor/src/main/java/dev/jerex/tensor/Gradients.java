package dev.jerex.tensor;

import dev.jerex.tensor.backend.Backend;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The result of {@link Tensor#backward()}: d loss / d leaf for every leaf tensor that requires
 * a gradient and was reached. Returned as a value (no gradient is stored on the tensors).
 */
public final class Gradients {
    private final Map<Tensor, Tensor> byLeaf;

    Gradients(Map<Tensor, Tensor> byLeaf) {
        this.byLeaf = byLeaf;
    }

    /** The gradient of {@code leaf}, shaped like it, or null when the loss does not depend on it. */
    public Tensor get(Tensor leaf) {
        return byLeaf.get(leaf);
    }

    public int size() {
        return byLeaf.size();
    }

    public void forEach(BiConsumer<Tensor, Tensor> leafAndGradient) {
        byLeaf.forEach(leafAndGradient);
    }

    public Map<Tensor, Tensor> asMap() {
        return Collections.unmodifiableMap(byLeaf);
    }

    /** Euclidean norm of all gradients together, sqrt(sum of squares), accumulated in double. */
    public double globalNorm() {
        if (byLeaf.isEmpty()) return 0;
        int n = byLeaf.size(), i = 0;
        Storage[] parts = new Storage[n];
        int[] offsets = new int[n], counts = new int[n];
        Backend backend = null;
        for (Tensor g : byLeaf.values()) {
            Tensor c = g.isContiguous() ? g : g.detach().contiguous();
            if (backend == null) backend = c.backend();
            parts[i] = c.storage();
            offsets[i] = c.offset();
            counts[i++] = c.numel();
        }
        return Math.sqrt(backend.sumOfSquares(parts, offsets, counts));
    }

    /**
     * PyTorch's clip_grad_norm_ factor for gradients of global norm {@code norm}:
     * min(1, maxNorm / (norm + 1e-6)). An optimiser can apply it as it reads the gradients (AdamW's
     * {@code step(grads, lr, gradScale)}) instead of {@link #clipGlobalNorm}'s pass of its own.
     */
    public static double clipFactor(double norm, double maxNorm) {
        return Math.min(1.0, maxNorm / (norm + 1e-6));
    }

    /**
     * Scales all gradients by min(1, maxNorm / (norm + 1e-6)) (PyTorch's clip_grad_norm_) and
     * returns the norm before clipping. The scaling is done in place, once per storage (two
     * leaves may share one gradient tensor, e.g. an LSTM's two biases). The gradients belong to
     * this object; the one exception is backward(upstream) called on a leaf itself, whose
     * gradient is the caller's upstream tensor and is scaled with the rest.
     */
    public double clipGlobalNorm(double maxNorm) {
        double norm = globalNorm();
        double scale = clipFactor(norm, maxNorm);
        if (scale < 1.0) {
            Map<Storage, Boolean> done = new IdentityHashMap<>();
            for (Tensor g : byLeaf.values()) {
                Storage s = g.storage();
                if (done.put(s, Boolean.TRUE) == null) {
                    g.backend().unary(dev.jerex.tensor.backend.UnaryOp.MUL_SCALAR, (float) scale, s, 0, s, 0, s.size());
                }
            }
        }
        return norm;
    }
}
