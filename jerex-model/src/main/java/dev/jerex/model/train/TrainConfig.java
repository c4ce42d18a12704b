package dev.jerex.model.train;

import java.nio.file.Path;

/**
 * Every setting of a training run, with SpERT's defaults (SPERT.md, "Loss and optimisation").
 * Written to the run directory as {@code config.json}.
 *
 * @param train             training set (SpERT JSON)
 * @param dev               evaluation set; null to carve {@code devFraction} out of the training set
 * @param types             types file
 * @param encoder           encoder catalog name or path ("minilm-l6", "bge-small-zh", ...)
 * @param variant           spert | full | no-cross-attention | cls-context | global-context
 * @param devFraction       share of the training documents held out as dev when {@code dev} is null
 * @param maxDocs           use only the first N training (and dev) documents; 0 = all (quick runs)
 * @param freezeEncoder     do not train the encoder's weights
 * @param evalEveryEpoch    evaluate on dev after every epoch (else only after the last)
 * @param quiet             no progress bar (logs only)
 */
public record TrainConfig(
        Path train, Path dev, Path types, String encoder, String variant,
        int epochs, int batchSize, double lr, double weightDecay, double warmupProportion, double maxGradNorm,
        long seed, int negEntityCount, int negRelationCount, int maxSpanSize, int sizeEmbedding, float dropout,
        float relationThreshold, int fusionHeads, int seaSpanChunk, double devFraction, int maxDocs,
        boolean freezeEncoder, boolean evalEveryEpoch, String backend, int threads, Path out, boolean quiet) {

    public TrainConfig {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
        if (devFraction < 0 || devFraction >= 1) throw new IllegalArgumentException("dev fraction must be in [0, 1)");
    }

    /** SpERT's defaults for the given data and encoder; fusion heads 0 = d / 64, SEA chunk 0 = sized automatically. */
    public static TrainConfig defaults(Path train, Path dev, Path types, String encoder, String variant, Path out) {
        return new TrainConfig(train, dev, types, encoder, variant, 20, 2, 5e-5, 0.01, 0.1, 1.0, 42L,
                100, 100, 10, 25, 0.1f, 0.4f, 0, 0, 0.1, 0, false, true, "auto", 1, out, false);
    }
}
