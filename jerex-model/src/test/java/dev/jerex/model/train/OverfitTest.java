package dev.jerex.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jerex.model.TinyWorld;
import dev.jerex.model.api.TrainedModel;
import dev.jerex.model.eval.EvaluationResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Learning works end to end: on 20 sentences of our own, with a tiny BERT, the spert baseline and
 * the full model fit their training set (strict relation F1 >= 95%), and the saved model reloads
 * and predicts the same.
 */
class OverfitTest {
    static final int EPOCHS = Integer.getInteger("overfit.epochs", 60);

    static java.util.stream.Stream<String> variants() {
        return java.util.Arrays.stream(System.getProperty("overfit.variants", "spert,full").split(","));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void fitsTwentySentences(String variant, @TempDir Path tmp) throws Exception {
        TinyWorld world = new TinyWorld(20, 7);
        Path data = world.writeData(tmp.resolve("data"));
        Path encoder = world.writeEncoder(tmp.resolve("encoder"), 11);
        TrainConfig base = TrainConfig.defaults(data.resolve("train.json"), data.resolve("train.json"), data.resolve("types.json"),
                encoder.toString(), variant, tmp.resolve("run"));
        TrainConfig config = new TrainConfig(base.train(), base.dev(), base.types(), base.encoder(), base.variant(),
                EPOCHS, 2, Double.parseDouble(System.getProperty("overfit.lr", "1e-3")), 0.01, 0.1, 1.0, 42L, 100, 100, 10, 25, 0.1f, 0.4f, 0, 64, 0.1, 0, Boolean.getBoolean("overfit.freeze"), false, "java", 1,
                base.out(), true);
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        Trainer.Result result = new Trainer(config, new PrintStream(logBytes, true)).run();
        System.out.println(logBytes);
        if (Boolean.getBoolean("overfit.keep")) Files.copy(tmp.resolve("run/loss.csv"), Path.of("/tmp/overfit-" + variant + ".csv"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        EvaluationResult train = result.lastDev();
        System.out.println(train.formatTables());
        System.out.printf("[overfit %s] training-set micro F1: NER %.2f, Rel %.2f, Rel+NEC %.2f in %.1f s%n", variant,
                train.ner().micro().f1(), train.rel().micro().f1(), train.relNec().micro().f1(), result.seconds());
        assertThat(train.relNec().micro().f1()).isGreaterThanOrEqualTo(95.0);
        assertThat(train.ner().micro().f1()).isGreaterThanOrEqualTo(95.0);

        // The run directory has what the issue lists, and the final model reloads to the same scores.
        for (String f : new String[] {"config.json", "loss.csv", "lr.csv", "metrics.csv", "chart.png", "final/model.safetensors", "best/model.json"}) {
            assertThat(tmp.resolve("run").resolve(f)).exists();
        }
        TrainedModel reloaded = TrainedModel.load(tmp.resolve("run/final"), dev.jerex.tensor.backend.Backends.java());
        EvaluationResult again = Trainer.evaluate(reloaded, world.documents);
        assertThat(again.relNec().micro().f1()).isEqualTo(train.relNec().micro().f1());
        assertThat(Files.readAllLines(tmp.resolve("run/loss.csv"))).hasSize(1 + EPOCHS * 10);
    }
}
