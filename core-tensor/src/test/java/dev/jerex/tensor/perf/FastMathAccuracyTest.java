package dev.jerex.tensor.perf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jerex.tensor.Storage;
import dev.jerex.tensor.backend.JavaBackend;
import dev.jerex.tensor.backend.UnaryOp;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The pure-Java backend computes exp, sigmoid, tanh and GELU with its own fast routines (a
 * Cody-Waite exp polynomial, a branch-free tanh, GELU' from the saved output) instead of
 * Math.exp / Math.tanh. They must stay float-accurate: checked here against double-precision
 * java.lang.Math over a dense grid, including the tails and special values.
 */
class FastMathAccuracyTest {
    private final JavaBackend backend = new JavaBackend(1);

    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    /** erf to 1e-15 by its Taylor series / continued fraction is overkill: use Phi from erfc via Math only. */
    private static double normalCdf(double x) {
        // Phi(x) = erfc(-x / sqrt 2) / 2; W. J. Cody's erfc would do, but a high-precision
        // numerical integral of the density is simpler and plenty here.
        double lo = -40, hi = x;
        if (hi <= lo) return 0;
        int n = 20000;
        double h = (hi - lo) / n, s = 0;
        for (int i = 0; i <= n; i++) {
            double t = lo + i * h, w = (i == 0 || i == n) ? 1 : (i % 2 == 1 ? 4 : 2);
            s += w * Math.exp(-0.5 * t * t);
        }
        return s * h / 3 * INV_SQRT_2PI;
    }

    private float[] grid(double from, double to, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (from + (to - from) * i / (n - 1));
        return x;
    }

    private float[] unary(UnaryOp op, float[] x) {
        Storage in = backend.upload(x), out = backend.allocate(x.length);
        backend.unary(op, 0f, in, 0, out, 0, x.length);
        float[] y = new float[x.length];
        backend.download(out, 0, y, 0, x.length);
        return y;
    }

    /** max over the grid of |got - ref| / max(|ref|, floor). */
    private static double maxError(float[] x, float[] got, DoubleUnaryOperator ref, double floor) {
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            double r = ref.applyAsDouble(x[i]);
            max = Math.max(max, Math.abs(got[i] - r) / Math.max(Math.abs(r), floor));
        }
        return max;
    }

    @Test
    void expSigmoidTanhAreFloatAccurate() {
        float[] x = grid(-30, 30, 600_001);
        assertThat(maxError(x, unary(UnaryOp.EXP, x), Math::exp, Double.MIN_NORMAL)).isLessThan(2e-7);
        assertThat(maxError(x, unary(UnaryOp.SIGMOID, x), v -> 1 / (1 + Math.exp(-v)), Double.MIN_NORMAL)).isLessThan(2e-7);
        assertThat(maxError(x, unary(UnaryOp.TANH, x), Math::tanh, Double.MIN_NORMAL)).isLessThan(2e-7);
        float[] small = grid(-1e-3, 1e-3, 20_001);
        assertThat(maxError(small, unary(UnaryOp.TANH, small), Math::tanh, Double.MIN_NORMAL)).isLessThan(2e-7);
        float[] special = {0f, -0f, Float.MIN_VALUE, 1e-30f, -90f, 100f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        float[] e = unary(UnaryOp.EXP, special), t = unary(UnaryOp.TANH, special), s = unary(UnaryOp.SIGMOID, special);
        assertThat(e[6]).isEqualTo(0f);
        assertThat(e[7]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(t).containsExactly(0f, -0f, Float.MIN_VALUE, 1e-30f, -1f, 1f, -1f, 1f);
        assertThat(s[6]).isEqualTo(0f);
        assertThat(s[7]).isEqualTo(1f);
        assertThat(unary(UnaryOp.TANH, new float[] {Float.NaN})[0]).isNaN();
        assertThat(unary(UnaryOp.EXP, new float[] {Float.NaN})[0]).isNaN();
    }

    @Test
    void geluAndItsDerivativeAreFloatAccurate() {
        float[] x = grid(-9, 9, 3_001);
        double[] phi = new double[x.length];
        for (int i = 0; i < x.length; i++) phi[i] = normalCdf(x[i]);
        float[] y = unary(UnaryOp.GELU, x);
        double maxY = 0, maxG = 0;
        Storage xs = backend.upload(x), ys = backend.upload(y), ones = backend.allocate(x.length), gx = backend.allocate(x.length);
        backend.fill(ones, 0, x.length, 1f);
        backend.unaryBackward(UnaryOp.GELU, 0f, xs, 0, ys, 0, ones, 0, gx, 0, x.length);
        float[] g = new float[x.length];
        backend.download(gx, 0, g, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            double refY = x[i] * phi[i];
            double refG = phi[i] + x[i] * Math.exp(-0.5 * x[i] * x[i]) * INV_SQRT_2PI;
            maxY = Math.max(maxY, Math.abs(y[i] - refY) / Math.max(Math.abs(refY), 1e-30));   // relative, tails included
            // GELU' crosses 0 near x = -0.75: compare absolutely there (it is O(1) elsewhere)
            maxG = Math.max(maxG, Math.abs(g[i] - refG) / Math.max(Math.abs(refG), 1.0));
        }
        assertThat(maxY).as("GELU relative error").isLessThan(1e-6);
        assertThat(maxG).as("GELU' error").isLessThan(5e-7);
    }
}
