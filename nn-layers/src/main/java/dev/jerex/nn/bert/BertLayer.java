package dev.jerex.nn.bert;

import dev.jerex.nn.Container;
import dev.jerex.nn.Dropout;
import dev.jerex.nn.LayerNorm;
import dev.jerex.nn.Linear;
import dev.jerex.nn.Mode;
import dev.jerex.nn.Module;
import dev.jerex.nn.attention.Attention;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;

/**
 * One BERT encoder layer (post-LN), parameter names as Hugging Face's BertLayer:
 * <pre>
 * a   = attention.self(x)                                 query/key/value: Linear(D, D), H heads
 * x1  = attention.output.LayerNorm(x + dropout(attention.output.dense(a)))
 * f   = output.dense(gelu(intermediate.dense(x1)))         FFN: D -> F -> D, exact-erf GELU
 * out = output.LayerNorm(x1 + dropout(f))
 * </pre>
 * Attention-probability dropout is not applied (the models fine-tuned here use hidden dropout only).
 */
public final class BertLayer extends Module {
    public final int dim, heads, ffn;
    public final Linear query, key, value, attentionOut, intermediate, output;
    public final LayerNorm attentionNorm, outputNorm;
    private final Dropout dropout;

    public BertLayer(Backend backend, int dim, int heads, int ffn, float eps, float hiddenDropout) {
        super(backend);
        this.dim = dim;
        this.heads = heads;
        this.ffn = ffn;
        Container attention = child("attention", new Container(backend));
        Container self = attention.add("self", new Container(backend));
        this.query = self.add("query", new Linear(backend, dim, dim));
        this.key = self.add("key", new Linear(backend, dim, dim));
        this.value = self.add("value", new Linear(backend, dim, dim));
        Container attentionOutput = attention.add("output", new Container(backend));
        this.attentionOut = attentionOutput.add("dense", new Linear(backend, dim, dim));
        this.attentionNorm = attentionOutput.add("LayerNorm", new LayerNorm(backend, dim, eps));
        this.intermediate = child("intermediate", new Container(backend)).add("dense", new Linear(backend, dim, ffn));
        Container out = child("output", new Container(backend));
        this.output = out.add("dense", new Linear(backend, ffn, dim));
        this.outputNorm = out.add("LayerNorm", new LayerNorm(backend, dim, eps));
        this.dropout = new Dropout(hiddenDropout);
    }

    /**
     * @param x          [B, T, D]
     * @param scoreBias  additive attention bias broadcastable to [B, H, T, T] (BERT's
     *                   (1 - attention_mask) * -10000 as [B, 1, 1, T]); or null
     * @param keyHidden  1 = hidden key, broadcastable to [B, H, T, T]; or null
     */
    public Tensor forward(Tensor x, Tensor scoreBias, Tensor keyHidden, Mode mode) {
        Tensor q = Attention.splitHeads(query.forward(x), heads);
        Tensor k = Attention.splitHeads(key.forward(x), heads);
        Tensor v = Attention.splitHeads(value.forward(x), heads);
        Tensor a = Attention.mergeHeads(Attention.scaledDotProduct(q, k, v, keyHidden, scoreBias));
        Tensor x1 = attentionNorm.forward(x.add(dropout.forward(attentionOut.forward(a), mode)));
        Tensor f = output.forward(intermediate.forward(x1).gelu());
        return outputNorm.forward(x1.add(dropout.forward(f, mode)));
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim + ", heads=" + heads + ", ffn=" + ffn;
    }
}
