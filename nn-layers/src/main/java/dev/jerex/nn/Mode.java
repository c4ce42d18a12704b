package dev.jerex.nn;

import dev.jerex.tensor.Rng;

/**
 * How a forward pass runs, passed explicitly to every module that behaves differently in
 * training (dropout): whether it trains, and the seeded random source for its dropout masks.
 */
public record Mode(boolean training, Rng rng) {

    /** Inference: dropout off, no randomness. */
    public static Mode eval() {
        return new Mode(false, null);
    }

    public static Mode train(Rng rng) {
        if (rng == null) throw new IllegalArgumentException("training mode needs a random source for dropout");
        return new Mode(true, rng);
    }
}
