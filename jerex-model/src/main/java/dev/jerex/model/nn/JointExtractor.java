package dev.jerex.model.nn;

import dev.jerex.model.ModelConfig;
import dev.jerex.model.Variant;
import dev.jerex.nn.Dropout;
import dev.jerex.nn.Embedding;
import dev.jerex.nn.LayerNorm;
import dev.jerex.nn.Linear;
import dev.jerex.nn.Mode;
import dev.jerex.nn.Module;
import dev.jerex.nn.attention.Attention;
import dev.jerex.nn.bert.BertModel;
import dev.jerex.nn.rnn.Recurrent;
import dev.jerex.nn.span.SpanPooling;
import dev.jerex.tensor.NnOps;
import dev.jerex.tensor.Profiler;
import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;

/**
 * The joint entity and relation extractor of arXiv 2502.09247, and SpERT as its baseline
 * (MODEL.md; the switches are in {@link Variant}). Read top to bottom it follows the paper's
 * figure:
 *
 * <pre>
 * H     = bert(tokens)                                         [B, T, d]      encoder
 * F     = fusion(H)          (or F = H for spert)              [B, T, d]      interactive fusion
 * span s:  pool(s) = maxpool(F over s)                          [d]
 *          width(s) = size_embeddings[#words of s]              [25]
 *          ctx(s)   = SEA(F, s)  or  H[CLS]                     [d]
 *          entity logits = entity_classifier(dropout([ctx(s); pool(s); width(s)]))        [types + 1]
 * pair (s1, s2):  ctx = maxpool(F strictly between s1 and s2)  (0 when adjacent)  or  H[CLS]
 *          relation logits = rel_classifier(dropout([ctx; pool(s1); pool(s2); width(s1); width(s2)]))
 * loss  = mean cross-entropy over entity samples + mean over relation samples of the mean
 *         binary cross-entropy over relation types (SPERT.md)
 * </pre>
 */
public final class JointExtractor extends Module {
    public final ModelConfig config;
    public final Variant variant;
    public final BertModel bert;
    public final InteractiveFusion fusion;                 // null for spert
    public final SemanticEnhancementAttention sea;         // null without SEA
    public final Embedding sizeEmbeddings;
    public final Linear entityClassifier, relationClassifier;
    private final Dropout dropout;
    private final int d;

    public JointExtractor(Backend backend, ModelConfig config, BertModel bert) {
        super(backend);
        this.config = config;
        this.variant = config.variantEnum();
        this.d = bert.config.hidden();
        this.bert = child("bert", bert);
        float eps = (float) bert.config.layerNormEps();
        this.fusion = variant.fusion
                ? child("fusion", new InteractiveFusion(backend, d, config.fusionHeads(), variant.crossAttention, config.dropout(), eps))
                : null;
        this.sea = variant.sea ? child("sea", new SemanticEnhancementAttention(backend, d, config.fusionHeads(), config.seaSpanChunk())) : null;
        this.sizeEmbeddings = child("size_embeddings", new Embedding(backend, config.maxSpanWidthIndex(), config.sizeEmbedding()));
        this.entityClassifier = child("entity_classifier", new Linear(backend, 2 * d + config.sizeEmbedding(), config.entityTypes()));
        this.relationClassifier = child("rel_classifier", new Linear(backend, 3 * d + 2 * config.sizeEmbedding(), Math.max(1, config.relationTypes())));
        this.dropout = new Dropout(config.dropout());
    }

    /**
     * Initialises everything but the pretrained encoder as SpERT does (BERT's init_weights):
     * Linear and Embedding weights N(0, 0.02), biases 0, LayerNorm 1 / 0; the recurrent layers
     * keep PyTorch's default U(-1/sqrt(H), 1/sqrt(H)).
     */
    public void initHeads(Rng rng) {
        children().forEach((name, child) -> {
            if (name.equals("bert")) return;
            child.resetParameters(rng);   // PyTorch's defaults, which the recurrent layers keep
            initLikeBert(child, rng);
        });
    }

    /** BERT's _init_weights, by module type, in registration order. */
    private void initLikeBert(Module m, Rng rng) {
        if (m instanceof Recurrent) return;
        if (m instanceof Linear linear) {
            linear.weight.assign(rng.normal(linear.weight.numel(), 0f, 0.02f));
            if (linear.bias != null) linear.bias.assign(Tensor.zeros(backend, linear.bias.shape()));
        } else if (m instanceof Embedding embedding) {
            embedding.weight.assign(rng.normal(embedding.weight.numel(), 0f, 0.02f));
        } else if (m instanceof LayerNorm norm) {
            norm.weight.assign(Tensor.ones(backend, norm.weight.shape()));
            norm.bias.assign(Tensor.zeros(backend, norm.bias.shape()));
        }
        for (Module child : m.children().values()) initLikeBert(child, rng);
    }

    /** The encoder and fusion: token ids -> H (for [CLS]) and F. */
    public record Encoded(Tensor h, Tensor f, int[] lengths) {
        /** H[CLS] of each document: [B, d]. */
        public Tensor cls() {
            return h.select(1, 0);
        }
    }

    public Encoded encode(int[][] ids, int[] lengths, Mode mode) {
        Tensor h;
        try (Profiler p = Profiler.section("encoder")) {
            h = bert.forward(ids, lengths, mode);
        }
        if (fusion == null) return new Encoded(h, h, lengths);
        int t = ids[0].length;
        boolean padded = false;
        for (int len : lengths) padded |= len < t;
        Tensor paddingHidden = padded ? Attention.keyPaddingMask(backend, lengths, t) : null;
        try (Profiler p = Profiler.section("fusion")) {
            return new Encoded(h, fusion.forward(h, lengths, paddingHidden, mode), lengths);
        }
    }

    /** Span features [S, d + 25]: [pool(s); width(s)] (without the context). */
    public record SpanFeatures(Tensor pooled, Tensor widths) {}

    public SpanFeatures spanFeatures(Encoded enc, int[] doc, int[] start, int[] end, int[] wordWidth) {
        try (Profiler p = Profiler.section("entity head")) {
            return spanFeaturesOf(enc, doc, start, end, wordWidth);
        }
    }

    private SpanFeatures spanFeaturesOf(Encoded enc, int[] doc, int[] start, int[] end, int[] wordWidth) {
        Tensor pooled = SpanPooling.maxPool(enc.f(), doc, start, end);
        int[] clipped = new int[wordWidth.length];
        for (int i = 0; i < clipped.length; i++) clipped[i] = Math.min(wordWidth[i], config.maxSpanWidthIndex() - 1);
        return new SpanFeatures(pooled, sizeEmbeddings.forward(clipped));
    }

    /** Entity logits [S, types + 1]. */
    public Tensor entityLogits(Encoded enc, SpanFeatures spans, int[] doc, int[] start, int[] end, Mode mode) {
        Tensor ctx;
        try (Profiler p = Profiler.section(sea != null ? "sea" : "entity head")) {
            ctx = sea != null ? sea.contexts(enc.f(), enc.lengths(), doc, start, end) : enc.cls().indexSelect(doc);
        }
        try (Profiler p = Profiler.section("entity head")) {
            Tensor repr = Tensor.concat(1, ctx, spans.pooled(), spans.widths());
            return entityClassifier.forward(dropout.forward(repr, mode));
        }
    }

    /**
     * Relation logits [R, relation types] for ordered pairs of spans (indices into {@code spans}).
     * The local context is the max-pool of F over [contextStart, contextEnd) of the pair's document.
     */
    public Tensor relationLogits(Encoded enc, SpanFeatures spans, int[] pairDoc, int[] head, int[] tail,
                                 int[] contextStart, int[] contextEnd, Mode mode) {
        try (Profiler p = Profiler.section("relation head")) {
            return relationHead(enc, spans, pairDoc, head, tail, contextStart, contextEnd, mode);
        }
    }

    private Tensor relationHead(Encoded enc, SpanFeatures spans, int[] pairDoc, int[] head, int[] tail,
                                int[] contextStart, int[] contextEnd, Mode mode) {
        Tensor ctx = variant.localRelationContext
                ? SpanPooling.maxPool(enc.f(), pairDoc, contextStart, contextEnd)
                : enc.cls().indexSelect(pairDoc);
        Tensor repr = Tensor.concat(1, ctx,
                spans.pooled().indexSelect(head), spans.pooled().indexSelect(tail),
                spans.widths().indexSelect(head), spans.widths().indexSelect(tail));
        return relationClassifier.forward(dropout.forward(repr, mode));
    }

    /** The logits of a training batch: entities [S, types + 1], relations [R, relation types] (null without relation samples). */
    public record Logits(Tensor entity, Tensor relation) {}

    public Logits logits(Batch batch, Mode mode) {
        Encoded enc = encode(batch.ids, batch.lengths, mode);
        SpanFeatures spans = spanFeatures(enc, batch.entityDoc, batch.entityStart, batch.entityEnd, batch.entityWidth);
        Tensor entity = entityLogits(enc, spans, batch.entityDoc, batch.entityStart, batch.entityEnd, mode);
        Tensor relation = batch.relationHead.length > 0 && config.relationTypes() > 0
                ? relationLogits(enc, spans, batch.relationDoc, batch.relationHead, batch.relationTail, batch.contextStart, batch.contextEnd, mode)
                : null;
        return new Logits(entity, relation);
    }

    /** SpERT's joint loss on a training batch, with its two terms. */
    public record Loss(Tensor total, float entity, float relation) {}

    public Loss loss(Batch batch, Mode mode) {
        return loss(logits(batch, mode), batch);
    }

    /** The loss of a batch's logits against its labels. */
    public Loss loss(Logits logits, Batch batch) {
        Tensor entityLoss = NnOps.crossEntropy(logits.entity(), batch.entityLabel, -100);
        Tensor total = entityLoss;
        float relationValue = 0f;
        if (logits.relation() != null) {
            Tensor relationLogits = logits.relation();
            Tensor targets = Tensor.of(backend, batch.relationLabels, batch.relationHead.length, config.relationTypes());
            Tensor relationLoss = NnOps.binaryCrossEntropyWithLogits(relationLogits, targets);
            relationValue = relationLoss.item();
            total = total.add(relationLoss);
        }
        return new Loss(total, entityLoss.item(), relationValue);
    }
}
