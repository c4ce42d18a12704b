package dev.jerex.tensor.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The float formulas of JavaBackend (exp, sigmoid, tanh) against the exact values (Math's double
 * functions, rounded to float), in ulps of the exact value: on a dense grid over the range where
 * the results are normal floats, and at the edges (overflow, underflow, -0, NaN, infinities).
 */
class FloatMathTest {
    /** ulps between a and the exact value e (in float, measured in units of e's last place). */
    private static double ulps(float a, double e) {
        return Math.abs(a - e) / Math.ulp((float) e);
    }

    private static double worst(java.util.function.Function<Float, Float> f, DoubleUnaryOperator exact, float from, float to, int n) {
        double worst = 0;
        for (int i = 0; i <= n; i++) {
            float x = from + (to - from) * i / n;
            double e = exact.applyAsDouble(x);
            if (Math.abs(e) < Float.MIN_NORMAL) continue;   // subnormal results: absolute error only
            worst = Math.max(worst, ulps(f.apply(x), e));
        }
        return worst;
    }

    @Test
    void expWithinTwoUlp() {
        assertThat(worst(JavaBackend::expf, Math::exp, -87f, 88.7f, 2_000_000)).isLessThanOrEqualTo(2);
        assertThat(worst(JavaBackend::expf, Math::exp, -1f, 1f, 200_000)).isLessThanOrEqualTo(2);
        assertThat(JavaBackend.expf(0f)).isEqualTo(1f);
        assertThat(JavaBackend.expf(89f)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(JavaBackend.expf(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(JavaBackend.expf(Float.NEGATIVE_INFINITY)).isEqualTo(0f);
        assertThat(JavaBackend.expf(-200f)).isEqualTo(0f);
        assertThat(JavaBackend.expf(-100f)).isCloseTo((float) Math.exp(-100), org.assertj.core.api.Assertions.within(Float.MIN_VALUE * 2));
        assertThat(JavaBackend.expf(88.72f)).isEqualTo((float) Math.exp(88.72f)).isFinite();
        assertThat(JavaBackend.expf(Float.NaN)).isNaN();
    }

    @Test
    void sigmoidWithinThreeUlp() {
        DoubleUnaryOperator exact = x -> 1 / (1 + Math.exp(-x));
        assertThat(worst(JavaBackend::sigmoid, exact, -80f, 20f, 2_000_000)).isLessThanOrEqualTo(3);
        assertThat(JavaBackend.sigmoid(0f)).isEqualTo(0.5f);
        assertThat(JavaBackend.sigmoid(-0f)).isEqualTo(0.5f);
        assertThat(JavaBackend.sigmoid(100f)).isEqualTo(1f);
        assertThat(JavaBackend.sigmoid(Float.NEGATIVE_INFINITY)).isEqualTo(0f);
        assertThat(JavaBackend.sigmoid(Float.NaN)).isNaN();
    }

    @Test
    void tanhWithinThreeUlp() {
        assertThat(worst(JavaBackend::tanh, Math::tanh, -10f, 10f, 2_000_000)).isLessThanOrEqualTo(3);
        assertThat(worst(JavaBackend::tanh, Math::tanh, -0.7f, 0.7f, 2_000_000)).isLessThanOrEqualTo(3);
        assertThat(worst(JavaBackend::tanh, Math::tanh, 1e-30f, 1e-3f, 100_000)).isLessThanOrEqualTo(1);
        assertThat(Float.floatToRawIntBits(JavaBackend.tanh(-0f))).isEqualTo(Float.floatToRawIntBits(-0f));
        assertThat(JavaBackend.tanh(20f)).isEqualTo(1f);
        assertThat(JavaBackend.tanh(Float.NEGATIVE_INFINITY)).isEqualTo(-1f);
        assertThat(JavaBackend.tanh(Float.NaN)).isNaN();
    }
}
