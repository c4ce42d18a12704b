package dev.jerex.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jerex.nn.optim.AdamW;
import dev.jerex.nn.optim.LinearWarmupSchedule;
import dev.jerex.tensor.Gradients;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Five AdamW steps with warm-up/decay schedule and gradient clipping against PyTorch: the
 * learning rates, the gradient norms before clipping, the losses and the parameters after every
 * step, for SpERT's optimiser (no bias correction) and torch.optim.AdamW.
 */
class OptimizerFixtureTest {

    /** y = b(tanh(a(x))) with a: Linear(4, 3), b: Linear(3, 2). */
    static final class Tiny extends Module {
        final Linear a, b;

        Tiny(Backend backend) {
            super(backend);
            a = child("a", new Linear(backend, 4, 3));
            b = child("b", new Linear(backend, 3, 2));
        }
    }

    @ParameterizedTest @MethodSource("dev.jerex.tensor.TestBackends#all")
    void spertAdamW(Backend backend) {
        run("adamw_nobiascorr", backend, false, AdamW.Style.TRANSFORMERS, false);
    }

    @ParameterizedTest @MethodSource("dev.jerex.tensor.TestBackends#all")
    void torchAdamW(Backend backend) {
        run("adamw_biascorr", backend, true, AdamW.Style.TORCH, false);
    }

    /** Clipping folded into the update (AdamW.step(grads, lr, clipFactor)), as the Trainer does it. */
    @ParameterizedTest @MethodSource("dev.jerex.tensor.TestBackends#all")
    void clippingFoldedIntoTheUpdate(Backend backend) {
        run("adamw_nobiascorr", backend, false, AdamW.Style.TRANSFORMERS, true);
        run("adamw_biascorr", backend, true, AdamW.Style.TORCH, true);
    }

    private void run(String name, Backend backend, boolean correctBias, AdamW.Style style, boolean foldClipping) {
        Fixture f = Fixture.load(name, backend);
        Tiny model = new Tiny(backend);
        f.loadParameters(model);
        Tensor x = f.tensor("in.x"), target = f.tensor("in.target");
        AdamW opt = new AdamW(AdamW.decayGroups(model, 0.01f), 0.9f, 0.999f, 1e-6f, correctBias, style);
        assertThat(AdamW.decayGroups(model, 0.01f).get(0).params()).containsExactly(model.a.weight, model.b.weight);
        LinearWarmupSchedule schedule = new LinearWarmupSchedule(1e-2, 2, 6);
        float[] lrs = f.tensor("out.lr").toArray(), norms = f.tensor("out.grad_norm").toArray(), losses = f.tensor("out.loss").toArray();
        for (int step = 0; step < 5; step++) {
            double lr = schedule.lr(step);
            assertThat(lr).isCloseTo(lrs[step], within(1e-9));
            Tensor diff = model.b.forward(model.a.forward(x).tanh()).sub(target);
            Tensor loss = diff.mul(diff).mean();
            assertThat(loss.item()).isCloseTo(losses[step], within(1e-6f));
            Gradients g = loss.backward();
            double norm = foldClipping ? g.globalNorm() : g.clipGlobalNorm(0.5);
            assertThat(norm).isCloseTo(norms[step], within(1e-6));
            if (foldClipping) opt.step(g, lr, Gradients.clipFactor(norm, 0.5));
            else opt.step(g, lr);
            for (var e : model.namedParameters().entrySet()) {
                f.check("out.step" + (step + 1) + "." + e.getKey(), e.getValue());
            }
        }
        assertThat(List.of(opt.steps())).containsExactly(5);
    }
}
