package dev.jerex.nn.attention;

import dev.jerex.nn.Linear;
import dev.jerex.nn.Module;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;

/**
 * Multi-head attention with its four projections ({@code query}, {@code key}, {@code value},
 * {@code out}, each Linear(D, D)), for self attention (query and key/value from one sequence) and
 * cross attention (query from one sequence, key/value from another, as the paper's interactive
 * fusion does). No dropout on the weights. See {@link Attention} for the computation and masks.
 */
public final class MultiHeadAttention extends Module {
    public final int dim, heads;
    public final Linear query, key, value, out;

    public MultiHeadAttention(Backend backend, int dim, int heads) {
        super(backend);
        if (dim % heads != 0) throw new IllegalArgumentException("MultiHeadAttention: dim " + dim + " is not divisible by " + heads + " heads");
        this.dim = dim;
        this.heads = heads;
        this.query = child("query", new Linear(backend, dim, dim));
        this.key = child("key", new Linear(backend, dim, dim));
        this.value = child("value", new Linear(backend, dim, dim));
        this.out = child("out", new Linear(backend, dim, dim));
    }

    /**
     * @param queries [B, Tq, D]
     * @param memory  [B, Tk, D] (the same tensor for self attention)
     * @param hidden  1 = key hidden, broadcastable to [B, H, Tq, Tk] (e.g. {@link Attention#keyPaddingMask}); or null
     * @param bias    additive score bias broadcastable to [B, H, Tq, Tk]; or null
     * @return [B, Tq, D]
     */
    public Tensor forward(Tensor queries, Tensor memory, Tensor hidden, Tensor bias) {
        Tensor q = Attention.splitHeads(query.forward(queries), heads);
        Tensor k = Attention.splitHeads(key.forward(memory), heads);
        Tensor v = Attention.splitHeads(value.forward(memory), heads);
        return out.forward(Attention.mergeHeads(Attention.scaledDotProduct(q, k, v, hidden, bias)));
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim + ", heads=" + heads;
    }
}
