package dev.jerex.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jerex.model.data.Document;
import dev.jerex.model.data.DocumentPrediction;
import dev.jerex.model.data.Entity;
import dev.jerex.model.data.EntityType;
import dev.jerex.model.data.PredictedEntity;
import dev.jerex.model.data.PredictedRelation;
import dev.jerex.model.data.Relation;
import dev.jerex.model.data.RelationType;
import dev.jerex.model.data.TestData;
import dev.jerex.model.data.Types;
import dev.jerex.model.eval.EvaluationResult.Scores;
import dev.jerex.model.eval.EvaluationResult.TaskScores;
import dev.jerex.model.eval.EvaluationResult.TypeScores;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every expected number below is worked out by hand in the comments. */
class EvaluatorTest {

    private static final Types TYPES = TestData.tinyTypes();
    private static final EntityType PEOP = TYPES.entityType("Peop").orElseThrow();
    private static final EntityType ORG = TYPES.entityType("Org").orElseThrow();
    private static final EntityType LOC = TYPES.entityType("Loc").orElseThrow();
    private static final RelationType WORK_FOR = TYPES.relationType("Work_For").orElseThrow();
    private static final RelationType LIVE_IN = TYPES.relationType("Live_In").orElseThrow();
    private static final RelationType NEAR = TYPES.relationType("Near").orElseThrow();
    private static final double TOLERANCE = 1e-9;

    /**
     * Gold: e0 Peop[0,2) e1 Org[3,4) e2 Loc[6,7) e3 Peop[8,9); Work_For(e0,e1), Live_In(e0,e2), Live_In(e3,e2).
     * Predicted: p0 Peop[0,2) (right), p1 Loc[3,4) (wrong type), p2 Loc[6,7) (right), p3 Org[9,10) (spurious);
     * Work_For(p0,p1) 0.9, Live_In(p0,p2) 0.8, Live_In(p0,p2) 0.5 (duplicate), Work_For(p0,p3) 0.3 (below 0.4).
     */
    private static EvaluationResult mixedExample() {
        Document gold = new Document(0, null, words(10),
                List.of(new Entity(PEOP, 0, 2), new Entity(ORG, 3, 4), new Entity(LOC, 6, 7), new Entity(PEOP, 8, 9)),
                List.of(new Relation(WORK_FOR, 0, 1), new Relation(LIVE_IN, 0, 2), new Relation(LIVE_IN, 3, 2)));
        DocumentPrediction predicted = new DocumentPrediction(
                List.of(new PredictedEntity(0, 2, PEOP, 0.9), new PredictedEntity(3, 4, LOC, 0.8),
                        new PredictedEntity(6, 7, LOC, 0.7), new PredictedEntity(9, 10, ORG, 0.6)),
                List.of(new PredictedRelation(0, 1, WORK_FOR, 0.9), new PredictedRelation(0, 2, LIVE_IN, 0.8),
                        new PredictedRelation(0, 2, LIVE_IN, 0.5), new PredictedRelation(0, 3, WORK_FOR, 0.3)));
        return Evaluator.evaluate(List.of(gold), List.of(predicted), EvaluationOptions.defaults());
    }

    @Test
    void nerIsStrictWithMicroAndMacroAverages() {
        TaskScores ner = mixedExample().ner();

        // Peop: tp 1 (0,2), fn 1 (8,9)      -> P 1,  R 1/2, F1 2/3
        // Org:  fn 1 (3,4), fp 1 (9,10)     -> P 0,  R 0,   F1 0
        // Loc:  tp 1 (6,7), fp 1 (3,4 Loc)  -> P 1/2, R 1,  F1 2/3
        assertType(ner, "Peop", 100, 50, 200.0 / 3, 2);
        assertType(ner, "Org", 0, 0, 0, 1);
        assertType(ner, "Loc", 50, 100, 200.0 / 3, 1);
        // micro: tp 2, fp 2, fn 2 -> 1/2 everywhere
        assertScores(ner.micro(), 50, 50, 50);
        // macro: mean of the rows: P (1 + 0 + 1/2)/3, R (1/2 + 0 + 1)/3, F1 (2/3 + 0 + 2/3)/3 = 4/9
        assertScores(ner.macro(), 50, 50, 400.0 / 9);
        assertThat(ner.perType()).extracting(TypeScores::name).containsExactly("Peop", "Org", "Loc");
    }

    @Test
    void relationsWithoutNecIgnoreEntityTypes() {
        TaskScores rel = mixedExample().rel();

        // gold: WF((0,2),(3,4)), LI((0,2),(6,7)), LI((8,9),(6,7)); predicted: WF((0,2),(3,4)), LI((0,2),(6,7))
        // Work_For: tp 1 -> 1, 1, 1;  Live_In: tp 1, fn 1 -> P 1, R 1/2, F1 2/3
        assertType(rel, "Work_For", 100, 100, 100, 1);
        assertType(rel, "Live_In", 100, 50, 200.0 / 3, 2);
        // micro: tp 2, fp 0, fn 1 -> P 1, R 2/3, F1 4/5
        assertScores(rel.micro(), 100, 200.0 / 3, 80);
        // macro: P 1, R 3/4, F1 (1 + 2/3)/2 = 5/6
        assertScores(rel.macro(), 100, 75, 500.0 / 6);
        assertThat(rel.perTypeByName()).doesNotContainKey("Near");
    }

    @Test
    void relationsWithNecNeedBothEntityTypes() {
        TaskScores relNec = mixedExample().relNec();

        // the predicted Work_For has a Loc tail where gold has Org: fp 1 and fn 1 for Work_For
        // Work_For: P 0, R 0, F1 0;  Live_In: P 1, R 1/2, F1 2/3
        assertType(relNec, "Work_For", 0, 0, 0, 1);
        assertType(relNec, "Live_In", 100, 50, 200.0 / 3, 2);
        // micro: tp 1, fp 1, fn 2 -> P 1/2, R 1/3, F1 2/(2 + 1 + 2) = 2/5
        assertScores(relNec.micro(), 50, 100.0 / 3, 40);
        // macro: P 1/2, R 1/4, F1 1/3
        assertScores(relNec.macro(), 50, 25, 100.0 / 3);
    }

    @Test
    void typeWithGoldButNoPredictionCountsZeroAndAbsentTypesDoNotCount() {
        Document gold = new Document(0, null, words(4),
                List.of(new Entity(PEOP, 0, 1), new Entity(LOC, 2, 3)), List.of());
        DocumentPrediction predicted = new DocumentPrediction(List.of(new PredictedEntity(0, 1, PEOP, 1)), List.of());

        TaskScores ner = Evaluator.evaluate(List.of(gold), List.of(predicted), EvaluationOptions.defaults()).ner();

        // Peop 1/1/1, Loc 0/0/0 (support 1); Org occurs nowhere and is not averaged
        assertThat(ner.perTypeByName()).containsOnlyKeys("Peop", "Loc");
        assertType(ner, "Loc", 0, 0, 0, 1);
        assertScores(ner.macro(), 50, 50, 50);
        // micro: tp 1, fp 0, fn 1 -> P 1, R 1/2, F1 2/3
        assertScores(ner.micro(), 100, 50, 200.0 / 3);
    }

    @Test
    void countsArePooledOverDocuments() {
        // doc 1: Peop right; doc 2: the same span in another document is a different item
        Document first = new Document(0, null, words(3), List.of(new Entity(PEOP, 0, 1)), List.of());
        Document second = new Document(1, null, words(3), List.of(new Entity(ORG, 0, 1)), List.of());
        DocumentPrediction right = new DocumentPrediction(List.of(new PredictedEntity(0, 1, PEOP, 1)), List.of());

        Evaluator evaluator = new Evaluator();
        evaluator.add(first, right);
        evaluator.add(second, right);
        TaskScores ner = evaluator.result().ner();

        // Peop: tp 1, fp 1 -> P 1/2, R 1, F1 2/3; Org: fn 1 -> 0
        assertThat(evaluator.documentCount()).isEqualTo(2);
        assertType(ner, "Peop", 50, 100, 200.0 / 3, 1);
        assertType(ner, "Org", 0, 0, 0, 1);
        assertScores(ner.micro(), 50, 50, 50);
    }

    @Test
    void symmetricRelationsAreNormalisedInGoldAndPredictions() {
        // gold Near(Havana[0,1), Matanzas[3,4)); the model predicts it the other way round
        Document gold = new Document(0, null, words(5),
                List.of(new Entity(LOC, 0, 1), new Entity(LOC, 3, 4)), List.of(new Relation(NEAR, 1, 0)));
        DocumentPrediction reversed = new DocumentPrediction(
                List.of(new PredictedEntity(3, 4, LOC, 1), new PredictedEntity(0, 1, LOC, 1)),
                List.of(new PredictedRelation(0, 1, NEAR, 0.9), new PredictedRelation(1, 0, NEAR, 0.7)));

        EvaluationResult result = Evaluator.evaluate(List.of(gold), List.of(reversed), EvaluationOptions.defaults());

        // both directions collapse onto one tuple, which matches the gold one
        assertScores(result.relNec().micro(), 100, 100, 100);
        assertType(result.relNec(), "Near", 100, 100, 100, 1);
    }

    @Test
    void asymmetricRelationsKeepTheirDirection() {
        Document gold = new Document(0, null, words(5),
                List.of(new Entity(PEOP, 0, 1), new Entity(ORG, 3, 4)), List.of(new Relation(WORK_FOR, 0, 1)));
        DocumentPrediction reversed = new DocumentPrediction(
                List.of(new PredictedEntity(0, 1, PEOP, 1), new PredictedEntity(3, 4, ORG, 1)),
                List.of(new PredictedRelation(1, 0, WORK_FOR, 0.9)));

        EvaluationResult result = Evaluator.evaluate(List.of(gold), List.of(reversed), EvaluationOptions.defaults());

        assertScores(result.rel().micro(), 0, 0, 0);
    }

    @Test
    void thresholdIsInclusive() {
        Document gold = new Document(0, null, words(5),
                List.of(new Entity(PEOP, 0, 1), new Entity(ORG, 3, 4)),
                List.of(new Relation(WORK_FOR, 0, 1), new Relation(LIVE_IN, 0, 1)));
        DocumentPrediction predicted = new DocumentPrediction(
                List.of(new PredictedEntity(0, 1, PEOP, 1), new PredictedEntity(3, 4, ORG, 1)),
                List.of(new PredictedRelation(0, 1, WORK_FOR, 0.4), new PredictedRelation(0, 1, LIVE_IN, 0.3999)));

        TaskScores rel = Evaluator.evaluate(List.of(gold), List.of(predicted), EvaluationOptions.defaults()).rel();
        assertType(rel, "Work_For", 100, 100, 100, 1);
        assertType(rel, "Live_In", 0, 0, 0, 1);

        TaskScores lowThreshold = Evaluator.evaluate(List.of(gold), List.of(predicted),
                EvaluationOptions.defaults().withRelationThreshold(0.3)).rel();
        assertScores(lowThreshold.micro(), 100, 100, 100);
    }

    /**
     * Gold: A Peop[0,2), B Org[1,3) (overlaps A), C Loc[5,6); Work_For(A,B), Live_In(A,C).
     * Predicted: A and C, Live_In(A,C).
     */
    private static EvaluationResult overlapExample(EvaluationOptions options) {
        Document gold = new Document(0, null, words(7),
                List.of(new Entity(PEOP, 0, 2), new Entity(ORG, 1, 3), new Entity(LOC, 5, 6)),
                List.of(new Relation(WORK_FOR, 0, 1), new Relation(LIVE_IN, 0, 2)));
        DocumentPrediction predicted = new DocumentPrediction(
                List.of(new PredictedEntity(0, 2, PEOP, 1), new PredictedEntity(5, 6, LOC, 1)),
                List.of(new PredictedRelation(0, 1, LIVE_IN, 0.9)));
        return Evaluator.evaluate(List.of(gold), List.of(predicted), options);
    }

    @Test
    void overlappingEntitiesCountByDefault() {
        EvaluationResult result = overlapExample(EvaluationOptions.defaults());

        // NER: tp 2 (A, C), fn 1 (B) -> P 1, R 2/3, F1 4/5
        assertScores(result.ner().micro(), 100, 200.0 / 3, 80);
        // Rel: tp 1 (Live_In), fn 1 (Work_For) -> P 1, R 1/2, F1 2/3
        assertScores(result.relNec().micro(), 100, 50, 200.0 / 3);
    }

    @Test
    void noOverlappingRemovesOverlappingEntitiesAndTheirRelationsLikeSpert() {
        EvaluationResult result = overlapExample(EvaluationOptions.defaults().withNoOverlapping(true));

        // gold keeps only C (A and B overlap each other); predictions keep A and C (they do not overlap)
        // NER: Loc tp 1; Peop fp 1 -> micro P 1/2, R 1, F1 2/3
        assertScores(result.ner().micro(), 50, 100, 200.0 / 3);
        assertType(result.ner(), "Peop", 0, 0, 0, 0);
        // Work_For(A,B) goes (its arguments overlap each other); SpERT keeps Live_In(A,C) although A was
        // removed as an entity, so the relation still matches
        assertScores(result.relNec().micro(), 100, 100, 100);
        assertThat(result.relNec().perTypeByName()).containsOnlyKeys("Live_In");
    }

    @Test
    void noOverlappingCanAlsoDropRelationsOfRemovedEntities() {
        EvaluationResult result = overlapExample(EvaluationOptions.defaults().withNoOverlapping(true)
                .withDropRelationsOfRemovedEntities(true));

        // gold loses Live_In(A,C) too; the prediction keeps it -> Live_In fp 1: all zero
        assertScores(result.relNec().micro(), 0, 0, 0);
        assertType(result.relNec(), "Live_In", 0, 0, 0, 0);
    }

    @Test
    void noOverlappingKeepsIdenticalDuplicates() {
        // SpERT's _check_overlap: a tuple never overlaps an identical tuple
        Document gold = new Document(0, null, words(3),
                List.of(new Entity(PEOP, 0, 2), new Entity(PEOP, 0, 2)), List.of());

        EvaluationResult result = Evaluator.evaluate(List.of(gold), List.of(DocumentPrediction.fromGold(gold)),
                EvaluationOptions.defaults().withNoOverlapping(true));

        assertType(result.ner(), "Peop", 100, 100, 100, 1);
    }

    @Test
    void emptyEvaluationIsAllZero() {
        Document gold = new Document(0, null, words(2), List.of(), List.of());

        EvaluationResult result = Evaluator.evaluate(List.of(gold), List.of(DocumentPrediction.empty()),
                EvaluationOptions.defaults());

        assertScores(result.ner().micro(), 0, 0, 0);
        assertScores(result.ner().macro(), 0, 0, 0);
        assertThat(result.ner().perType()).isEmpty();
    }

    @Test
    void rejectsMismatchedInput() {
        Document gold = new Document(0, null, words(2), List.of(), List.of());
        DocumentPrediction tooLong = new DocumentPrediction(List.of(new PredictedEntity(1, 3, PEOP, 1)), List.of());

        assertThatThrownBy(() -> Evaluator.evaluate(List.of(gold), List.of(), EvaluationOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Evaluator().add(gold, tooLong))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 2 words");
        assertThatThrownBy(() -> new PredictedEntity(0, 1, TYPES.noneEntityType(), 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jsonHasExactlyTheDocumentedKeys() throws Exception {
        JsonNode json = new ObjectMapper().readTree(mixedExample().toJson());

        assertThat(iterable(json.fieldNames())).containsExactly("ner", "rel", "rel_nec");
        for (String task : List.of("ner", "rel", "rel_nec")) {
            assertThat(iterable(json.get(task).fieldNames())).containsExactly("micro", "macro", "per_type");
            assertThat(iterable(json.get(task).get("micro").fieldNames())).containsExactly("precision", "recall", "f1");
            assertThat(iterable(json.get(task).get("macro").fieldNames())).containsExactly("precision", "recall", "f1");
        }
        assertThat(json.get("ner").get("micro").get("f1").asDouble()).isCloseTo(50, within(TOLERANCE));
        assertThat(json.get("ner").get("macro").get("f1").asDouble()).isCloseTo(400.0 / 9, within(TOLERANCE));
        JsonNode peop = json.get("ner").get("per_type").get("Peop");
        assertThat(iterable(peop.fieldNames())).containsExactly("precision", "recall", "f1", "support");
        assertThat(peop.get("support").asInt()).isEqualTo(2);
        assertThat(json.get("rel_nec").get("micro").get("f1").asDouble()).isCloseTo(40, within(TOLERANCE));
    }

    @Test
    void tablesAreAlignedLikeSperts() {
        String tables = mixedExample().formatTables();

        List<String> rows = new ArrayList<>();
        for (String line : tables.split("\n")) {
            if (line.startsWith(" ")) {
                rows.add(line);
            }
        }
        // 3 tables x (header + micro + macro) + 3 + 2 + 2 type rows
        assertThat(rows).hasSize(16).allSatisfy(row -> assertThat(row).hasSize(20 + 4 * 13));
        assertThat(tables).contains(
                "                type    precision       recall     f1-score      support",
                "                Peop       100.00        50.00        66.67            2",
                "               micro        50.00        50.00        50.00            4",
                "               macro        50.00        50.00        44.44            4",
                // relation tables use the short names of the types file
                "                Work       100.00       100.00       100.00            1");
        assertThat(tables).contains("--- Entities (named entity recognition (NER)) ---", "With named entity classification (NEC)");
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static void assertScores(Scores scores, double precision, double recall, double f1) {
        assertThat(scores.precision()).as("precision").isCloseTo(precision, within(TOLERANCE));
        assertThat(scores.recall()).as("recall").isCloseTo(recall, within(TOLERANCE));
        assertThat(scores.f1()).as("f1").isCloseTo(f1, within(TOLERANCE));
    }

    private static void assertType(TaskScores task, String name, double precision, double recall, double f1, int support) {
        TypeScores scores = task.perTypeByName().get(name);
        assertThat(scores).as("scores of %s", name).isNotNull();
        assertThat(scores.precision()).as("%s precision", name).isCloseTo(precision, within(TOLERANCE));
        assertThat(scores.recall()).as("%s recall", name).isCloseTo(recall, within(TOLERANCE));
        assertThat(scores.f1()).as("%s f1", name).isCloseTo(f1, within(TOLERANCE));
        assertThat(scores.support()).as("%s support", name).isEqualTo(support);
    }

    private static List<String> words(int count) {
        List<String> words = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            words.add("w" + i);
        }
        return words;
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
