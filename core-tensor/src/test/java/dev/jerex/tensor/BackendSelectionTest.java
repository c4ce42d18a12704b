package dev.jerex.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.Backends;
import org.junit.jupiter.api.Test;

class BackendSelectionTest {
    @Test
    void autoPicksACpuBackendWhenThereIsNoGpu() {
        Backend b = Backends.create("auto", 1);
        assertThat(b.name()).isIn("openblas", "java", "cuda");
        if (Backends.openBlasAvailable()) assertThat(b.name()).isIn("openblas", "cuda");
    }

    @Test
    void namedBackends() {
        assertThat(Backends.create("java", 2).threads()).isEqualTo(2);
        assertThat(Backends.create("JAVA", 1).name()).isEqualTo("java");
        assertThatThrownBy(() -> Backends.create("tpu", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown backend 'tpu' (expected auto, java, openblas or cuda)");
    }
}
