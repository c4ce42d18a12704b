package dev.jerex.tensor.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * The kernel argument buffer, read back byte by byte (needs only JavaCPP's own natives, no GPU):
 * parameter i lives in slot i, and a Dims struct has the layout of common.cuh
 * (rank at 0, shape at 4, stride_a at 36, stride_b at 68; 100 bytes).
 */
class CudaKernelArgsTest {

    @Test
    void valuesLandInTheirSlotsInParameterOrder() {
        KernelArgs a = new KernelArgs().reset()
                .ptr(0x1234_5678_9abcL).i(-7).f(2.5f)
                .dims(new int[] {4, 5}, new int[] {5, 1}, new int[] {0, 1});
        long base = a.params.get(0).address();
        BytePointer bytes = new BytePointer(new Pointer() { { address = base; } });
        bytes.capacity(4 * 128);
        assertThat(a.params.get(1).address() - base).isEqualTo(128);
        assertThat(bytes.getLong(0)).isEqualTo(0x1234_5678_9abcL);
        assertThat(bytes.getInt(128)).isEqualTo(-7);
        assertThat(bytes.getFloat(256)).isEqualTo(2.5f);
        long d = 384;
        assertThat(bytes.getInt(d)).as("rank").isEqualTo(2);
        assertThat(bytes.getInt(d + 4)).as("shape[0]").isEqualTo(4);
        assertThat(bytes.getInt(d + 8)).as("shape[1]").isEqualTo(5);
        assertThat(bytes.getInt(d + 12)).as("unused shape[2]").isEqualTo(1);
        assertThat(bytes.getInt(d + 36)).as("stride_a[0]").isEqualTo(5);
        assertThat(bytes.getInt(d + 40)).as("stride_a[1]").isEqualTo(1);
        assertThat(bytes.getInt(d + 68)).as("stride_b[0]").isEqualTo(0);
        assertThat(bytes.getInt(d + 72)).as("stride_b[1]").isEqualTo(1);
    }

    @Test
    void tooManyArgumentsFailClearly() {
        KernelArgs a = new KernelArgs().reset();
        for (int i = 0; i < 16; i++) a.i(i);
        assertThatThrownBy(() -> a.i(16)).isInstanceOf(IllegalStateException.class).hasMessageContaining("more than 16");
    }
}
