package dev.jerex.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jerex.tensor.GradCheck;
import dev.jerex.tensor.GradMode;
import dev.jerex.tensor.Gradients;
import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SEA's batched, folded computation against its definition, written out span by span:
 * M_s = MHA(F, F, F, hidden = padding ∪ s), G_s = BiGRU(M_s), c(s) = max of G_s over t ∉ s.
 * Values and every gradient (parameters and F).
 */
class SemanticEnhancementAttentionTest {
    private static final String BACKENDS = "dev.jerex.tensor.TestBackends#all";
    private static final int D = 16, HEADS = 4, T = 7;
    private static final int[] LENGTHS = {7, 5};
    // spans: first token, last token, inside, a whole document, one token, a chunk boundary
    private static final int[] DOC = {0, 0, 0, 1, 1, 1, 0};
    private static final int[] START = {0, 6, 2, 0, 3, 1, 1};
    private static final int[] END = {2, 7, 5, 5, 4, 3, 6};

    /** The definition, one span at a time. */
    private static Tensor reference(SemanticEnhancementAttention sea, Tensor f) {
        Backend b = f.backend();
        List<Tensor> contexts = new ArrayList<>();
        for (int s = 0; s < DOC.length; s++) {
            int len = LENGTHS[DOC[s]];
            Tensor fb = f.select(0, DOC[s]).narrow(0, 0, len).unsqueeze(0);          // [1, L, d]
            float[] hidden = new float[len];
            for (int t = START[s]; t < END[s]; t++) hidden[t] = 1f;
            Tensor m = sea.attention.forward(fb, fb, Tensor.of(b, hidden, 1, 1, 1, len), null);
            Tensor g = sea.bigru.forward(m, null).output().select(0, 0);             // [L, d]
            List<Tensor> visible = new ArrayList<>();
            if (START[s] > 0) visible.add(g.narrow(0, 0, START[s]));
            if (END[s] < len) visible.add(g.narrow(0, END[s], len - END[s]));
            contexts.add(visible.isEmpty() ? Tensor.zeros(b, 1, D)
                    : Tensor.concat(0, visible.toArray(new Tensor[0])).max(0, true));
        }
        return Tensor.concat(0, contexts.toArray(new Tensor[0]));
    }

    private record Run(float[] value, Map<String, float[]> grads, float[] inputGrad) {}

    private static Run run(SemanticEnhancementAttention sea, Tensor fValues, Tensor weights,
                           java.util.function.Function<Tensor, Tensor> contexts) {
        Tensor f = fValues.detach().requiresGrad(true);
        Tensor c = contexts.apply(f);
        Gradients grads = c.mul(weights).sum().backward();
        Map<String, float[]> byName = new java.util.TreeMap<>();
        sea.namedParameters().forEach((name, p) -> {
            assertThat(grads.get(p)).as("gradient of " + name).isNotNull();
            byName.put(name, grads.get(p).toArray());
        });
        return new Run(c.toArray(), byName, grads.get(f).toArray());
    }

    private static void assertClose(String what, float[] actual, float[] expected) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as(what + "[" + i + "]")
                    .isLessThanOrEqualTo(2e-5f + 2e-5f * Math.abs(expected[i]));
        }
    }

    /**
     * Chunks of 2 spans (each document's spans in pieces, one piece per BiGRU run), and chunk 0
     * (all of a document's spans in one run), each with documents apart and together (as on a GPU:
     * with chunk 0, all spans of both documents in one run, the shorter document's padded).
     */
    @ParameterizedTest @MethodSource(BACKENDS)
    void equalsTheDefinition(Backend b) {
        for (int run = 0; run < 4; run++) {
            int chunk = run < 2 ? 2 : 0;
            boolean together = run % 2 == 1;
            SemanticEnhancementAttention sea = new SemanticEnhancementAttention(b, D, HEADS, chunk, together);
            sea.resetParameters(new Rng(11));
            Tensor f = Tensor.rand(b, new Rng(12), -1f, 1f, 2, T, D);
            Tensor weights = Tensor.rand(b, new Rng(13), -1f, 1f, DOC.length, D);
            Run expected = run(sea, f, weights, x -> reference(sea, x));
            Run actual = run(sea, f, weights, x -> sea.contexts(x, LENGTHS, DOC, START, END));
            String what = "chunk " + chunk + (together ? ", documents together: " : ": ");
            assertClose(what + "c(s)", actual.value, expected.value);
            assertClose(what + "dF", actual.inputGrad, expected.inputGrad);
            assertThat(actual.grads.keySet()).isEqualTo(expected.grads.keySet());
            expected.grads.forEach((name, g) -> assertClose(what + "d" + name, actual.grads.get(name), g));
            float[] predicted;
            try (GradMode off = GradMode.noGrad()) {
                predicted = sea.contexts(f, LENGTHS, DOC, START, END).toArray();
            }
            assertClose(what + "c(s) without gradients", predicted, expected.value);
        }
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void gradientOfTheInputIsNumericallyRight(Backend b) {
        SemanticEnhancementAttention sea = new SemanticEnhancementAttention(b, 4, 2, 3);
        sea.resetParameters(new Rng(5));
        int[] lengths = {4, 3}, doc = {0, 0, 1, 1}, start = {0, 1, 0, 2}, end = {1, 3, 3, 3};
        GradCheck.check("sea", x -> sea.contexts(x[0], lengths, doc, start, end), Tensor.rand(b, new Rng(6), -1f, 1f, 2, 4, 4));
    }
}
