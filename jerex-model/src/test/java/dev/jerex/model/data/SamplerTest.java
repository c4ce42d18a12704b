package dev.jerex.model.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jerex.model.data.TestData.ChunkEncoder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static final Types TYPES = TestData.tinyTypes();
    private static final EntityType PEOP = TYPES.entityType("Peop").orElseThrow();
    private static final EntityType ORG = TYPES.entityType("Org").orElseThrow();
    private static final RelationType WORK_FOR = TYPES.relationType("Work_For").orElseThrow();
    private static final RelationType LIVE_IN = TYPES.relationType("Live_In").orElseThrow();

    private static EncodedDocument bruno() {
        return EncodedDocument.encode(EncodedDocumentTest.brunoDocument(), new ChunkEncoder());
    }

    @Test
    void positivesComeFirstAndNegativesAreAllNonGoldSpans() {
        Sampler sampler = new Sampler(new SamplingConfig(1000, 1000, 3), TYPES.relationTypeCount());

        TrainingSample sample = sampler.trainingSample(bruno(), new Random(1));

        // 6 words, spans of width 1..3: 6 + 5 + 4 = 15, minus the 2 gold spans
        assertThat(sample.positiveEntityCount()).isEqualTo(2);
        assertThat(sample.entityCount()).isEqualTo(2 + 13);
        assertThat(sample.entityStarts()).startsWith(1, 9);
        assertThat(sample.entityEnds()).startsWith(6, 11);
        assertThat(sample.entityWidths()).startsWith(2, 1);
        assertThat(sample.entityLabels()).startsWith(PEOP.index(), ORG.index());
        int[] labels = sample.entityLabels();
        int[] widths = sample.entityWidths();
        Set<List<Integer>> negativeSpans = new HashSet<>();
        for (int i = 2; i < sample.entityCount(); i++) {
            assertThat(labels[i]).isZero();
            assertThat(widths[i]).isBetween(1, 3);
            negativeSpans.add(List.of(sample.entityStarts()[i], sample.entityEnds()[i]));
        }
        assertThat(negativeSpans).hasSize(13).doesNotContain(List.of(1, 6), List.of(9, 11));
        assertThat(sample.entitySampleMask()).containsOnly(1);
        assertThat(sample.inputIds()).hasSize(13);
        assertThat(sample.contextLength()).isEqualTo(13);
    }

    @Test
    void reverseOfAPositivePairIsANegative() {
        Sampler sampler = new Sampler(new SamplingConfig(0, 1000, 3), TYPES.relationTypeCount());

        TrainingSample sample = sampler.trainingSample(bruno(), new Random(1));

        assertThat(sample.relationCount()).isEqualTo(2);
        assertThat(sample.positiveRelationCount()).isEqualTo(1);
        assertThat(sample.relationHeads()).containsExactly(0, 1);
        assertThat(sample.relationTails()).containsExactly(1, 0);
        assertThat(sample.relationLabels()[0]).containsExactly(1f, 0f, 0f);
        assertThat(sample.relationLabels()[1]).containsExactly(0f, 0f, 0f);
        // Bruno Pusterla [1,6) ... ACME [9,11): "works for" = [6,9) lies between, in both directions
        assertThat(sample.relationContextStarts()).containsExactly(6, 6);
        assertThat(sample.relationContextEnds()).containsExactly(9, 9);
        assertThat(sample.relationSampleMask()).containsExactly(1, 1);
    }

    @Test
    void relationsOfOnePairShareOneMultiHotSample() {
        Document base = EncodedDocumentTest.brunoDocument();
        Document document = new Document(0, null, base.tokens(), base.entities(),
                List.of(new Relation(WORK_FOR, 0, 1), new Relation(LIVE_IN, 0, 1)));

        TrainingSample sample = new Sampler(new SamplingConfig(0, 0, 3), 3)
                .trainingSample(EncodedDocument.encode(document, new ChunkEncoder()), new Random(1));

        assertThat(sample.relationCount()).isEqualTo(1);
        assertThat(sample.relationLabels()[0]).containsExactly(1f, 1f, 0f);
    }

    @Test
    void adjacentSpansHaveAnEmptyContext() {
        Document document = new Document(0, null, List.of("a", "b", "c"),
                List.of(new Entity(PEOP, 0, 1), new Entity(ORG, 1, 2)), List.of(new Relation(WORK_FOR, 0, 1)));

        TrainingSample sample = new Sampler(new SamplingConfig(0, 10, 3), 3)
                .trainingSample(EncodedDocument.encode(document, new ChunkEncoder()), new Random(1));

        assertThat(sample.relationContextStarts()).containsExactly(0, 0);
        assertThat(sample.relationContextEnds()).containsExactly(0, 0);
    }

    @Test
    void countsAreCappedAndSamplingIsReproducible() {
        Sampler sampler = new Sampler(new SamplingConfig(5, 0, 3), 3);

        TrainingSample first = sampler.trainingSample(bruno(), new SplittableRandom(42));
        TrainingSample again = sampler.trainingSample(bruno(), new SplittableRandom(42));

        assertThat(first.entityCount()).isEqualTo(2 + 5);
        assertThat(first.entityStarts()).containsExactly(again.entityStarts());
        assertThat(first.entityEnds()).containsExactly(again.entityEnds());
        // no negative relations requested and no positive pair would be 1 positive only
        assertThat(first.relationCount()).isEqualTo(1);
    }

    @Test
    void negativeEntitiesAreDrawnUniformly() {
        Sampler sampler = new Sampler(new SamplingConfig(1, 0, 3), 3);
        Random random = new Random(7);
        java.util.Map<List<Integer>, Integer> counts = new java.util.HashMap<>();
        int draws = 13_000;
        for (int i = 0; i < draws; i++) {
            TrainingSample sample = sampler.trainingSample(bruno(), random);
            counts.merge(List.of(sample.entityStarts()[2], sample.entityEnds()[2]), 1, Integer::sum);
        }
        assertThat(counts).hasSize(13);
        assertThat(counts.values()).allSatisfy(count -> assertThat(count).isBetween(800, 1200));
    }

    @Test
    void documentWithoutSamplesGetsMaskedPadding() {
        Document document = new Document(0, null, List.of("a"), List.of(), List.of());

        TrainingSample sample = new Sampler(new SamplingConfig(0, 0, 3), 3)
                .trainingSample(EncodedDocument.encode(document, new ChunkEncoder()), new Random(1));

        assertThat(sample.entityCount()).isEqualTo(1);
        assertThat(sample.entitySampleMask()).containsExactly(0);
        assertThat(sample.positiveEntityCount()).isZero();
        assertThat(sample.relationCount()).isEqualTo(1);
        assertThat(sample.relationSampleMask()).containsExactly(0);
        assertThat(sample.relationLabels()[0]).containsExactly(0f, 0f, 0f);
    }

    @Test
    void goldEntitiesWithTheSameSpanFollowSpertsIndexLookup() {
        // one span labelled twice: SpERT maps a relation argument to the first entity with that span
        // and never pairs two entities that have the same span
        Document document = new Document(0, null, List.of("a", "b", "c"),
                List.of(new Entity(PEOP, 0, 1), new Entity(ORG, 0, 1), new Entity(ORG, 2, 3)),
                List.of(new Relation(WORK_FOR, 1, 2)));

        TrainingSample sample = new Sampler(new SamplingConfig(0, 100, 3), 3)
                .trainingSample(EncodedDocument.encode(document, new ChunkEncoder()), new Random(3));

        assertThat(sample.relationHeads()[0]).isZero();
        assertThat(sample.relationTails()[0]).isEqualTo(2);
        List<List<Integer>> negatives = new ArrayList<>();
        for (int r = sample.positiveRelationCount(); r < sample.relationCount(); r++) {
            negatives.add(List.of(sample.relationHeads()[r], sample.relationTails()[r]));
        }
        // candidates: (0,2) is positive by span; (2,0) twice (from entities 0 and 1); (1,2) -> span pair positive
        assertThat(negatives).containsExactlyInAnyOrder(List.of(2, 0), List.of(2, 0));
    }

    @Test
    void longGoldEntitiesArePositivesEvenBeyondMaxSpanSize() {
        Document document = new Document(0, null, List.of("a", "b", "c", "d", "e"),
                List.of(new Entity(PEOP, 0, 5)), List.of());

        TrainingSample sample = new Sampler(new SamplingConfig(100, 100, 2), 3)
                .trainingSample(EncodedDocument.encode(document, new ChunkEncoder()), new Random(1));

        assertThat(sample.entityWidths()[0]).isEqualTo(5);
        assertThat(sample.entityCount()).isEqualTo(1 + 5 + 4);
    }
}
