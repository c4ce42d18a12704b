package dev.jerex.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jerex.model.data.DatasetReader;
import dev.jerex.model.data.Document;
import dev.jerex.model.data.DocumentPrediction;
import dev.jerex.model.data.TestData;
import dev.jerex.model.data.Types;
import dev.jerex.model.eval.EvaluationResult.Scores;
import dev.jerex.model.eval.EvaluationResult.TaskScores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gold against itself on the real data sets (skipped when ../shared/data is absent). */
class SharedDataEvaluationTest {

    private static Path file(String relative) {
        Path data = TestData.sharedDataDirectory().orElse(null);
        assumeTrue(data != null && Files.isRegularFile(data.resolve(relative)), "shared data absent: " + relative);
        return data.resolve(relative);
    }

    @Test
    void conll04GoldAgainstItselfScoresOneHundred() throws Exception {
        DatasetReader reader = new DatasetReader();
        Types types = reader.readTypes(file("conll04/conll04_types.json"));
        for (String split : List.of("conll04/conll04_train.json", "conll04/conll04_dev.json")) {
            List<Document> gold = reader.readDocuments(file(split), types);

            EvaluationResult result = Evaluator.evaluate(gold,
                    gold.stream().map(DocumentPrediction::fromGold).toList(), EvaluationOptions.defaults());

            for (TaskScores task : List.of(result.ner(), result.rel(), result.relNec())) {
                assertPerfect(task.micro());
                assertPerfect(task.macro());
            }
            assertThat(result.ner().perType()).hasSize(4);
            assertThat(result.relNec().perType()).hasSize(5);
            int entities = gold.stream().mapToInt(d -> d.entities().size()).sum();
            int relations = gold.stream().mapToInt(d -> d.relations().size()).sum();
            assertThat(result.ner().support()).isEqualTo(entities);
            assertThat(result.relNec().support()).isEqualTo(relations);
        }
    }

    @Test
    void conll04DevAgainstNothingScoresZero() throws Exception {
        DatasetReader reader = new DatasetReader();
        Types types = reader.readTypes(file("conll04/conll04_types.json"));
        List<Document> gold = reader.readDocuments(file("conll04/conll04_dev.json"), types);

        EvaluationResult result = Evaluator.evaluate(gold,
                gold.stream().map(d -> DocumentPrediction.empty()).toList(), EvaluationOptions.defaults());

        assertThat(result.ner().micro().f1()).isZero();
        assertThat(result.ner().support()).isEqualTo(893);
        assertThat(result.relNec().support()).isEqualTo(343);
        System.out.println(result.formatTables());
    }

    @Test
    void chineseGoldAgainstItselfScoresOneHundred() throws Exception {
        DatasetReader reader = new DatasetReader();
        Types types = reader.readTypes(file("diakg-sample/diakg_types.json"));
        List<Document> gold = reader.readDocuments(file("diakg-sample/diakg_sample.json"), types);

        EvaluationResult result = Evaluator.evaluate(gold,
                gold.stream().map(DocumentPrediction::fromGold).toList(),
                EvaluationOptions.defaults().withNoOverlapping(false));

        assertPerfect(result.ner().micro());
        assertPerfect(result.relNec().macro());
    }

    private static void assertPerfect(Scores scores) {
        assertThat(scores.precision()).isCloseTo(100, within(1e-9));
        assertThat(scores.recall()).isCloseTo(100, within(1e-9));
        assertThat(scores.f1()).isCloseTo(100, within(1e-9));
    }
}
