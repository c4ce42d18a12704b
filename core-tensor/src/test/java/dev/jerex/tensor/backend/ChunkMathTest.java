package dev.jerex.tensor.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Vector API's chunk math evaluates the scalar float formulas lane by lane, operation for
 * operation: its results must equal the scalar reference's bit for bit (-0 and +0 apart, NaN
 * equal to NaN), on random values, the special values, and chunk lengths that leave a partial
 * vector.
 */
class ChunkMathTest {
    private static final float[] SPECIAL = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
            -Float.MIN_VALUE, 1e-30f, -1e-4f, 5e-4f, -5f, -5.0001f, 20f, -20f, 88.7f, -103.9f, 200f, -200f, Float.MAX_VALUE};

    private interface Op {
        void apply(ChunkMath math, float[] x, float[] y, float[] out, int len);
    }

    private static void assertSame(String name, Op op) {
        ChunkMath best = ChunkMath.best();
        Assumptions.assumeTrue(best instanceof VectorChunkMath, "the JVM runs without jdk.incubator.vector");
        ChunkMath scalar = new ChunkMath.Scalar();
        Random random = new Random(7);
        for (int len : new int[] {SPECIAL.length, 1, 3, 4, 1000, 2048}) {
            float[] x = new float[len];
            for (int i = 0; i < len; i++) x[i] = i < SPECIAL.length && len == SPECIAL.length ? SPECIAL[i] : (float) (random.nextGaussian() * 6);
            float[] y = x.clone();
            new ChunkMath.Scalar().gelu(y, len);
            float[] expected = new float[len], actual = new float[len];
            java.util.Arrays.fill(expected, 1.5f);
            java.util.Arrays.fill(actual, 1.5f);
            op.apply(scalar, x.clone(), y, expected, len);
            op.apply(best, x.clone(), y, actual, len);
            for (int i = 0; i < len; i++) {
                float e = expected[i], a = actual[i];
                boolean same = Float.compare(e, a) == 0;   // -0 and +0 differ
                assertThat(same).as(name + "(" + x[i] + "): scalar " + e + ", vector " + a).isTrue();
            }
        }
    }

    private static void inPlace(float[] x, float[] out, int len, java.util.function.BiConsumer<float[], Integer> f) {
        System.arraycopy(x, 0, out, 0, len);
        f.accept(out, len);
    }

    @Test
    void exp() {
        assertSame("exp", (m, x, y, out, len) -> inPlace(x, out, len, m::exp));
    }

    @Test
    void sigmoid() {
        assertSame("sigmoid", (m, x, y, out, len) -> inPlace(x, out, len, m::sigmoid));
    }

    @Test
    void tanh() {
        assertSame("tanh", (m, x, y, out, len) -> inPlace(x, out, len, m::tanh));
    }

    @Test
    void gelu() {
        assertSame("gelu", (m, x, y, out, len) -> inPlace(x, out, len, m::gelu));
    }

    @Test
    void geluBackward() {
        assertSame("gelu'", (m, x, y, out, len) -> m.geluBackward(x, y, out, len));
    }
}
