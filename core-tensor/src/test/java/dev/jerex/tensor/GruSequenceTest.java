package dev.jerex.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.JavaBackend;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link NnOps#gruSequence} against the same steps composed with autograd ({@link NnOps#gruCell}, matmul and, for padded rows, masks). */
class GruSequenceTest {
    private static final String BACKENDS = "dev.jerex.tensor.TestBackends#all";

    /**
     * The composed reference: hh = h W^T + b, h' = gruCell(x_t, hh, h); where t >= length the state
     * is kept (h + m (h' - h)) and the output is 0.
     */
    private static Tensor steps(Tensor projected, Tensor weightHh, Tensor biasHh, int[] lengths, boolean reverse) {
        int rows = projected.size(0), t = projected.size(1), hidden = weightHh.size(1);
        Tensor h = Tensor.zeros(projected.backend(), rows, hidden);
        Tensor[] outs = new Tensor[t];
        for (int i = 0; i < t; i++) {
            int s = reverse ? t - 1 - i : i;
            float[] m = new float[rows];
            for (int r = 0; r < rows; r++) m[r] = lengths == null || s < lengths[r] ? 1f : 0f;
            Tensor mask = Tensor.of(projected.backend(), m, rows, 1);
            Tensor next = NnOps.gruCell(projected.select(1, s), h.matmul(weightHh.t()).add(biasHh), h);
            h = h.add(mask.mul(next.sub(h)));
            outs[s] = next.mul(mask);
        }
        return Tensor.stack(1, outs);
    }

    private static void assertClose(String what, Tensor actual, Tensor expected) {
        float[] a = actual.toArray(), e = expected.toArray();
        assertThat(a).as(what).hasSameSizeAs(e);
        for (int i = 0; i < a.length; i++) {
            int at = i;
            assertThat((double) Math.abs(a[i] - e[i])).as(() -> what + " at " + at + ": " + a[at] + " vs " + e[at])
                    .isLessThanOrEqualTo(1e-5 * (1 + Math.abs(e[at])));
        }
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void equalsTheComposedStepsWithEveryGradient(Backend b) {
        int rows = 5, t = 7, hidden = 9;
        // unpadded, padded with ties, and a batch whose sequences all end before T
        for (int[] lengths : new int[][] {null, {7, 6, 6, 3, 1}, {5, 4, 4, 2, 0}}) {
            for (boolean reverse : new boolean[] {false, true}) {
                Tensor x = Tensor.rand(b, new Rng(1), -2f, 2f, rows, t, 3 * hidden).requiresGrad(true);
                Tensor w = Tensor.rand(b, new Rng(2), -0.5f, 0.5f, 3 * hidden, hidden).requiresGrad(true);
                Tensor bias = Tensor.rand(b, new Rng(3), -0.5f, 0.5f, 3 * hidden).requiresGrad(true);
                Tensor weights = Tensor.rand(b, new Rng(4), -1f, 1f, rows, t, hidden);
                Tensor fused = NnOps.gruSequence(x, w, bias, lengths, reverse), composed = steps(x, w, bias, lengths, reverse);
                Gradients gf = fused.mul(weights).sum().backward(), gc = composed.mul(weights).sum().backward();
                String what = java.util.Arrays.toString(lengths) + (reverse ? " reverse: " : " forward: ");
                assertClose(what + "outputs", fused, composed);
                assertClose(what + "d projected", gf.get(x), gc.get(x));
                assertClose(what + "d W_hh", gf.get(w), gc.get(w));
                assertClose(what + "d b_hh", gf.get(bias), gc.get(bias));
                Tensor inference;
                try (GradMode off = GradMode.noGrad()) {
                    inference = NnOps.gruSequence(x, w, bias, lengths, reverse);
                }
                assertClose(what + "without gradients", inference, composed);
            }
        }
    }

    /**
     * What the fused op is for: fewer backend calls (kernel launches, on a GPU) per step. Counted
     * through a proxy that passes every call on to the Java backend, forward and backward of T = 8
     * steps (allocations count too): 5 a step for the fused op, plus a fixed few; more than twice
     * as many for the composed steps (27 a step here).
     */
    @org.junit.jupiter.api.Test
    void makesFewerBackendCallsThanTheComposedSteps() {
        JavaBackend java = new JavaBackend(1);
        AtomicInteger calls = new AtomicInteger();
        Backend counting = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    calls.incrementAndGet();
                    try {
                        return method.invoke(java, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        int rows = 3, t = 8, hidden = 4;
        int[] perRun = new int[2];
        for (int k = 0; k < 2; k++) {
            Tensor x = Tensor.rand(counting, new Rng(1), -1f, 1f, rows, t, 3 * hidden).requiresGrad(true);
            Tensor w = Tensor.rand(counting, new Rng(2), -1f, 1f, 3 * hidden, hidden).requiresGrad(true);
            Tensor bias = Tensor.rand(counting, new Rng(3), -1f, 1f, 3 * hidden).requiresGrad(true);
            calls.set(0);
            Tensor out = k == 0 ? steps(x, w, bias, null, false) : NnOps.gruSequence(x, w, bias, null, false);
            out.sum().backward();
            perRun[k] = calls.get();
        }
        System.out.printf("[GruSequenceTest] backend calls for %d steps, forward and backward: composed %d, fused %d%n", t, perRun[0], perRun[1]);
        assertThat(perRun[1]).as("fused: 5 calls a step, plus allocations and the sum's own calls").isLessThanOrEqualTo(5 * t + 30);
        assertThat(perRun[0]).as("composed").isGreaterThan(2 * perRun[1]);
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void shapesThatDoNotFitAreRefused(Backend b) {
        Tensor x = Tensor.zeros(b, 2, 3, 6), w = Tensor.zeros(b, 6, 2), bias = Tensor.zeros(b, 6);
        assertThatThrownBy(() -> NnOps.gruSequence(x, Tensor.zeros(b, 6, 3), bias, null, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[B, T, 3H], [3H, H], [3H]");
        assertThatThrownBy(() -> NnOps.gruSequence(x.reshape(6, 6), w, bias, null, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NnOps.gruSequence(x, w, bias, new int[] {2, 3}, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gruSequence: lengths must be non-increasing");
    }
}
