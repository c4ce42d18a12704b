package dev.jerex.nn;

import dev.jerex.tensor.Tensor;

/** Inverted dropout with probability p, active only in a training {@link Mode}. */
public final class Dropout {
    public final float p;

    public Dropout(float p) {
        if (p < 0 || p >= 1) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        this.p = p;
    }

    public Tensor forward(Tensor x, Mode mode) {
        return x.dropout(p, mode.rng(), mode.training());
    }

    @Override
    public String toString() {
        return "Dropout(p=" + p + ")";
    }
}
