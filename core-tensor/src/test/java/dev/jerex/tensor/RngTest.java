package dev.jerex.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RngTest {
    @Test
    void theSameSeedGivesTheSameTensorsOnEveryBackend() {
        for (var backend : TestBackends.available()) {
            float[] a = Tensor.randn(backend, new Rng(42), 0f, 1f, 100).toArray();
            float[] b = Tensor.randn(TestBackends.java(), new Rng(42), 0f, 1f, 100).toArray();
            assertThat(a).containsExactly(b);
        }
    }

    @Test
    void distributionsHaveTheRightMoments() {
        float[] n = new Rng(1).normal(200_000, 2f, 3f);
        double mean = 0, sq = 0;
        for (float v : n) mean += v;
        mean /= n.length;
        for (float v : n) sq += (v - mean) * (v - mean);
        assertThat(mean).isCloseTo(2.0, within(0.03));
        assertThat(Math.sqrt(sq / n.length)).isCloseTo(3.0, within(0.03));
        float[] bern = Tensor.bernoulli(TestBackends.java(), new Rng(2), 0.3, 100_000).toArray();
        double ones = 0;
        for (float v : bern) ones += v;
        assertThat(ones / bern.length).isCloseTo(0.3, within(0.01));
    }
}
