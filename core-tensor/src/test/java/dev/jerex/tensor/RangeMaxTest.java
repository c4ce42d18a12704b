package dev.jerex.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.jerex.tensor.backend.Backend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Span max-pooling against its definition, with rows wide enough for whole vector lanes and a
 * tail (19 columns): the maximum over rows [start, end) per column, 0 for an empty range, and the
 * gradient sent to the first row that holds the maximum (a tie keeps the earlier row).
 */
class RangeMaxTest {
    private static final int ROWS = 7, COLS = 19;
    private static final int[] START = {0, 2, 4, 6, 0}, END = {3, 7, 4, 7, 7};

    @ParameterizedTest @MethodSource("dev.jerex.tensor.TestBackends#all")
    void maximumAndGradientFollowTheDefinition(Backend b) {
        float[] src = Tensor.rand(TestBackends.java(), new Rng(11), -1f, 1f, ROWS, COLS).toArray();
        for (int c = 0; c < COLS; c += 3) src[3 * COLS + c] = src[2 * COLS + c] = 5f;   // ties at rows 2 and 3
        Tensor x = Tensor.of(b, src, ROWS, COLS).requiresGrad(true);
        Tensor pooled = IndexOps.rangeMax(x, START, END);
        Tensor weights = Tensor.rand(b, new Rng(5), 0.5f, 1.5f, START.length, COLS);
        float[] out = pooled.toArray(), w = weights.toArray(), grad = pooled.mul(weights).sum().backward().get(x).toArray();

        float[] expectedGrad = new float[ROWS * COLS];
        for (int r = 0; r < START.length; r++) {
            for (int c = 0; c < COLS; c++) {
                float expected = 0f;
                int at = -1;
                for (int t = START[r]; t < END[r]; t++) {
                    if (at < 0 || src[t * COLS + c] > expected) {
                        expected = src[t * COLS + c];
                        at = t;
                    }
                }
                assertThat(out[r * COLS + c]).as("range %d column %d", r, c).isEqualTo(expected);
                if (at >= 0) expectedGrad[at * COLS + c] += w[r * COLS + c];
            }
        }
        for (int i = 0; i < expectedGrad.length; i++) {
            assertThat(grad[i]).as("gradient of row %d column %d", i / COLS, i % COLS).isCloseTo(expectedGrad[i], offset(1e-6f));
        }
    }
}
