package dev.jerex.model.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jerex.model.api.Extraction;
import dev.jerex.model.api.Extractor;
import dev.jerex.model.train.TrainConfig;
import dev.jerex.model.train.Trainer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"The main job on its embedded defaults: train on CoNLL04 with minilm-l6, evaluate on its dev set,",
                "and extract from a sample sentence. CoNLL04 is read from ../shared/data/conll04 when present, else downloaded."})
final class QuickstartCommand implements Callable<Integer> {
    static final String SAMPLE = "John Wilkes Booth, who assassinated President Lincoln, was an actor from Maryland.";

    @Option(names = "--variant", defaultValue = "spert", description = "(default: ${DEFAULT-VALUE})") String variant;
    @Option(names = "--epochs", defaultValue = "2", description = "(default: ${DEFAULT-VALUE})") int epochs;
    @Option(names = "--max-docs", defaultValue = "0", description = "0 = all 922 training documents") int maxDocs;
    @Option(names = "--lr", defaultValue = "1e-4", description = "(default: ${DEFAULT-VALUE}: higher than SpERT's 5e-5 for a short run)") double lr;
    @Option(names = "--out", defaultValue = "runs/quickstart") Path out;
    @Option(names = "--text", defaultValue = SAMPLE) String text;
    @Mixin CommonOptions common;

    @Override
    public Integer call() throws Exception {
        Path data = Conll04.locate(System.out);
        System.out.println("CoNLL04 from " + data);
        TrainConfig base = TrainConfig.defaults(data.resolve("conll04_train.json"), data.resolve("conll04_dev.json"),
                data.resolve("conll04_types.json"), "minilm-l6", variant, out);
        TrainConfig config = new TrainConfig(base.train(), base.dev(), base.types(), base.encoder(), variant, epochs, 2, lr, 0.01, 0.1, 1.0,
                42L, 100, 100, 10, 25, 0.1f, 0.4f, 0, 0, 0.1, maxDocs, false, false, common.backend, common.threads, out, false);
        Trainer.Result r = new Trainer(config, System.out).run();
        System.out.printf(Locale.ROOT, "%nquickstart: %s, %d epoch(s), dev micro F1: NER %.2f, Rel %.2f, Rel+NEC %.2f (%.0f s)%n%n", variant, epochs,
                r.lastDev().ner().micro().f1(), r.lastDev().rel().micro().f1(), r.lastDev().relNec().micro().f1(), r.seconds());
        try (Extractor x = Extractor.load(out.resolve("final"), common.create(), null)) {
            Extraction e = x.extract(text);
            System.out.println("extract: " + text);
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(PredictCommand.toJson(e)));
        }
        return 0;
    }
}
