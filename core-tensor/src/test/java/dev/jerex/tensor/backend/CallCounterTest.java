package dev.jerex.tensor.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jerex.tensor.Profiler;
import dev.jerex.tensor.Tensor;
import org.junit.jupiter.api.Test;

class CallCounterTest {

    @Test
    void countsEachCallByMethodAndOpAndPassesItOn() {
        CallCounter counter = new CallCounter();
        Backend counted = counter.counting(new JavaBackend(1));
        Tensor a = Tensor.of(counted, new float[] {1, 2, 3, 4}, 2, 2), b = Tensor.of(counted, new float[] {5, 6, 7, 8}, 2, 2);
        Tensor sum = a.add(b), product = a.matmul(b), scaled = a.mul(b);
        assertThat(sum.toArray()).containsExactly(6, 8, 10, 12);
        assertThat(product.toArray()).containsExactly(19, 22, 43, 50);
        assertThat(scaled.toArray()).containsExactly(5, 12, 21, 32);
        assertThat(counter.count("binary ADD")).isEqualTo(1);
        assertThat(counter.count("binary MUL")).isEqualTo(1);
        assertThat(counter.count("gemm")).isEqualTo(1);
        assertThat(counter.report("java")).contains("binary ADD", "gemm").containsPattern("backend calls .*: [0-9,]+ in all");
    }

    /** An op's forward counts where it runs; its backward in the section that recorded it, wherever backward() is called. */
    @Test
    void countsBySectionForwardAndBackward() {
        CallCounter counter = new CallCounter();
        Backend counted = counter.counting(new JavaBackend(1));
        Tensor a = Tensor.of(counted, new float[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
        Tensor y;
        try (Profiler section = Profiler.section("head")) {
            y = a.matmul(a);
        }
        long forward = counter.count("head", false);
        assertThat(forward).as("forward calls in the section").isPositive();
        assertThat(counter.count("head", true)).isZero();
        y.sum().backward();
        assertThat(counter.count("head", true)).as("the matmul's backward, charged to its section").isGreaterThanOrEqualTo(2);
        assertThat(counter.count("head", false)).isEqualTo(forward);
        // [2, 2] x [2, 2]: 2 * 2 * 2 * 2 = 16 flops forward; backward: dA = dY B^T and A^T dY (a is both operands)
        assertThat(counter.gemmFlops("head", false)).isEqualTo(16);
        assertThat(counter.gemmFlops("head", true)).isEqualTo(32);
        assertThat(counter.gemmFlops()).isEqualTo(48);
        assertThat(Profiler.current()).isNull();
        assertThat(Profiler.inBackward()).isFalse();
        assertThat(counter.report("java")).contains("by profiler section", "head", "(no section)", "matrix-product GFLOP by section");
    }

    @Test
    void aFailingCallThrowsItsOwnException() {
        Backend counted = new CallCounter().counting(new JavaBackend(1));
        Tensor a = Tensor.of(counted, new float[] {1, 2, 3, 4}, 2, 2);
        assertThatThrownBy(() -> a.matmul(Tensor.of(counted, new float[] {1, 2, 3}, 3, 1))).isInstanceOf(IllegalArgumentException.class);
    }
}
