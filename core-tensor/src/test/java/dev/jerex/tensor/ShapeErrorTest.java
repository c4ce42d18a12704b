package dev.jerex.tensor;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.JavaBackend;
import org.junit.jupiter.api.Test;

/** Shape errors name the op and both shapes. */
class ShapeErrorTest {
    private final Backend b = TestBackends.java();

    @Test
    void broadcastMismatch() {
        assertThatThrownBy(() -> Tensor.zeros(b, 2, 3).add(Tensor.zeros(b, 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("add: shapes [2, 3] and [4] cannot be broadcast");
    }

    @Test
    void matmulMisaligned() {
        assertThatThrownBy(() -> Tensor.zeros(b, 2, 3).matmul(Tensor.zeros(b, 4, 5)))
                .hasMessage("matmul: shapes [2, 3] and [4, 5] are not aligned");
        assertThatThrownBy(() -> Tensor.zeros(b, 2, 2, 3).matmul(Tensor.zeros(b, 3, 3, 5)))
                .hasMessage("matmul: batch dimensions of [2, 2, 3] and [3, 3, 5] differ");
    }

    @Test
    void reshapeAndViews() {
        assertThatThrownBy(() -> Tensor.zeros(b, 2, 3).reshape(4, 2)).hasMessage("reshape: cannot reshape [2, 3] to [4, 2]");
        assertThatThrownBy(() -> Tensor.zeros(b, 2, 3).narrow(1, 2, 2)).hasMessageContaining("narrow: range [2, 4) outside axis 1 of size 3");
        assertThatThrownBy(() -> Tensor.zeros(b, 2, 3).expand(2, 4)).hasMessage("expand: cannot expand [2, 3] to [2, 4]");
        assertThatThrownBy(() -> Tensor.zeros(b, 2, 3).sum(2, false)).hasMessage("sum: axis 2 out of range for a tensor of rank 2");
        assertThatThrownBy(() -> Tensor.concat(0, Tensor.zeros(b, 2, 3), Tensor.zeros(b, 2, 4)))
                .hasMessage("concat: shape [2, 4] does not match [2, 3] outside axis 0");
    }

    @Test
    void indexOutOfRange() {
        assertThatThrownBy(() -> Tensor.zeros(b, 3, 2).indexSelect(new int[] {0, 3}))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessage("indexSelect: index[1] = 3 out of range [0, 3)");
    }

    @Test
    void layerNormParameters() {
        assertThatThrownBy(() -> NnOps.layerNorm(Tensor.zeros(b, 2, 4), Tensor.ones(b, 3), Tensor.zeros(b, 3), 1e-5f))
                .hasMessageContaining("layerNorm: gamma [3] / beta [3] do not match the last axis of [2, 4]");
    }

    @Test
    void differentBackends() {
        Backend other = new JavaBackend(1);
        assertThatThrownBy(() -> Tensor.zeros(b, 2).add(Tensor.zeros(other, 2)))
                .hasMessageContaining("add: operands live on different backends/devices");
    }

    @Test
    void wrongValueCount() {
        assertThatThrownBy(() -> Tensor.of(b, new float[5], 2, 3)).hasMessage("Tensor.of: 5 values do not fill shape [2, 3]");
    }
}
