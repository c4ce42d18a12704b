package dev.jerex.tensor.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.Backends;
import org.junit.jupiter.api.Test;

/** Detection runs everywhere: without a GPU it must fall back and explain, never crash. */
class CudaDetectionTest {

    @Test
    void autoAndNamedCudaBehaveWithOrWithoutAGpu() {
        String reason = CudaBackend.unavailableReason();
        System.out.println("[CudaDetectionTest] CUDA " + (reason == null ? "available" : "unavailable: " + reason));
        Backend auto = Backends.create("auto", 1);
        if (reason == null) {
            assertThat(auto.name()).isEqualTo("cuda");
            Backend cuda = Backends.create("cuda", 1);
            assertThat(cuda.device()).startsWith("cuda:0 (").endsWith(")");
        } else {
            assertThat(auto.name()).isIn("java", "openblas");
            assertThat(auto.device()).isEqualTo("cpu");
            assertThatThrownBy(() -> Backends.create("cuda", 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("backend cuda: no usable GPU: ")
                    .hasMessageContaining(reason);
            // Asking twice gives the same answer (the probe is cached; JavaCPP classes that failed stay failed).
            assertThatThrownBy(() -> Backends.create("cuda", 1)).hasMessageContaining(reason);
            assertThat(CudaBackend.unavailableReason()).isEqualTo(reason);
        }
    }
}
