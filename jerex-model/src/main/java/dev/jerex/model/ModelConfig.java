package dev.jerex.model;

/**
 * Architecture settings of a {@link dev.jerex.model.nn.JointExtractor}, stored with every
 * checkpoint (so a model directory is self-describing) — the encoder's own shape comes from its
 * BertConfig, stored beside it.
 *
 * @param variant             which of the paper's additions are on ({@link Variant})
 * @param encoder             the pretrained encoder's catalog name or path (for the tokenizer and the shapes)
 * @param entityTypes         entity classes including None at index 0
 * @param relationTypes       relation classes (no None)
 * @param maxSpanSize         longest candidate span, in words (SpERT 10; Chinese characters: 20)
 * @param sizeEmbedding       width-embedding dimension (SpERT 25)
 * @param maxSpanWidthIndex   rows of the width embedding (SpERT 100)
 * @param dropout             dropout before the classifiers and in the projections (SpERT prop_drop 0.1)
 * @param fusionHeads         heads of the cross attention and SEA (MODEL.md: d / 64)
 * @param relationThreshold   sigmoid threshold for a relation (SpERT 0.4)
 * @param maxPairs            relation candidates scored per chunk at inference (SpERT 1000)
 * @param seaSpanChunk        spans whose SEA context is computed together (bounds memory)
 * @param lowercase           lowercase words before WordPiece (set by the encoder's casing)
 *
 * <p>Read from model.json strictly: a setting this build does not know (a model saved by another
 * build) is an error, not silently ignored.
 */
public record ModelConfig(
        String variant,
        String encoder,
        int entityTypes,
        int relationTypes,
        int maxSpanSize,
        int sizeEmbedding,
        int maxSpanWidthIndex,
        float dropout,
        int fusionHeads,
        float relationThreshold,
        int maxPairs,
        int seaSpanChunk,
        boolean lowercase) {

    public static final int FORMAT_VERSION = 1;

    public ModelConfig {
        Variant.parse(variant);
        if (entityTypes < 2) throw new IllegalArgumentException("entityTypes must count None and at least one type, got " + entityTypes);
        if (relationTypes < 0) throw new IllegalArgumentException("relationTypes must be >= 0");
        if (maxSpanSize < 1 || maxSpanSize >= maxSpanWidthIndex) {
            throw new IllegalArgumentException("maxSpanSize must be in [1, " + maxSpanWidthIndex + "), got " + maxSpanSize);
        }
        if (dropout < 0 || dropout >= 1) throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }

    public Variant variantEnum() {
        return Variant.parse(variant);
    }
}
