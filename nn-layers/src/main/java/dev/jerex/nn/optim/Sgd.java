package dev.jerex.nn.optim;

import dev.jerex.tensor.GradMode;
import dev.jerex.tensor.Gradients;
import dev.jerex.tensor.Tensor;
import java.util.List;

/** Plain stochastic gradient descent: p -= lr * g. */
public final class Sgd {
    private final List<Tensor> params;

    public Sgd(List<Tensor> params) {
        this.params = List.copyOf(params);
    }

    public void step(Gradients grads, double lr) {
        try (GradMode off = GradMode.noGrad()) {
            for (Tensor p : params) {
                Tensor g = grads.get(p);
                if (g != null) p.assign(p.sub(g.mul((float) lr)));
            }
        }
    }
}
