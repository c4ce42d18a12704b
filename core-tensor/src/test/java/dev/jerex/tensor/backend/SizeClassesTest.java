package dev.jerex.tensor.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SizeClassesTest {
    @Test
    void everyRequestFitsItsClassWithAtMostAQuarterWasted() {
        for (int n = 1; n < 200_000; n++) {
            int cls = SizeClasses.of(n);
            long cap = SizeClasses.capacity(cls);
            assertThat(cap).as("capacity for %d", n).isGreaterThanOrEqualTo(n).isLessThanOrEqualTo(Math.max(16, n + n / 4 + 1));
            assertThat(SizeClasses.of((int) cap)).as("a full buffer of class %d stays in it", cls).isEqualTo(cls);
        }
        for (int n : new int[] {1 << 20, (1 << 20) + 1, Integer.MAX_VALUE / 2}) {
            assertThat(SizeClasses.capacity(SizeClasses.of(n))).isGreaterThanOrEqualTo(n);
            assertThat(SizeClasses.of(n)).isLessThan(SizeClasses.COUNT);
        }
    }
}
