package dev.jerex.model.cli;

import dev.jerex.model.train.TrainConfig;
import dev.jerex.model.train.Trainer;
import dev.jerex.tensor.Profiler;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true, description = "Train an extractor (SpERT's defaults).")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--train", required = true, description = "training set (SpERT JSON)") Path train;
    @Option(names = "--dev", description = "dev set; without it --dev-fraction of the training set is held out") Path dev;
    @Option(names = "--types", required = true, description = "types file") Path types;
    @Option(names = "--encoder", defaultValue = "minilm-l6", description = "minilm-l6, bge-small-zh, bge-small-en, e5-small, bert-base-cased, mbert-cased, or a path (default: ${DEFAULT-VALUE})") String encoder;
    @Option(names = "--variant", defaultValue = "full", description = "spert | full | no-cross-attention | cls-context | global-context (default: ${DEFAULT-VALUE})") String variant;
    @Option(names = "--epochs", defaultValue = "20") int epochs;
    @Option(names = "--batch-size", defaultValue = "2") int batchSize;
    @Option(names = "--lr", defaultValue = "5e-5") double lr;
    @Option(names = "--weight-decay", defaultValue = "0.01") double weightDecay;
    @Option(names = "--warmup", defaultValue = "0.1", description = "warm-up proportion of the steps") double warmup;
    @Option(names = "--max-grad-norm", defaultValue = "1.0") double maxGradNorm;
    @Option(names = "--seed", defaultValue = "42") long seed;
    @Option(names = "--neg-entities", defaultValue = "100") int negEntities;
    @Option(names = "--neg-relations", defaultValue = "100") int negRelations;
    @Option(names = "--max-span-size", description = "longest span in words (default 10; 20 with a Chinese encoder)") Integer maxSpanSize;
    @Option(names = "--size-embedding", defaultValue = "25") int sizeEmbedding;
    @Option(names = "--dropout", defaultValue = "0.1") float dropout;
    @Option(names = "--rel-threshold", defaultValue = "0.4") float relThreshold;
    @Option(names = "--fusion-heads", defaultValue = "0", description = "0 = hidden / 64") int fusionHeads;
    @Option(names = "--sea-chunk", defaultValue = "0", description = "spans whose SEA context is computed together (0: all of a document's in training, chunks of about 256 MiB of temporaries in prediction)") int seaChunk;
    @Option(names = "--dev-fraction", defaultValue = "0.1") double devFraction;
    @Option(names = "--max-docs", defaultValue = "0", description = "use only the first N documents (quick runs)") int maxDocs;
    @Option(names = "--freeze-encoder") boolean freezeEncoder;
    @Option(names = "--eval-last-only", description = "evaluate only after the last epoch") boolean evalLastOnly;
    @Option(names = "--out", required = true, description = "run directory") Path out;
    @Option(names = "--quiet", description = "no progress bar") boolean quiet;
    @Option(names = "--profile", description = "print where the time of each epoch goes (encoder, fusion, SEA, heads, optimiser)") boolean profile;
    @Mixin CommonOptions common;

    @Override
    public Integer call() throws Exception {
        int span = maxSpanSize != null ? maxSpanSize : encoder.contains("-zh") ? 20 : 10;
        TrainConfig config = new TrainConfig(train, dev, types, encoder, variant, epochs, batchSize, lr, weightDecay, warmup, maxGradNorm,
                seed, negEntities, negRelations, span, sizeEmbedding, dropout, relThreshold, fusionHeads, seaChunk, devFraction, maxDocs,
                freezeEncoder, !evalLastOnly, common.backend, common.threads, out, quiet);
        Profiler.enable(profile);
        Trainer.Result r = new Trainer(config, System.out).run();
        if (r.bestDev() != null) {
            System.out.printf(Locale.ROOT, "best dev (epoch %d) micro F1: NER %.2f, Rel %.2f, Rel+NEC %.2f; %.1f s in all; models in %s/best and %s/final%n",
                    r.bestEpoch(), r.bestDev().ner().micro().f1(), r.bestDev().rel().micro().f1(), r.bestDev().relNec().micro().f1(),
                    r.seconds(), out, out);
        }
        return 0;
    }
}
