package dev.jerex.model.cli;

import dev.jerex.model.api.Predictor;
import dev.jerex.model.api.TrainedModel;
import dev.jerex.model.data.DatasetReader;
import dev.jerex.model.data.Document;
import dev.jerex.model.eval.EvaluationOptions;
import dev.jerex.model.eval.EvaluationResult;
import dev.jerex.model.eval.Evaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a model on a dataset with SpERT's metrics.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "model directory") Path model;
    @Option(names = "--data", required = true, description = "dataset (SpERT JSON)") Path data;
    @Option(names = "--json", description = "also write the scores as JSON") Path json;
    @Option(names = "--no-overlapping", description = "remove overlapping entities from gold and predictions (SpERT's ADE option)") boolean noOverlapping;
    @Mixin CommonOptions common;

    @Override
    public Integer call() throws Exception {
        TrainedModel m = TrainedModel.load(model, common.create());
        List<Document> docs = DatasetReader.requireDocuments(data, new DatasetReader().readDocuments(data, m.types()));
        long t0 = System.nanoTime();
        EvaluationResult r = Evaluator.evaluate(docs, new Predictor(m).predictAll(docs),
                EvaluationOptions.defaults().withRelationThreshold(m.config().relationThreshold()).withNoOverlapping(noOverlapping));
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.println(r.formatTables());
        System.out.printf(java.util.Locale.ROOT, "%d documents in %.1f s (%.1f sentences/s)%n", docs.size(), secs, docs.size() / secs);
        if (json != null) Files.writeString(json, r.toJson());
        return 0;
    }
}
