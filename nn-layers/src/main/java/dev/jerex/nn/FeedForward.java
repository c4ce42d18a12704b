package dev.jerex.nn;

import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;

/**
 * BERT's position-wise feed-forward block without its residual: y = W2 gelu(W1 x + b1) + b2,
 * with exact-erf GELU. Parameter names as Hugging Face's BertIntermediate / BertOutput:
 * {@code intermediate.dense.*} and {@code output.dense.*}.
 */
public final class FeedForward extends Module {
    public final Linear intermediate, output;

    public FeedForward(Backend backend, int dim, int hidden) {
        super(backend);
        this.intermediate = child("intermediate", new Container(backend)).add("dense", new Linear(backend, dim, hidden));
        this.output = child("output", new Container(backend)).add("dense", new Linear(backend, hidden, dim));
    }

    /** x: [..., dim] -> [..., dim]. */
    public Tensor forward(Tensor x) {
        return output.forward(intermediate.forward(x).gelu());
    }

}
