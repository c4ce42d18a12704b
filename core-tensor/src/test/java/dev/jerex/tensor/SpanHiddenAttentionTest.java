package dev.jerex.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.JavaBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link NnOps#spanHiddenAttention} against its definition, span by span: a softmax over the
 * scores with the span's keys set to -inf, times the values, summed over heads. Values and both
 * gradients, on sentences long enough for many spans to share a start or an end.
 */
class SpanHiddenAttentionTest {
    private static final String BACKENDS = "dev.jerex.tensor.TestBackends#all";

    /** out_s = sum_h softmax(scores_h with keys [a, b) at -inf) values_h; zeros when [a, b) covers all keys. */
    private static Tensor definition(Tensor scores, Tensor values, int[] start, int[] end) {
        int heads = scores.size(0), len = scores.size(1);
        List<Tensor> perSpan = new ArrayList<>();
        for (int s = 0; s < start.length; s++) {
            if (start[s] == 0 && end[s] == len) {
                perSpan.add(values.sum(0, false).mul(0f).unsqueeze(0));
                continue;
            }
            float[] hidden = new float[len];
            for (int j = start[s]; j < end[s]; j++) hidden[j] = 1f;
            Tensor p = scores.maskedFill(Tensor.of(scores.backend(), hidden, 1, 1, len), Float.NEGATIVE_INFINITY).softmax(-1);
            perSpan.add(p.matmul(values).sum(0, false).unsqueeze(0));   // [1, L, G]
        }
        return Tensor.concat(0, perSpan.toArray(new Tensor[0]));
    }

    /** Every span of up to {@code maxWidth} keys, and the whole sentence. */
    private static int[][] allSpans(int len, int maxWidth) {
        List<int[]> spans = new ArrayList<>();
        for (int a = 0; a < len; a++) for (int b = a + 1; b <= Math.min(len, a + maxWidth); b++) spans.add(new int[] {a, b});
        spans.add(new int[] {0, len});
        int[][] out = new int[2][spans.size()];
        for (int i = 0; i < spans.size(); i++) {
            out[0][i] = spans.get(i)[0];
            out[1][i] = spans.get(i)[1];
        }
        return out;
    }

    private static void assertClose(String what, Tensor actual, Tensor expected, float tol) {
        float[] a = actual.toArray(), e = expected.toArray();
        assertThat(a).as(what).hasSameSizeAs(e);
        for (int i = 0; i < a.length; i++) {
            int at = i;
            assertThat(Math.abs(a[i] - e[i])).as(() -> what + " at " + at + ": " + a[at] + " vs " + e[at]).isLessThanOrEqualTo(tol * (1 + Math.abs(e[at])));
        }
    }

    private static void compareWithDefinition(Backend b, Tensor scoresIn, int len, int heads, int width, int maxWidth) {
        int[][] spans = allSpans(len, maxWidth);
        Tensor values = Tensor.rand(b, new Rng(7), -1f, 1f, heads, len, width).requiresGrad(true);
        Tensor scores = scoresIn.requiresGrad(true);
        float[] weights = new Rng(8).uniform(spans[0].length * len * width, -1f, 1f);
        Tensor w = Tensor.of(b, weights, spans[0].length, len, width);

        Tensor fast = NnOps.spanHiddenAttention(scores, values, spans[0], spans[1]);
        Gradients gFast = fast.mul(w).sum().backward();
        Tensor slow = definition(scores, values, spans[0], spans[1]);
        Gradients gSlow = slow.mul(w).sum().backward();

        assertClose("out", fast, slow, 2e-5f);
        assertClose("d scores", gFast.get(scores), gSlow.get(scores), 2e-4f);
        assertClose("d values", gFast.get(values), gSlow.get(values), 2e-4f);
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void matchesTheDefinitionOnEverySpan(Backend b) {
        int len = 17, heads = 3, width = 11;
        compareWithDefinition(b, Tensor.rand(b, new Rng(6), -3f, 3f, heads, len, len), len, heads, width, 6);
    }

    /** Some queries put all their weight (gap 120) on one key: spans hiding it see a mass of e^-120, below float range. */
    @ParameterizedTest @MethodSource(BACKENDS)
    void matchesTheDefinitionWhenTheHiddenKeyTakesAllTheWeight(Backend b) {
        int len = 9, heads = 2, width = 4;
        float[] s = new Rng(9).uniform(heads * len * len, -1f, 1f);
        for (int r = 0; r < heads * len; r += 2) s[r * len + (r % len)] += 120f;
        compareWithDefinition(b, Tensor.of(b, s, heads, len, len), len, heads, width, 3);
    }

    /** A span whose visible keys all score -inf (say, padding masked upstream) attends to nothing: 0, no NaN. */
    @ParameterizedTest @MethodSource(BACKENDS)
    void visibleKeysAllAtMinusInfinityGiveZerosAndNoGradient(Backend b) {
        int len = 4, heads = 2, width = 3;
        float[] s = new Rng(12).uniform(heads * len * len, -1f, 1f);
        for (int r = 0; r < heads * len; r++) for (int j = 2; j < len; j++) s[r * len + j] = Float.NEGATIVE_INFINITY;
        Tensor scores = Tensor.of(b, s, heads, len, len).requiresGrad(true);
        Tensor values = Tensor.rand(b, new Rng(13), -1f, 1f, heads, len, width).requiresGrad(true);
        int[] start = {0, 1}, end = {2, 2};   // span 0 leaves keys 2, 3 (-inf) visible; span 1 also key 0
        Tensor out = NnOps.spanHiddenAttention(scores, values, start, end);
        Gradients g = out.sum().backward();
        float[] o = out.toArray();
        for (int i = 0; i < len * width; i++) assertThat(o[i]).as("span 0 out at " + i).isZero();
        for (int i = len * width; i < o.length; i++) assertThat(o[i]).as("span 1 out at " + i).isFinite().isNotZero();
        assertThat(g.get(scores).toArray()).as("d scores").doesNotContain(Float.NaN);
        assertThat(g.get(values).toArray()).as("d values").doesNotContain(Float.NaN);
    }

    /** Several threads split the queries (forward) and the heads (backward): the same numbers. */
    @Test
    void threadsAgreeWithOneThread() {
        int len = 23, heads = 4, width = 9;
        int[][] spans = allSpans(len, 5);
        float[] sc = new Rng(10).uniform(heads * len * len, -2f, 2f), va = new Rng(11).uniform(heads * len * width, -1f, 1f);
        float[][] results = new float[2][];
        float[][] grads = new float[2][];
        int k = 0;
        for (Backend b : List.<Backend>of(new JavaBackend(1), new JavaBackend(3))) {
            Tensor scores = Tensor.of(b, sc, heads, len, len).requiresGrad(true);
            Tensor out = NnOps.spanHiddenAttention(scores, Tensor.of(b, va, heads, len, width), spans[0], spans[1]);
            results[k] = out.toArray();
            grads[k++] = out.mul(out).sum().backward().get(scores).toArray();
        }
        assertThat(results[1]).containsExactly(results[0]);
        assertThat(grads[1]).containsExactly(grads[0]);
    }

    @Test
    void spansOutsideTheSentenceAreRefused() {
        Backend b = TestBackends.java();
        Tensor scores = Tensor.zeros(b, 1, 4, 4), values = Tensor.zeros(b, 1, 4, 2);
        assertThatThrownBy(() -> NnOps.spanHiddenAttention(scores, values, new int[] {2}, new int[] {5}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("span 0 [2, 5)");
        assertThatThrownBy(() -> NnOps.spanHiddenAttention(scores, values, new int[] {3}, new int[] {3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("span 0 [3, 3)");
    }
}
