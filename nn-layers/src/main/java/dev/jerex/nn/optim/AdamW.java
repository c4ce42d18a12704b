package dev.jerex.nn.optim;

import dev.jerex.nn.Module;
import dev.jerex.tensor.Gradients;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.TensorScope;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter 2019), one fused kernel per parameter.
 *
 * <pre>
 * m = b1 m + (1 - b1) g,   v = b2 v + (1 - b2) g^2              (t = 1, 2, ...)
 * TRANSFORMERS (SpERT's optimizer, the old transformers.AdamW):
 *   p -= lr * c * m / (sqrt(v) + eps),  c = sqrt(1 - b2^t) / (1 - b1^t) or 1 without bias correction
 *   p -= lr * wd * p                                              (decay after the update)
 * TORCH (torch.optim.AdamW):
 *   p -= lr * wd * p                                              (decay before the update)
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 * Parameter groups carry their own weight decay (none for biases and LayerNorm weights, see
 * {@link #decayGroups}). Moments live outside any {@link TensorScope}: they persist across steps.
 */
public final class AdamW {
    public enum Style { TRANSFORMERS, TORCH }

    /** Parameters sharing one weight decay. */
    public record Group(List<Tensor> params, float weightDecay) {}

    private final List<Group> groups;
    private final float beta1, beta2, eps;
    private final boolean correctBias;
    private final Style style;
    private final Map<Tensor, Tensor[]> moments = new IdentityHashMap<>();
    private int t;

    public AdamW(List<Group> groups, float beta1, float beta2, float eps, boolean correctBias, Style style) {
        this.groups = List.copyOf(groups);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.correctBias = correctBias;
        this.style = style;
    }

    /** SpERT's optimiser: transformers' AdamW, betas (0.9, 0.999), eps 1e-6, no bias correction. */
    public static AdamW spert(Module model, float weightDecay) {
        return new AdamW(decayGroups(model, weightDecay), 0.9f, 0.999f, 1e-6f, false, Style.TRANSFORMERS);
    }

    /**
     * Two groups, as in SpERT and BERT fine-tuning: weight decay for every parameter except
     * biases and LayerNorm weights (names ending in "bias", or containing "LayerNorm" / "norm").
     */
    public static List<Group> decayGroups(Module model, float weightDecay) {
        List<Tensor> decay = new ArrayList<>(), noDecay = new ArrayList<>();
        model.namedParameters().forEach((name, p) -> {
            String lower = name.toLowerCase();
            boolean exempt = name.endsWith("bias") || lower.contains("layernorm") || lower.contains("norm.");
            (exempt ? noDecay : decay).add(p);
        });
        return List.of(new Group(decay, weightDecay), new Group(noDecay, 0f));
    }

    /** Steps taken so far. */
    public int steps() {
        return t;
    }

    /** One update with learning rate {@code lr}; parameters without a gradient are skipped. */
    public void step(Gradients grads, double lr) {
        step(grads, lr, 1.0);
    }

    /**
     * One update with the gradients scaled by {@code gradScale} as they are read, e.g. the factor of
     * gradient clipping ({@link Gradients#clipFactor}): the same update as clipping first, without
     * a pass over the gradients of its own. The gradients themselves are left as they are.
     */
    public void step(Gradients grads, double lr, double gradScale) {
        t++;
        double bc1 = correctBias ? 1 - Math.pow(beta1, t) : 1, bc2 = correctBias ? 1 - Math.pow(beta2, t) : 1;
        float stepSize, denomScale;
        if (style == Style.TRANSFORMERS) {
            stepSize = (float) (lr * Math.sqrt(bc2) / bc1);
            denomScale = 1f;
        } else {
            stepSize = (float) (lr / bc1);
            denomScale = (float) (1 / Math.sqrt(bc2));
        }
        for (Group group : groups) {
            float decay = (float) (lr * group.weightDecay());
            for (Tensor p : group.params()) {
                Tensor g = grads.get(p);
                if (g == null) continue;
                Tensor gc = g.contiguous();
                Tensor[] mv = moments.computeIfAbsent(p, k -> {
                    try (TensorScope persistent = TensorScope.persistent()) {
                        return new Tensor[] {Tensor.zeros(k.backend(), k.shape()), Tensor.zeros(k.backend(), k.shape())};
                    }
                });
                p.backend().adamw(p.storage(), p.offset(), gc.storage(), gc.offset(), (float) gradScale, mv[0].storage(), mv[1].storage(), p.numel(),
                        beta1, beta2, eps, stepSize, denomScale, decay, style == Style.TORCH);
            }
        }
    }
}
