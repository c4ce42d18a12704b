package dev.jerex.nn;

import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;

/** A module that only groups named children (Hugging Face's nesting, e.g. "attention.output"). */
public final class Container extends Module {
    public Container(Backend backend) {
        super(backend);
    }

    /** Registers {@code module} under {@code name} and returns it. */
    public <M extends Module> M add(String name, M module) {
        return child(name, module);
    }

    /** Registers a parameter of this container (e.g. "cls.predictions.bias"). */
    public Tensor addParameter(String name, int... shape) {
        return parameter(name, shape);
    }
}
