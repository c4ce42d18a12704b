package dev.jerex.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.CallCounter;
import dev.jerex.tensor.backend.JavaBackend;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link NnOps#gruSequence} and {@link NnOps#lstmSequence} against the same steps composed with
 * autograd ({@link NnOps#gruCell} / {@link NnOps#lstmCell}, matmul and, for padded rows, the
 * masks of {@code Recurrent}): values, every gradient, inference without gradients, the backend
 * calls they save, and the inputs they refuse.
 */
class RecurrentSequenceTest {
    private static final String BACKENDS = "dev.jerex.tensor.TestBackends#all";
    /** Unpadded, padded with ties, and a batch whose sequences all end before T (rows = 5, T = 7). */
    private static final int[][] LENGTHS = {null, {7, 6, 6, 3, 1}, {5, 4, 4, 2, 0}};

    /** [rows, 1]: 1 where step s is inside the row's sequence. */
    private static Tensor stepMask(Backend b, int rows, int s, int[] lengths) {
        float[] m = new float[rows];
        for (int r = 0; r < rows; r++) m[r] = lengths == null || s < lengths[r] ? 1f : 0f;
        return Tensor.of(b, m, rows, 1);
    }

    /** GRU reference: hh = h W^T + b, h' = gruCell(x_t, hh, h); past a row's end h is kept and the output is 0. */
    private static Tensor gruSteps(Tensor projected, Tensor weightHh, Tensor biasHh, int[] lengths, boolean reverse) {
        int rows = projected.size(0), t = projected.size(1), hidden = weightHh.size(1);
        Tensor h = Tensor.zeros(projected.backend(), rows, hidden);
        Tensor[] outs = new Tensor[t];
        for (int i = 0; i < t; i++) {
            int s = reverse ? t - 1 - i : i;
            Tensor mask = stepMask(projected.backend(), rows, s, lengths);
            Tensor next = NnOps.gruCell(projected.select(1, s), h.matmul(weightHh.t()).add(biasHh), h);
            h = h.add(mask.mul(next.sub(h)));
            outs[s] = next.mul(mask);
        }
        return Tensor.stack(1, outs);
    }

    /** LSTM reference, [B, T, 2H] = (h, c) of each step: hh = h W^T, (h', c') = lstmCell(x_t, hh, c), masked as above. */
    private static Tensor lstmSteps(Tensor projected, Tensor weightHh, int[] lengths, boolean reverse) {
        int rows = projected.size(0), t = projected.size(1), hidden = weightHh.size(1);
        Tensor h = Tensor.zeros(projected.backend(), rows, hidden), c = Tensor.zeros(projected.backend(), rows, hidden);
        Tensor[] outs = new Tensor[t];
        for (int i = 0; i < t; i++) {
            int s = reverse ? t - 1 - i : i;
            Tensor mask = stepMask(projected.backend(), rows, s, lengths);
            Tensor hc = NnOps.lstmCell(projected.select(1, s), h.matmul(weightHh.t()), c);
            h = h.add(mask.mul(hc.narrow(1, 0, hidden).sub(h)));
            c = c.add(mask.mul(hc.narrow(1, hidden, hidden).sub(c)));
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

    /** Values and gradients of the fused op (fused.apply(false)) and the composed steps (apply(true)), and the fused op without gradients. */
    private static void compare(String what, Tensor weights, java.util.function.Function<Boolean, Tensor> run, Tensor... inputs) {
        Tensor fused = run.apply(false), composed = run.apply(true);
        Gradients gf = fused.mul(weights).sum().backward(), gc = composed.mul(weights).sum().backward();
        assertClose(what + "outputs", fused, composed);
        for (int i = 0; i < inputs.length; i++) assertClose(what + "d input " + i, gf.get(inputs[i]), gc.get(inputs[i]));
        Tensor inference;
        try (GradMode off = GradMode.noGrad()) {
            inference = run.apply(false);
        }
        assertClose(what + "without gradients", inference, composed);
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void gruEqualsTheComposedStepsWithEveryGradient(Backend b) {
        int rows = 5, t = 7, hidden = 9;
        for (int[] lengths : LENGTHS) {
            for (boolean reverse : new boolean[] {false, true}) {
                Tensor x = Tensor.rand(b, new Rng(1), -2f, 2f, rows, t, 3 * hidden).requiresGrad(true);
                Tensor w = Tensor.rand(b, new Rng(2), -0.5f, 0.5f, 3 * hidden, hidden).requiresGrad(true);
                Tensor bias = Tensor.rand(b, new Rng(3), -0.5f, 0.5f, 3 * hidden).requiresGrad(true);
                compare("GRU " + Arrays.toString(lengths) + (reverse ? " reverse: " : " forward: "), Tensor.rand(b, new Rng(4), -1f, 1f, rows, t, hidden),
                        composed -> composed ? gruSteps(x, w, bias, lengths, reverse) : NnOps.gruSequence(x, w, bias, lengths, reverse), x, w, bias);
            }
        }
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void lstmEqualsTheComposedStepsWithEveryGradient(Backend b) {
        int rows = 5, t = 7, hidden = 6;
        for (int[] lengths : LENGTHS) {
            for (boolean reverse : new boolean[] {false, true}) {
                Tensor x = Tensor.rand(b, new Rng(1), -2f, 2f, rows, t, 4 * hidden).requiresGrad(true);
                Tensor w = Tensor.rand(b, new Rng(2), -0.5f, 0.5f, 4 * hidden, hidden).requiresGrad(true);
                compare("LSTM " + Arrays.toString(lengths) + (reverse ? " reverse: " : " forward: "), Tensor.rand(b, new Rng(4), -1f, 1f, rows, t, 2 * hidden),
                        composed -> composed ? lstmSteps(x, w, lengths, reverse) : NnOps.lstmSequence(x, w, lengths, reverse), x, w);
            }
        }
    }

    /**
     * What the fused ops are for: fewer backend calls (kernel launches, on a GPU) per step. Counted
     * by a {@link CallCounter} in front of the Java backend, forward and backward of T = 8
     * steps with lengths 8, 5, 2 (allocations count too): 5 a step for a fused op (gemm and cell;
     * add, cell backward and gemm), plus a fixed few; several times as many for the composed steps.
     */
    @Test
    void makeFewerBackendCallsThanTheComposedSteps() {
        CallCounter calls = new CallCounter();
        Backend counting = calls.counting(new JavaBackend(1));
        int rows = 3, t = 8, hidden = 4;
        int[] lengths = {8, 5, 2};
        for (String cell : new String[] {"GRU", "LSTM"}) {
            int gates = cell.equals("GRU") ? 3 : 4;
            int[] perRun = new int[2];
            for (int k = 0; k < 2; k++) {
                Tensor x = Tensor.rand(counting, new Rng(1), -1f, 1f, rows, t, gates * hidden).requiresGrad(true);
                Tensor w = Tensor.rand(counting, new Rng(2), -1f, 1f, gates * hidden, hidden).requiresGrad(true);
                Tensor bias = Tensor.rand(counting, new Rng(3), -1f, 1f, gates * hidden).requiresGrad(true);
                long before = calls.total();
                Tensor out = cell.equals("GRU")
                        ? (k == 0 ? gruSteps(x, w, bias, lengths, false) : NnOps.gruSequence(x, w, bias, lengths, false))
                        : (k == 0 ? lstmSteps(x, w, lengths, false) : NnOps.lstmSequence(x, w, lengths, false));
                out.sum().backward();
                perRun[k] = (int) (calls.total() - before);
            }
            System.out.printf("[RecurrentSequenceTest] %s: backend calls for %d steps, forward and backward: composed %d, fused %d%n", cell, t, perRun[0], perRun[1]);
            assertThat(perRun[1]).as(cell + " fused: 5 calls a step, plus allocations and the sum's own calls").isLessThanOrEqualTo(5 * t + 30);
            assertThat(perRun[0]).as(cell + " composed").isGreaterThan(3 * perRun[1]);
        }
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void shapesAndLengthsThatDoNotFitAreRefused(Backend b) {
        Tensor x3 = Tensor.zeros(b, 2, 3, 6), w3 = Tensor.zeros(b, 6, 2), bias = Tensor.zeros(b, 6);
        assertThatThrownBy(() -> NnOps.gruSequence(x3, Tensor.zeros(b, 6, 3), bias, null, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[B, T, 3H], [3H, H], [3H]");
        assertThatThrownBy(() -> NnOps.gruSequence(x3.reshape(6, 6), w3, bias, null, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NnOps.gruSequence(x3, w3, bias, new int[] {2, 3}, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gruSequence: lengths must be non-increasing");
        Tensor x4 = Tensor.zeros(b, 3, 4, 8), w4 = Tensor.zeros(b, 8, 2);
        assertThatThrownBy(() -> NnOps.lstmSequence(x4, Tensor.zeros(b, 6, 2), null, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[B, T, 4H] and [4H, H]");
        assertThatThrownBy(() -> NnOps.lstmSequence(x4, w4, new int[] {2, 4, 1}, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lstmSequence: lengths must be non-increasing");
        assertThatThrownBy(() -> NnOps.lstmSequence(x4, w4, new int[] {5, 4, 1}, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside [0, 4]");
        assertThatThrownBy(() -> NnOps.lstmSequence(x4, w4, new int[] {4, 4}, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 lengths for 3 rows");
    }
}
