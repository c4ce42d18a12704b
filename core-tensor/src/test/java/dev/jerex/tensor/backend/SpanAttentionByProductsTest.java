package dev.jerex.tensor.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Storage;
import org.junit.jupiter.api.Test;

/**
 * The matrix-product formulation of span-hidden attention (what the CUDA backend runs), with its
 * reference kernels on the Java backend, against JavaBackend's prefix / suffix sums: forward and
 * both gradients, in one chunk and in chunks of a few spans.
 */
class SpanAttentionByProductsTest {
    private final JavaBackend java = new JavaBackend(1);

    private record Case(String name, int heads, int len, int width, int[] start, int[] end, float[] scores) {}

    private static Case randomCase(String name, int heads, int len, int width, int spans, long seed) {
        Rng rng = new Rng(seed);
        float[] scores = rng.uniform(heads * len * len, -3f, 3f);
        int[] start = new int[spans], end = new int[spans];
        float[] r = rng.uniform(2 * spans, 0f, 1f);
        for (int s = 0; s < spans; s++) {
            start[s] = (int) (r[2 * s] * len);
            end[s] = Math.min(len, start[s] + 1 + (int) (r[2 * s + 1] * 4));
        }
        start[0] = 0;   // one span hides every key
        end[0] = len;
        return new Case(name, heads, len, width, start, end, scores);
    }

    /** Keys 2..4 outscore the rest by 60: spans hiding them see a visible mass of about e^-60. */
    private static Case dominatedCase() {
        Case c = randomCase("hidden keys +60", 3, 9, 5, 6, 3);
        for (int r = 0; r < 3 * 9; r++) for (int j = 2; j <= 4; j++) c.scores()[r * 9 + j] += 60f;
        int[] start = {2, 2, 3, 0, 1, 4}, end = {5, 4, 5, 9, 6, 5};
        return new Case(c.name(), 3, 9, 5, start, end, c.scores());
    }

    private float[] read(Storage s) {
        float[] out = new float[s.size()];
        java.download(s, 0, out, 0, out.length);
        return out;
    }

    private static void assertClose(String what, float[] actual, float[] expected, double tol) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            if (Float.isInfinite(expected[i])) {
                assertThat(actual[i]).as(what + " at " + i).isEqualTo(expected[i]);
                continue;
            }
            assertThat((double) Math.abs(actual[i] - expected[i])).as(what + " at " + i + ": " + actual[i] + " vs " + expected[i])
                    .isLessThanOrEqualTo(tol * (1 + Math.abs(expected[i])));
        }
    }

    private void check(Case c, long chunkFloats) {
        int h = c.heads(), l = c.len(), g = c.width(), spans = c.start().length;
        String what = c.name() + " (chunks of " + chunkFloats + " weights)";
        Storage scores = java.upload(c.scores());
        Storage values = java.upload(new Rng(5).uniform(h * l * g, -1f, 1f));
        Storage gOut = java.upload(new Rng(6).uniform(spans * l * g, -1f, 1f));

        Storage outRef = java.allocate(spans * l * g), lseRef = java.allocate(spans * h * l);
        java.spanHiddenAttention(scores, 0, values, 0, h, l, g, c.start(), c.end(), outRef, lseRef);
        Storage out = java.allocate(spans * l * g), lse = java.allocate(spans * h * l);
        SpanAttentionByProducts.forward(java, SpanAttentionByProducts.JAVA_KERNELS, scores, 0, values, 0, h, l, g,
                c.start(), c.end(), out, lse, chunkFloats);
        assertClose(what + ": out", read(out), read(outRef), 1e-5);
        assertClose(what + ": lse", read(lse), read(lseRef), 1e-6);

        Storage gsRef = java.allocate(h * l * l), gvRef = java.allocate(h * l * g);
        java.spanHiddenAttentionBackward(scores, 0, values, 0, lseRef, gOut, 0, h, l, g, c.start(), c.end(), gsRef, gvRef);
        Storage gs = java.upload(new Rng(7).uniform(h * l * l, -9f, 9f)), gv = java.upload(new Rng(8).uniform(h * l * g, -9f, 9f));
        SpanAttentionByProducts.backward(java, SpanAttentionByProducts.JAVA_KERNELS, scores, 0, values, 0, gOut, 0, h, l, g,
                c.start(), c.end(), gs, gv, chunkFloats);
        assertClose(what + ": d scores", read(gs), read(gsRef), 1e-4);
        assertClose(what + ": d values", read(gv), read(gvRef), 1e-4);
    }

    @Test
    void agreesWithThePrefixSumsInOneChunkAndInSeveral() {
        for (Case c : new Case[] {randomCase("random", 3, 7, 5, 6, 1), randomCase("random, longer", 4, 23, 9, 17, 2), dominatedCase()}) {
            long perSpan = (long) c.len() * c.heads() * c.len();
            check(c, Long.MAX_VALUE);      // every span in one chunk
            check(c, 3 * perSpan + 1);     // chunks of 3 spans, the last one shorter
            check(c, 1);                   // one span per chunk
        }
    }

    @Test
    void noSpansLeaveTheOutputAloneAndZeroTheGradients() {
        Storage scores = java.upload(new float[2 * 3 * 3]), values = java.upload(new float[2 * 3 * 4]);
        Storage gs = java.upload(new Rng(9).uniform(18, 1f, 2f)), gv = java.upload(new Rng(10).uniform(24, 1f, 2f));
        SpanAttentionByProducts.backward(java, SpanAttentionByProducts.JAVA_KERNELS, scores, 0, values, 0,
                java.allocate(0), 0, 2, 3, 4, new int[0], new int[0], gs, gv);
        assertThat(read(gs)).containsOnly(0f);
        assertThat(read(gv)).containsOnly(0f);
    }
}
