package dev.jerex.tensor.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Vector API loops against the scalar reference, at lengths that leave a partial vector and
 * at offsets that are not multiples of the vector length. Element-wise results are equal to
 * float rounding (a * x + y may be fused or not); sums are compared with a tolerance, since the
 * lanes add in another order.
 */
class FloatLoopsTest {
    private static final int[] LENGTHS = {1, 3, 8, 17, 1152};
    private final FloatLoops scalar = new FloatLoops.Scalar();
    private FloatLoops vector;
    private final Random random = new Random(3);

    @BeforeEach
    void vectorLoops() {
        vector = FloatLoops.best();
        Assumptions.assumeTrue(vector instanceof VectorFloatLoops, "the JVM runs without jdk.incubator.vector");
    }

    private float[] random(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) random.nextGaussian();
        return v;
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as(what + " at " + i).isLessThanOrEqualTo(1e-6f * (1 + Math.abs(expected[i])));
        }
    }

    @Test
    void elementWiseLoopsMatchTheScalarOnes() {
        for (int n : LENGTHS) {
            float[] x = random(n + 5), y = random(n + 7), base = random(n + 3);
            float[] e = random(n + 9), a = e.clone();
            scalar.scaleAdd(e, 2, base, 3, 0.7f, x, 5, n);
            vector.scaleAdd(a, 2, base, 3, 0.7f, x, 5, n);
            assertClose("scaleAdd n=" + n, e, a);
            scalar.axpy(-1.3f, x, 1, e, 4, n);
            vector.axpy(-1.3f, x, 1, a, 4, n);
            assertClose("axpy n=" + n, e, a);
            scalar.addScaledSum(e, 0, 0.25f, x, 3, y, 6, n);
            vector.addScaledSum(a, 0, 0.25f, x, 3, y, 6, n);
            assertClose("addScaledSum n=" + n, e, a);
        }
    }

    @Test
    void maxWithArgmaxMatchesTheScalarOneBitForBit() {
        for (int n : LENGTHS) {
            float[] before = random(n), x = random(n + 4);
            if (n > 1) x[2 + 1] = Float.NaN;        // never taken
            if (n > 2) x[2 + 2] = before[2];        // a tie keeps the earlier position
            float[] e = before.clone(), ea = new float[n], a = before.clone(), aa = new float[n];
            scalar.maxWithArgmax(e, ea, x, 2, 7f, n);
            vector.maxWithArgmax(a, aa, x, 2, 7f, n);
            for (int i = 0; i < n; i++) {
                boolean taken = x[2 + i] > before[i];
                assertThat(e[i]).as("max at " + i + ", n=" + n).isEqualTo(taken ? x[2 + i] : before[i]);
                assertThat(ea[i]).as("argmax at " + i + ", n=" + n).isEqualTo(taken ? 7f : 0f);
            }
            assertThat(a).as("vector max n=" + n).containsExactly(e);
            assertThat(aa).as("vector argmax n=" + n).containsExactly(ea);
        }
    }

    @Test
    void fusedLoopsMatchTheScalarOnes() {
        for (int n : LENGTHS) {
            float[] x = random(n + 2), u = random(n + 4), v = random(n + 1), g = random(n + 6);
            float[] e1 = random(n + 3), e2 = random(n + 5), a1 = e1.clone(), a2 = e2.clone();
            float es = scalar.axpyTwiceAndDotOfSum(0.5f, x, 2, e1, 3, e2, 1, u, 4, v, 1, n);
            float as = vector.axpyTwiceAndDotOfSum(0.5f, x, 2, a1, 3, a2, 1, u, 4, v, 1, n);
            assertClose("axpyTwiceAndDotOfSum y1 n=" + n, e1, a1);
            assertClose("axpyTwiceAndDotOfSum y2 n=" + n, e2, a2);
            assertThat(as).as("axpyTwiceAndDotOfSum n=" + n).isCloseTo(es, org.assertj.core.data.Offset.offset(1e-4f * (float) Math.sqrt(n)));
            es = scalar.addScaledSumAndDot(e1, 1, -0.5f, u, 3, v, 0, g, 5, n);
            as = vector.addScaledSumAndDot(a1, 1, -0.5f, u, 3, v, 0, g, 5, n);
            assertClose("addScaledSumAndDot acc n=" + n, e1, a1);
            assertThat(as).as("addScaledSumAndDot n=" + n).isCloseTo(es, org.assertj.core.data.Offset.offset(1e-4f * (float) Math.sqrt(n)));
        }
    }

    @Test
    void gruCellBackwardRowMatchesTheScalarOne() {
        for (int hidden : LENGTHS) {
            float[] gates = random(3 * hidden), hn = random(hidden), h = random(hidden), g = random(hidden);
            float[][] e = {new float[3 * hidden], new float[3 * hidden], new float[hidden]};
            float[][] a = {new float[3 * hidden], new float[3 * hidden], new float[hidden]};
            scalar.gruCellBackwardRow(gates, hn, h, g, e[0], e[1], e[2], hidden);
            vector.gruCellBackwardRow(gates, hn, h, g, a[0], a[1], a[2], hidden);
            for (int k = 0; k < 3; k++) assertClose("gruCellBackwardRow output " + k + " hidden=" + hidden, e[k], a[k]);
        }
    }
}
