package dev.jerex.nn;

import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;

/** A lookup table: ids [n] -> rows of {@code weight} [num, dim] (index-select; backward scatter-adds). */
public final class Embedding extends Module {
    public final int num, dim;
    public final Tensor weight;

    public Embedding(Backend backend, int num, int dim) {
        super(backend);
        this.num = num;
        this.dim = dim;
        this.weight = parameter("weight", num, dim);
    }

    /** PyTorch's default N(0, 1); BERT initialises N(0, 0.02) (its own reset). */
    @Override
    protected void reset(Rng rng) {
        weight.assign(rng.normal(weight.numel(), 0f, 1f));
    }

    /** ids (any count) -> [ids.length, dim]. */
    public Tensor forward(int[] ids) {
        return weight.indexSelect(ids);
    }

    @Override
    protected String extraRepr() {
        return num + ", " + dim;
    }
}
