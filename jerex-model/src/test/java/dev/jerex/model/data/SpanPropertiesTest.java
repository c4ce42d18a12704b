package dev.jerex.model.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jerex.model.data.TestData.ChunkEncoder;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Invariants of windowing, sampling and candidate enumeration on random documents. */
class SpanPropertiesTest {

    @Property(tries = 300)
    void windowsCoverEveryWordFitAndOverlap(@ForAll("pieceCounts") int[] pieces,
                                            @ForAll @IntRange(min = 8, max = 40) int window,
                                            @ForAll @IntRange(min = 0, max = 7) int overlap) {
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
    }

    @Property(tries = 300)
    void samplesRespectSpertsRules(@ForAll("documents") Document document, @ForAll long seed,
                                   @ForAll @IntRange(min = 0, max = 30) int negEntities,
                                   @ForAll @IntRange(min = 0, max = 30) int negRelations,
                                   @ForAll @IntRange(min = 1, max = 6) int maxSpanSize) {
        EncodedDocument encoded = EncodedDocument.encode(document, new ChunkEncoder(2));
        Sampler sampler = new Sampler(new SamplingConfig(negEntities, negRelations, maxSpanSize), 3);

        TrainingSample sample = sampler.trainingSample(encoded, new Random(seed));

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
    }

    @Property(tries = 200)
    void candidatesAreAllSpansUpToTheLimit(@ForAll("documents") Document document,
                                           @ForAll @IntRange(min = 1, max = 8) int maxSpanSize) {
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
    }

    @Provide
    Arbitrary<int[]> pieceCounts() {
        return Arbitraries.integers().between(1, 8).array(int[].class).ofMinSize(1).ofMaxSize(60);
    }

    @Provide
    Arbitrary<Document> documents() {
        return Arbitraries.randomValue(random -> {
            List<Document> documents;
            do {
                documents = DatasetPropertiesTest.randomDocuments(random);
            } while (documents.isEmpty());
            return documents.get(0);
        });
    }

    private static int sum(int[] values, int from, int to) {
        int total = 0;
        for (int i = from; i < to; i++) {
            total += values[i];
        }
        return total;
    }
}
