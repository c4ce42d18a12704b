package dev.jerex.nn.bert;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamedArrayTest {

    @Test
    void shapeMustMatchData() {
        assertThatThrownBy(() -> new NamedArray("w", new int[] {2, 3}, new float[5]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'w'").hasMessageContaining("6");
        assertThat(new NamedArray("s", new int[0], new float[] {1}).size()).isEqualTo(1);
    }

    @Test
    void transpose2dSwapsRowsAndColumns() {
        NamedArray a = new NamedArray("w", new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
        NamedArray t = a.transpose2d();
        assertThat(t.shape()).containsExactly(3, 2);
        assertThat(t.data()).containsExactly(1, 4, 2, 5, 3, 6);
        assertThat(t.transpose2d().contentEquals(a)).isTrue();
        assertThatThrownBy(() -> new NamedArray("b", new int[] {3}, new float[3]).transpose2d())
                .hasMessageContaining("'b'");
    }
}
