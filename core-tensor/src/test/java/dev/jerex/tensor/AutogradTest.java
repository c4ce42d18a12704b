package dev.jerex.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jerex.tensor.backend.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AutogradTest {
    private final Backend b = TestBackends.java();

    @ParameterizedTest @MethodSource("dev.jerex.tensor.TestBackends#all")
    void aTensorUsedTwiceGetsTheSumOfBothGradients(Backend backend) {
        Tensor x = Tensor.of(backend, new float[] {2f, -3f}, 2).requiresGrad(true);
        // y = x * x + x  ->  dy/dx = 2x + 1
        Gradients g = x.mul(x).add(x).sum().backward();
        assertThat(g.get(x).toArray()).containsExactly(5f, -5f);
    }

    @Test
    void diamondGraphsAreVisitedInTopologicalOrder() {
        // a -> b = exp(a), c = 2b, d = b * c  ->  d = 2 exp(2a), dd/da = 4 exp(2a)
        Tensor a = Tensor.of(b, new float[] {0.3f}, 1).requiresGrad(true);
        Tensor bb = a.exp();
        Tensor c = bb.mul(2f);
        Gradients g = bb.mul(c).sum().backward();
        assertThat(g.get(a).item()).isCloseTo((float) (4 * Math.exp(0.6)), within(1e-5f));
    }

    @Test
    void deepChainsDoNotOverflowTheStack() {
        Tensor x = Tensor.of(b, new float[] {1f}, 1).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) y = y.mul(1.0f);
        assertThat(y.sum().backward().get(x).item()).isEqualTo(1f);
    }

    @Test
    void noGradScopeRecordsNothing() {
        Tensor x = Tensor.of(b, new float[] {1f}, 1).requiresGrad(true);
        Tensor y;
        try (GradMode off = GradMode.noGrad()) {
            y = x.mul(x);
        }
        assertThat(y.requiresGrad()).isFalse();
        assertThat(y.isLeaf()).isTrue();
        assertThat(GradMode.isEnabled()).isTrue();
        assertThatThrownBy(() -> y.sum().backward()).isInstanceOf(IllegalStateException.class).hasMessageContaining("does not require a gradient");
    }

    @Test
    void aSecondBackwardThroughAFreedGraphFailsClearly() {
        Tensor x = Tensor.of(b, new float[] {1f, 2f}, 2).requiresGrad(true);
        Tensor loss = x.exp().sum();
        loss.backward();
        assertThatThrownBy(loss::backward).isInstanceOf(IllegalStateException.class).hasMessageContaining("second time");
    }

    @Test
    void retainGraphAllowsASecondBackward() {
        Tensor x = Tensor.of(b, new float[] {1f, 2f}, 2).requiresGrad(true);
        Tensor loss = x.exp().sum();
        Tensor one = Tensor.scalar(b, 1f).reshape();
        float first = loss.backward(one, true).get(x).toArray()[0];
        float second = loss.backward(one, true).get(x).toArray()[0];
        assertThat(second).isEqualTo(first);
        assertThat(one.item()).isEqualTo(1f);   // the caller's upstream tensor is not released
    }

    @Test
    void intermediateGradientsAreReleasedDuringBackwardButLeafGradientsAreNot() {
        Tensor w = Tensor.rand(b, new Rng(1), -1f, 1f, 4, 4).requiresGrad(true);
        Tensor h1 = w.tanh();
        Tensor h2 = h1.mul(h1);
        Tensor loss = h2.sum();
        Gradients g = loss.backward();
        assertThat(g.get(w).storage().isReleased()).isFalse();
        assertThat(g.get(w).toArray()).hasSize(16);
        // The graph was freed: the loss no longer references its inputs.
        assertThatThrownBy(loss::backward).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void gradientsAreOnlyForLeavesThatRequireThem() {
        Tensor x = Tensor.of(b, new float[] {1f}, 1).requiresGrad(true);
        Tensor c = Tensor.of(b, new float[] {3f}, 1);
        Gradients g = x.mul(c).sum().backward();
        assertThat(g.get(c)).isNull();
        assertThat(g.get(x).item()).isEqualTo(3f);
        assertThat(g.size()).isEqualTo(1);
    }

    @Test
    void clippingScalesToTheMaxNorm() {
        Tensor x = Tensor.of(b, new float[] {3f, 4f}, 2).requiresGrad(true);
        Gradients g = x.mul(x).mul(0.5f).sum().backward();   // grad = x, norm 5
        double before = g.clipGlobalNorm(1.0);
        assertThat(before).isCloseTo(5.0, within(1e-6));
        assertThat(g.globalNorm()).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void requiresGradOnlyOnLeaves() {
        Tensor x = Tensor.of(b, new float[] {1f}, 1).requiresGrad(true);
        assertThatThrownBy(() -> x.exp().requiresGrad(false)).isInstanceOf(IllegalStateException.class);
    }
}
