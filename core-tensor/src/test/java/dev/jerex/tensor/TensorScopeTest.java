package dev.jerex.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jerex.tensor.backend.Backend;
import org.junit.jupiter.api.Test;

class TensorScopeTest {
    private final Backend b = TestBackends.java();

    @Test
    void temporariesAreReleasedAndKeptTensorsSurvive() {
        Tensor outside = Tensor.ones(b, 3);
        Tensor temp, kept;
        try (TensorScope scope = TensorScope.open()) {
            temp = outside.mul(2f);
            kept = scope.keep(outside.add(1f));
        }
        assertThat(temp.storage().isReleased()).isTrue();
        assertThatThrownBy(temp::toArray).isInstanceOf(IllegalStateException.class).hasMessageContaining("TensorScope");
        assertThat(kept.toArray()).containsExactly(2f, 2f, 2f);
        assertThat(outside.toArray()).containsExactly(1f, 1f, 1f);
    }

    @Test
    void persistentScopesDoNotTrack() {
        Tensor state;
        try (TensorScope step = TensorScope.open()) {
            try (TensorScope keep = TensorScope.persistent()) {
                state = Tensor.zeros(b, 2);
            }
            Tensor.zeros(b, 2);
        }
        assertThat(state.storage().isReleased()).isFalse();
    }

    @Test
    void trainingStepsInAScopeReuseMemory() {
        Tensor w = Tensor.rand(b, new Rng(1), -1f, 1f, 64, 64).requiresGrad(true);
        long before = dev.jerex.tensor.backend.PoolStats.liveBytes();   // other tests' tensors may be alive too
        for (int step = 0; step < 50; step++) {
            try (TensorScope scope = TensorScope.open()) {
                Gradients g = w.matmul(w).tanh().sum().backward();
                assertThat(g.get(w).shape()).containsExactly(64, 64);
            }
        }
        // 50 steps of 64 x 64 temporaries leave nothing behind (1 MiB of slack for concurrent tests)
        assertThat(dev.jerex.tensor.backend.PoolStats.liveBytes() - before).isLessThan(1L << 20);
    }
}
