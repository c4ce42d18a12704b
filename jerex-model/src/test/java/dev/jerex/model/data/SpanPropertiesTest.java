package dev.jerex.model.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jerex.model.data.TestData.ChunkEncoder;
import dev.jerex.testing.RandomText;
import dev.jerex.testing.SeededCases;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Invariants of windowing, sampling and candidate enumeration on random documents, from seeded
 * generators ({@link SeededCases}); a failure names the case and its input.
 */
class SpanPropertiesTest {
    private static final long SEED = 20261126L;

    /** 1-60 words of 1-8 pieces each, a window of 8-40 pieces and an overlap of 0-7. */
    private record WindowCase(int[] pieces, int window, int overlap) {
        static WindowCase draw(Random random) {
            int[] pieces = new int[RandomText.between(random, 1, 60)];
            Arrays.setAll(pieces, i -> RandomText.between(random, 1, 8));
            return new WindowCase(pieces, RandomText.between(random, 8, 40), RandomText.between(random, 0, 7));
        }

        @Override
        public String toString() {
            return "pieces " + Arrays.toString(pieces) + ", window " + window + ", overlap " + overlap;
        }
    }

    /** A document, the sampler's seed, 0-30 negative entities, 0-30 negative relations, spans of 1-6 words. */
    private record SamplingCase(Document document, long seed, int negEntities, int negRelations, int maxSpanSize) {
        static SamplingCase draw(Random random) {
            return new SamplingCase(randomDocument(random), random.nextLong(), RandomText.between(random, 0, 30),
                    RandomText.between(random, 0, 30), RandomText.between(random, 1, 6));
        }
    }

    /** A document and a span limit of 1-8 words. */
    private record CandidateCase(Document document, int maxSpanSize) {
        static CandidateCase draw(Random random) {
            return new CandidateCase(randomDocument(random), RandomText.between(random, 1, 8));
        }
    }

    @Test
    void windowsCoverEveryWordFitAndOverlap() {
        SeededCases.check(SEED, 300, WindowCase::draw, c -> {
            int[] pieces = c.pieces();
            int window = c.window();
            int overlap = c.overlap();
            List<int[]> windows = new Windowing(window, overlap).plan(pieces);

            assertThat(windows.get(0)[0]).isZero();
            assertThat(windows.get(windows.size() - 1)[1]).isEqualTo(pieces.length);
            for (int w = 0; w < windows.size(); w++) {
                int[] range = windows.get(w);
                assertThat(sum(pieces, range[0], range[1])).isLessThanOrEqualTo(window);
                if (w > 0) {
                    int[] previous = windows.get(w - 1);
                    assertThat(range[0]).isGreaterThan(previous[0]).isLessThanOrEqualTo(previous[1]);
                    // the shared words hold at least `overlap` pieces unless that would stall progress
                    if (range[0] > previous[0] + 1) {
                        assertThat(sum(pieces, range[0], previous[1])).isGreaterThanOrEqualTo(overlap);
                    }
                }
            }
        });
    }

    @Test
    void samplesRespectSpertsRules() {
        SeededCases.check(SEED, 300, SamplingCase::draw, c -> {
            Document document = c.document();
            int negEntities = c.negEntities();
            int negRelations = c.negRelations();
            int maxSpanSize = c.maxSpanSize();
            EncodedDocument encoded = EncodedDocument.encode(document, new ChunkEncoder(2));
            Sampler sampler = new Sampler(new SamplingConfig(negEntities, negRelations, maxSpanSize), 3);

            TrainingSample sample = sampler.trainingSample(encoded, new Random(c.seed()));

            int positives = document.entities().size();
            assertThat(sample.positiveEntityCount()).isEqualTo(positives);
            Set<List<Integer>> goldSpans = new HashSet<>();
            for (int i = 0; i < positives; i++) {
                goldSpans.add(List.of(encoded.entityRange(i).start(), encoded.entityRange(i).end()));
            }
            int[] starts = sample.entityStarts();
            int[] ends = sample.entityEnds();
            int[] mask = sample.entitySampleMask();
            Set<List<Integer>> negatives = new HashSet<>();
            for (int i = positives; i < sample.entityCount(); i++) {
                if (mask[i] == 0) {
                    continue;
                }
                List<Integer> span = List.of(starts[i], ends[i]);
                assertThat(goldSpans).doesNotContain(span);
                assertThat(negatives.add(span)).as("negatives are drawn without replacement").isTrue();
                assertThat(sample.entityWidths()[i]).isBetween(1, maxSpanSize);
            }
            assertThat(negatives.size()).isLessThanOrEqualTo(negEntities);

            int relationRows = sample.relationCount();
            int[] relationMask = sample.relationSampleMask();
            float[][] labels = sample.relationLabels();
            for (int r = 0; r < relationRows; r++) {
                if (relationMask[r] == 0) {
                    continue;
                }
                int head = sample.relationHeads()[r];
                int tail = sample.relationTails()[r];
                assertThat(head).isBetween(0, positives - 1);
                assertThat(tail).isBetween(0, positives - 1);
                float labelSum = 0;
                for (float label : labels[r]) {
                    labelSum += label;
                }
                assertThat(labelSum > 0).isEqualTo(r < sample.positiveRelationCount());
                int contextStart = sample.relationContextStarts()[r];
                int contextEnd = sample.relationContextEnds()[r];
                if (contextEnd > contextStart) {
                    // strictly between the two spans
                    boolean headFirst = ends[head] <= contextStart && contextEnd <= starts[tail];
                    boolean tailFirst = ends[tail] <= contextStart && contextEnd <= starts[head];
                    assertThat(headFirst || tailFirst).isTrue();
                }
            }
            assertThat(relationRows - sample.positiveRelationCount()).isLessThanOrEqualTo(Math.max(1, negRelations));
        });
    }

    @Test
    void candidatesAreAllSpansUpToTheLimit() {
        SeededCases.check(SEED, 200, CandidateCase::draw, c -> {
            Document document = c.document();
            int maxSpanSize = c.maxSpanSize();
            EncodedDocument encoded = EncodedDocument.encode(document, new ChunkEncoder(2));

            InferenceCandidates candidates = InferenceCandidates.enumerate(encoded, maxSpanSize);

            Set<List<Integer>> spans = new HashSet<>();
            for (int i = 0; i < candidates.count(); i++) {
                int start = candidates.wordStarts()[i];
                int end = candidates.wordEnds()[i];
                assertThat(end - start).isEqualTo(candidates.widths()[i]).isBetween(1, maxSpanSize);
                assertThat(candidates.subwordRange(i)).isEqualTo(encoded.spanRange(start, end));
                spans.add(List.of(start, end));
            }
            int n = document.wordCount();
            int k = Math.min(maxSpanSize, n);
            assertThat(spans).hasSize(candidates.count()).hasSize(k * n - k * (k - 1) / 2);
        });
    }

    /** The first document of a non-empty {@link DatasetPropertiesTest#randomDocuments} draw. */
    private static Document randomDocument(Random random) {
        List<Document> documents;
        do {
            documents = DatasetPropertiesTest.randomDocuments(random);
        } while (documents.isEmpty());
        return documents.get(0);
    }

    private static int sum(int[] values, int from, int to) {
        int total = 0;
        for (int i = from; i < to; i++) {
            total += values[i];
        }
        return total;
    }
}
