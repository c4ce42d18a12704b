package dev.jerex.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.JavaBackend;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link NnOps#lstmSequence} against the same steps composed with autograd ({@link NnOps#lstmCell},
 * matmul and the masks of a padded batch), with sequences of different lengths.
 */
class LstmSequenceTest {
    private static final String BACKENDS = "dev.jerex.tensor.TestBackends#all";

    /**
     * The composed reference: hh = h W^T, (h', c') = lstmCell(x_t, hh, c); where t >= length the
     * state is kept (h + m (h' - h)) and (h, c) of the step is 0. Returns [B, T, 2H].
     */
    private static Tensor steps(Tensor projected, Tensor weightHh, int[] lengths, boolean reverse) {
        Backend b = projected.backend();
        int rows = projected.size(0), t = projected.size(1), hidden = weightHh.size(1);
        Tensor h = Tensor.zeros(b, rows, hidden), c = Tensor.zeros(b, rows, hidden);
        Tensor[] outs = new Tensor[t];
        for (int i = 0; i < t; i++) {
            int s = reverse ? t - 1 - i : i;
            float[] m = new float[rows];
            for (int r = 0; r < rows; r++) m[r] = s < lengths[r] ? 1f : 0f;
            Tensor mask = Tensor.of(b, m, rows, 1);
            Tensor hc = NnOps.lstmCell(projected.select(1, s), h.matmul(weightHh.t()), c);
            Tensor hNext = hc.narrow(1, 0, hidden), cNext = hc.narrow(1, hidden, hidden);
            h = h.add(mask.mul(hNext.sub(h)));
            c = c.add(mask.mul(cNext.sub(c)));
            outs[s] = hc.mul(mask);
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
        int rows = 5, t = 7, hidden = 6;
        // full, padded with ties, and a batch whose sequences all end before T
        for (int[] lengths : new int[][] {{7, 7, 7, 7, 7}, {7, 6, 6, 3, 1}, {5, 4, 4, 2, 0}}) {
            for (boolean reverse : new boolean[] {false, true}) {
                Tensor x = Tensor.rand(b, new Rng(1), -2f, 2f, rows, t, 4 * hidden).requiresGrad(true);
                Tensor w = Tensor.rand(b, new Rng(2), -0.5f, 0.5f, 4 * hidden, hidden).requiresGrad(true);
                Tensor weights = Tensor.rand(b, new Rng(4), -1f, 1f, rows, t, 2 * hidden);
                Tensor fused = NnOps.lstmSequence(x, w, lengths, reverse), composed = steps(x, w, lengths, reverse);
                Gradients gf = fused.mul(weights).sum().backward(), gc = composed.mul(weights).sum().backward();
                String what = java.util.Arrays.toString(lengths) + (reverse ? " reverse: " : " forward: ");
                assertClose(what + "(h, c)", fused, composed);
                assertClose(what + "d projected", gf.get(x), gc.get(x));
                assertClose(what + "d W_hh", gf.get(w), gc.get(w));
                Tensor inference;
                try (GradMode off = GradMode.noGrad()) {
                    inference = NnOps.lstmSequence(x, w, lengths, reverse);
                }
                assertClose(what + "without gradients", inference, composed);
            }
        }
    }

    /**
     * What the fused op is for: fewer backend calls (kernel launches, on a GPU) per step. Counted
     * through a proxy that passes every call on to the Java backend, forward and backward of T = 8
     * steps: 5 a step for the fused op (gemm and cell; add, cell backward and gemm), plus a fixed few.
     */
    @Test
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
        int[] lengths = {8, 5, 2};
        int[] perRun = new int[2];
        for (int k = 0; k < 2; k++) {
            Tensor x = Tensor.rand(counting, new Rng(1), -1f, 1f, rows, t, 4 * hidden).requiresGrad(true);
            Tensor w = Tensor.rand(counting, new Rng(2), -1f, 1f, 4 * hidden, hidden).requiresGrad(true);
            calls.set(0);
            Tensor out = k == 0 ? steps(x, w, lengths, false) : NnOps.lstmSequence(x, w, lengths, false);
            out.sum().backward();
            perRun[k] = calls.get();
        }
        System.out.printf("[LstmSequenceTest] backend calls for %d steps, forward and backward: composed %d, fused %d%n", t, perRun[0], perRun[1]);
        assertThat(perRun[1]).as("fused: 5 calls a step, plus allocations and the sum's own calls").isLessThanOrEqualTo(5 * t + 30);
        assertThat(perRun[0]).as("composed").isGreaterThan(3 * perRun[1]);
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void badShapesAndLengthsAreRefused(Backend b) {
        Tensor x = Tensor.zeros(b, 3, 4, 8), w = Tensor.zeros(b, 8, 2);
        assertThatThrownBy(() -> NnOps.lstmSequence(x, Tensor.zeros(b, 6, 2), null, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[B, T, 4H] and [4H, H]");
        assertThatThrownBy(() -> NnOps.lstmSequence(x, w, new int[] {2, 4, 1}, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-increasing");
        assertThatThrownBy(() -> NnOps.lstmSequence(x, w, new int[] {5, 4, 1}, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside [0, 4]");
        assertThatThrownBy(() -> NnOps.lstmSequence(x, w, new int[] {4, 4}, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 lengths for 3 rows");
    }
}
