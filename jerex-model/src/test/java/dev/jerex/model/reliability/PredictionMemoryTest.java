package dev.jerex.model.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jerex.model.TinyWorld;
import dev.jerex.model.api.Extraction;
import dev.jerex.model.api.Extractor;
import dev.jerex.tensor.backend.Backends;
import dev.jerex.tensor.backend.PoolStats;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tensor memory of one prediction is bounded by the window, not by the number of entity pairs: a
 * model that keeps k spans scores k (k - 1) pairs in chunks, and each chunk's activations are
 * released before the next (found by benchmarks' Soak, where an untrained model ran out of direct
 * memory on a 600-word document).
 */
class PredictionMemoryTest {
    @TempDir
    static Path tmp;

    /** Peak live tensor bytes above what was live before, while extracting from the text. */
    private static long peak(Extractor x, String text, int[] entities) {
        long before = PoolStats.liveBytes();
        PoolStats.resetPeak();
        Extraction e = x.extract(text);
        entities[0] = e.entities().size();
        return PoolStats.peakLiveBytes() - before;
    }

    @Test
    void manyEntityPairsDoNotGrowThePeakOfAPrediction() throws Exception {
        String sentence = "Alice Smith works for Acme Corp in Paris";   // 8 words
        String small = String.join(" ", Collections.nCopies(2, sentence)), large = String.join(" ", Collections.nCopies(5, sentence));
        // Holding every relation chunk to the end made the peak grow with the pairs (measured: spert 9.7x for 9.6x the
        // pairs); released chunk by chunk it grows with the spans and the length only (spert 1.3-2.8x, full 2.4x).
        for (String variant : new String[] {"spert", "full"}) {
            Path model = new TinyWorld(8, 3).writeUntrainedModel(tmp.resolve("model-" + variant), variant, 13);
            try (Extractor x = Extractor.load(model, Backends.java(), null)) {
                int[] smallEntities = new int[1], largeEntities = new int[1];
                long smallPeak = peak(x, small, smallEntities), largePeak = peak(x, large, largeEntities);
                System.out.printf("[memory] %s: peak live tensor bytes of one prediction: %,d (16 words, %d entities), %,d (40 words, %d entities)%n",
                        variant, smallPeak, smallEntities[0], largePeak, largeEntities[0]);
                // the untrained heads keep most spans: the large text has ~3x the spans and ~10x the pairs of the small one
                double pairRatio = largeEntities[0] * (largeEntities[0] - 1.0) / (smallEntities[0] * (smallEntities[0] - 1.0));
                assertThat(pairRatio).isGreaterThan(6);
                assertThat((double) largePeak).as("%s: peak of the large text vs the small, %.1fx the pairs", variant, pairRatio)
                        .isLessThan(smallPeak * pairRatio / 2);
            }
        }
    }
}
