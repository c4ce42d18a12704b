package dev.jerex.nn.bert;

import dev.jerex.nn.Container;
import dev.jerex.nn.Dropout;
import dev.jerex.nn.Embedding;
import dev.jerex.nn.LayerNorm;
import dev.jerex.nn.Linear;
import dev.jerex.nn.Mode;
import dev.jerex.nn.Module;
import dev.jerex.nn.ModuleList;
import dev.jerex.nn.attention.Attention;
import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * BERT (Devlin et al. 2019), parameter names as Hugging Face's BertModel / BertForMaskedLM:
 * <pre>
 * embeddings  = LayerNorm(word_embeddings[ids] + position_embeddings[0..T) + token_type_embeddings[0])
 * h_0         = dropout(embeddings)                                        [B, T, D]
 * h_l         = encoder.layer.l(h_{l-1}), l = 1..L                       (post-LN layers, {@link BertLayer})
 * pooler      = tanh(pooler.dense(h_L[:, 0]))                              optional
 * MLM logits  = LayerNorm(gelu(cls.predictions.transform.dense(h))) W_word^T + cls.predictions.bias   optional
 * </pre>
 * Padding keys are hidden from attention (-inf before the softmax, as the ONNX exports do).
 */
public final class BertModel extends Module {
    public final BertConfig config;
    public final Embedding wordEmbeddings, positionEmbeddings, tokenTypeEmbeddings;
    public final LayerNorm embeddingNorm;
    public final ModuleList<BertLayer> layers;
    public final Linear pooler;                      // null without pooler
    public final Linear mlmTransform;                // null without MLM head
    public final LayerNorm mlmNorm;
    public final Tensor mlmBias;
    private final Dropout dropout;

    public BertModel(Backend backend, BertConfig config, boolean withPooler, boolean withMlmHead, float hiddenDropout) {
        super(backend);
        this.config = config;
        int d = config.hidden();
        float eps = (float) config.layerNormEps();
        Container embeddings = child("embeddings", new Container(backend));
        this.wordEmbeddings = embeddings.add("word_embeddings", new Embedding(backend, config.vocabSize(), d));
        this.positionEmbeddings = embeddings.add("position_embeddings", new Embedding(backend, config.maxPositions(), d));
        this.tokenTypeEmbeddings = embeddings.add("token_type_embeddings", new Embedding(backend, config.typeVocabSize(), d));
        this.embeddingNorm = embeddings.add("LayerNorm", new LayerNorm(backend, d, eps));
        this.layers = child("encoder", new Container(backend)).add("layer", new ModuleList<>(backend));
        for (int l = 0; l < config.layers(); l++) {
            layers.add(new BertLayer(backend, d, config.heads(), config.intermediate(), eps, hiddenDropout));
        }
        this.pooler = withPooler ? child("pooler", new Container(backend)).add("dense", new Linear(backend, d, d)) : null;
        if (withMlmHead) {
            Container predictions = child("cls", new Container(backend)).add("predictions", new Container(backend));
            Container transform = predictions.add("transform", new Container(backend));
            this.mlmTransform = transform.add("dense", new Linear(backend, d, d));
            this.mlmNorm = transform.add("LayerNorm", new LayerNorm(backend, d, eps));
            this.mlmBias = predictions.addParameter("bias", config.vocabSize());
        } else {
            this.mlmTransform = null;
            this.mlmNorm = null;
            this.mlmBias = null;
        }
        this.dropout = new Dropout(hiddenDropout);
    }

    /**
     * BERT's initialisation (for training from scratch): N(0, 0.02) for weights and embeddings,
     * zero biases, unit LayerNorm weights.
     */
    public void initBert(Rng rng) {
        namedParameters().forEach((name, p) -> {
            if (name.endsWith("LayerNorm.weight")) p.assign(Tensor.ones(backend, p.shape()));
            else if (name.endsWith("bias")) p.assign(Tensor.zeros(backend, p.shape()));
            else p.assign(rng.normal(p.numel(), 0f, 0.02f));
        });
    }

    /**
     * Builds a model from pretrained weights (Hugging Face names, Linear weights [out, in]). The
     * pooler and MLM head are included when the weights have them. Strict: every encoder tensor
     * must be present with the right shape.
     */
    public static BertModel fromPretrained(Backend backend, BertConfig config, Map<String, NamedArray> weights, float hiddenDropout) {
        boolean pooler = weights.containsKey("pooler.dense.weight");
        boolean mlm = weights.containsKey("cls.predictions.transform.dense.weight");
        BertModel model = new BertModel(backend, config, pooler, mlm, hiddenDropout);
        Map<String, Tensor> state = new LinkedHashMap<>();
        weights.forEach((name, a) -> {
            if (name.equals("cls.predictions.decoder.weight")) return;   // tied to the word embeddings
            state.put(name, Tensor.of(backend, a.data(), a.shape()));
        });
        model.loadState(state, true);
        return model;
    }

    /**
     * @param ids     token ids, [B][T] padded to a common length T (any pad id)
     * @param lengths real length of each row (the rest is padding, hidden from attention)
     * @return last hidden state [B, T, D]
     */
    public Tensor forward(int[][] ids, int[] lengths, Mode mode) {
        int b = ids.length, t = ids[0].length;
        if (t > config.maxPositions()) {
            throw new IllegalArgumentException("BERT: sequence of " + t + " tokens exceeds the " + config.maxPositions() + " positions of the model");
        }
        int[] flat = new int[b * t];
        for (int i = 0; i < b; i++) {
            if (ids[i].length != t) throw new IllegalArgumentException("BERT: rows of different lengths; pad them to " + t);
            System.arraycopy(ids[i], 0, flat, i * t, t);
        }
        int[] positions = new int[t];
        for (int i = 0; i < t; i++) positions[i] = i;
        Tensor words = wordEmbeddings.forward(flat).reshape(b, t, config.hidden());
        Tensor x = words.add(positionEmbeddings.forward(positions)).add(tokenTypeEmbeddings.weight.select(0, 0));
        x = dropout.forward(embeddingNorm.forward(x), mode);
        Tensor hidden = needsMask(lengths, t) ? Attention.keyPaddingMask(backend, lengths, t) : null;
        for (BertLayer layer : layers) x = layer.forward(x, null, hidden, mode);
        return x;
    }

    private static boolean needsMask(int[] lengths, int t) {
        if (lengths == null) return false;
        for (int len : lengths) if (len < t) return true;
        return false;
    }

    /** tanh(W h_[CLS] + b): [B, T, D] -> [B, D]. */
    public Tensor pool(Tensor hidden) {
        if (pooler == null) throw new IllegalStateException("this BERT has no pooler weights");
        return pooler.forward(hidden.select(1, 0)).tanh();
    }

    /** Masked-language-model logits over the vocabulary: [..., D] -> [..., V]. */
    public Tensor mlmLogits(Tensor hidden) {
        if (mlmTransform == null) throw new IllegalStateException("this BERT has no MLM head weights");
        Tensor h = mlmNorm.forward(mlmTransform.forward(hidden).gelu());
        return h.matmul(wordEmbeddings.weight.t()).add(mlmBias);
    }

    @Override
    protected String extraRepr() {
        return config.toString();
    }

}
