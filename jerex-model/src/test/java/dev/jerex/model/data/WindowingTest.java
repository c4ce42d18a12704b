package dev.jerex.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jerex.model.data.TestData.ChunkEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WindowingTest {

    private static final Types TYPES = TestData.tinyTypes();
    private static final EntityType PEOP = TYPES.entityType("Peop").orElseThrow();
    private static final EntityType ORG = TYPES.entityType("Org").orElseThrow();
    private static final EntityType LOC = TYPES.entityType("Loc").orElseThrow();
    private static final RelationType WORK_FOR = TYPES.relationType("Work_For").orElseThrow();

    @Test
    void documentThatFitsIsOneWindow() {
        assertThat(Windowing.defaults().plan(new int[] {3, 1, 2})).containsExactly(new int[] {0, 3});
    }

    @Test
    void windowsOverlapByAtLeastTheRequestedPieces() {
        int[] pieces = new int[10];
        Arrays.fill(pieces, 1);

        List<int[]> windows = new Windowing(4, 2).plan(pieces);

        assertThat(windows).containsExactly(new int[] {0, 4}, new int[] {2, 6}, new int[] {4, 8}, new int[] {6, 10});
    }

    @Test
    void windowsNeverSplitWords() {
        // pieces 3,3,3,3 with windows of 7: two words per window
        List<int[]> windows = new Windowing(7, 3).plan(new int[] {3, 3, 3, 3});

        assertThat(windows).containsExactly(new int[] {0, 2}, new int[] {1, 3}, new int[] {2, 4});
    }

    @Test
    void aWordLongerThanAWindowIsReportedNotCut() {
        Document document = new Document(3, "x", List.of("a", "abcdefghijklmnop"), List.of(), List.of());

        assertThatThrownBy(() -> new Windowing(4, 1).split(document, new ChunkEncoder()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("document 3 (orig_id x): word 1 alone has 6 word pieces, more than a window of 4");
    }

    @Test
    void rejectsImpossibleSettings() {
        assertThatThrownBy(() -> new Windowing(10, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Windowing(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Windowing.forMaxPositions(512).windowPieces()).isEqualTo(510);
        assertThat(Windowing.forMaxPositions(512).overlapPieces()).isEqualTo(128);
    }

    @Test
    void splitKeepsTheAnnotationInsideEachWindow() {
        List<String> tokens = List.of("w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7");
        Document document = new Document(0, "7", tokens,
                List.of(new Entity(PEOP, 0, 1), new Entity(ORG, 3, 5), new Entity(LOC, 6, 8)),
                List.of(new Relation(WORK_FOR, 0, 1), new Relation(WORK_FOR, 1, 2)));

        List<DocumentWindow> windows = new Windowing(4, 1).split(document, new ChunkEncoder());

        // one piece per word: [0,4), [3,7), [6,8)
        assertThat(windows).extracting(DocumentWindow::wordStart).containsExactly(0, 3, 6);
        assertThat(windows).extracting(DocumentWindow::wordEnd).containsExactly(4, 7, 8);
        DocumentWindow first = windows.get(0);
        assertThat(first.document().tokens()).containsExactly("w0", "w1", "w2", "w3");
        assertThat(first.document().entities()).containsExactly(new Entity(PEOP, 0, 1));
        assertThat(first.entitiesCut()).isEqualTo(1);
        assertThat(first.relationsCut()).isEqualTo(1);
        DocumentWindow second = windows.get(1);
        assertThat(second.document().entities()).containsExactly(new Entity(ORG, 0, 2));
        assertThat(second.document().relations()).isEmpty();
        assertThat(second.entitiesCut()).isEqualTo(1);
        assertThat(second.relationsCut()).isEqualTo(2);
        assertThat(windows.get(2).document().entities()).containsExactly(new Entity(LOC, 0, 2));
        assertThat(second.document().origId()).isEqualTo("7");
    }

    @Test
    void mergeKeepsThePredictionOfTheWindowWhereTheSpanIsMostCentral() {
        Document document = new Document(0, null, words(10), List.of(), List.of());
        List<DocumentWindow> windows = List.of(Windowing.window(document, 0, 0, 6), Windowing.window(document, 1, 4, 10));
        // span [4,5): 1 word from the cut at 6 in window 0, 0 words from the cut at 4 in window 1
        DocumentPrediction inFirst = new DocumentPrediction(List.of(new PredictedEntity(4, 5, ORG, 0.9)), List.of());
        DocumentPrediction inSecond = new DocumentPrediction(
                List.of(new PredictedEntity(0, 1, LOC, 0.8), new PredictedEntity(4, 5, PEOP, 0.7)),
                List.of(new PredictedRelation(0, 1, WORK_FOR, 0.6)));

        DocumentPrediction merged = Windowing.merge(windows, List.of(inFirst, inSecond));

        assertThat(merged.entities()).containsExactly(new PredictedEntity(4, 5, ORG, 0.9), new PredictedEntity(8, 9, PEOP, 0.7));
        // the relation [4,5) -> [8,9) lies only in window 1; its head is the merged Org entity at [4,5)
        assertThat(merged.relations()).containsExactly(new PredictedRelation(0, 1, WORK_FOR, 0.6));
    }

    @Test
    void mergeOfGoldPerWindowGivesBackTheGold() {
        Random random = new Random(11);
        for (int round = 0; round < 20; round++) {
            Document document = randomLongDocument(random, 300);
            Windowing windowing = new Windowing(100, 40);
            List<DocumentWindow> windows = windowing.split(document, new ChunkEncoder());
            assertThat(windows.size()).isGreaterThan(1);
            List<DocumentPrediction> predictions = new ArrayList<>();
            for (DocumentWindow window : windows) {
                predictions.add(DocumentPrediction.fromGold(window.document()));
            }

            DocumentPrediction merged = Windowing.merge(windows, predictions);

            Set<List<Object>> expectedEntities = new HashSet<>();
            for (Entity entity : document.entities()) {
                expectedEntities.add(List.of(entity.start(), entity.end(), entity.type()));
            }
            Set<List<Object>> mergedEntities = new HashSet<>();
            for (PredictedEntity entity : merged.entities()) {
                mergedEntities.add(List.of(entity.start(), entity.end(), entity.type()));
            }
            assertThat(mergedEntities).isEqualTo(expectedEntities);
            Set<List<Object>> expectedRelations = new HashSet<>();
            for (Relation relation : document.relations()) {
                Entity head = document.head(relation);
                Entity tail = document.tail(relation);
                expectedRelations.add(List.of(head.start(), tail.start(), relation.type()));
            }
            Set<List<Object>> mergedRelations = new HashSet<>();
            for (PredictedRelation relation : merged.relations()) {
                mergedRelations.add(List.of(merged.entities().get(relation.head()).start(),
                        merged.entities().get(relation.tail()).start(), relation.type()));
            }
            assertThat(mergedRelations).isEqualTo(expectedRelations);
        }
    }

    /** Words of 1-6 characters (1-2 pieces), non-overlapping entities of 1-3 words, relations between near entities. */
    private static Document randomLongDocument(Random random, int wordCount) {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < wordCount; i++) {
            tokens.add("abcdef".substring(0, 1 + random.nextInt(6)));
        }
        List<Entity> entities = new ArrayList<>();
        int position = random.nextInt(3);
        while (position < wordCount - 3) {
            int width = 1 + random.nextInt(3);
            entities.add(new Entity(TYPES.entityType(1 + random.nextInt(3)), position, position + width));
            position += width + 1 + random.nextInt(6);
        }
        List<Relation> relations = new ArrayList<>();
        for (int i = 0; i + 1 < entities.size(); i++) {
            // extent at most 3 + 6 + 3 = 12 words = 24 pieces, below the overlap of 40
            if (random.nextBoolean()) {
                relations.add(new Relation(WORK_FOR, i, i + 1));
            }
        }
        return new Document(0, null, tokens, entities, relations);
    }

    private static List<String> words(int count) {
        List<String> words = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            words.add("w" + i);
        }
        return words;
    }
}
