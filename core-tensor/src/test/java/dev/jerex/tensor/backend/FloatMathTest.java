package dev.jerex.tensor.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The float formulas of JavaBackend (exp, sigmoid, tanh, GELU and its derivative) against the
 * exact values (double arithmetic, rounded to float), in ulps of the exact value: on a dense grid
 * over the range where the results are normal floats, and at the edges (overflow, underflow, -0,
 * NaN, infinities).
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

    /** Phi(x) in double: erfc from its continued fraction in the tail, erf's series near 0. */
    private static double exactNormalCdf(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2));
    }

    /** erfc to double precision: 1 - erf(z) by erf's Taylor series for |z| < 2, Lentz's continued fraction beyond. */
    private static double erfc(double z) {
        if (z < 0) return 2 - erfc(-z);
        if (z < 2) {
            double sum = 0, term = z;
            for (int n = 0; n < 200; n++) {
                sum += term / (2 * n + 1);
                term *= -z * z / (n + 1);
            }
            return 1 - 2 / Math.sqrt(Math.PI) * sum;
        }
        // erfc(z) = e^{-z^2} / sqrt(pi) * 1 / (z + 1/2 / (z + 1 / (z + 3/2 / (z + ...))))
        double f = z;
        for (int k = 200; k >= 1; k--) f = z + k / 2.0 / f;
        return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
    }

    /** Numerical Recipes' erfc fit (relative error 1.2e-7) evaluated in float: 8.5 ulp at worst, at x = -3.64. */
    @Test
    void geluWithinNineUlp() {
        DoubleUnaryOperator exact = x -> x * exactNormalCdf(x);
        assertThat(worst(JavaBackend::gelu, exact, -12f, 12f, 2_000_000)).isLessThanOrEqualTo(9);
        assertThat(JavaBackend.gelu(0f)).isZero();
        assertThat(JavaBackend.gelu(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(JavaBackend.gelu(-30f)).isZero();
        assertThat(JavaBackend.gelu(Float.NaN)).isNaN();
    }

    /** GELU' crosses 0 near x = -0.75, where Phi and x phi cancel: an absolute bound, as PyTorch's float formula has. */
    @Test
    void geluDerivativeWithin3e7() {
        double worst = 0;
        for (int i = 0; i <= 2_000_000; i++) {
            float x = -12f + 24f * i / 2_000_000;
            double exact = exactNormalCdf(x) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
            worst = Math.max(worst, Math.abs(JavaBackend.geluDerivativeFromOutput(x, JavaBackend.gelu(x)) - exact));
            worst = Math.max(worst, Math.abs(JavaBackend.geluDerivative(x) - exact));
        }
        assertThat(worst).isLessThanOrEqualTo(3e-7);
    }
}
