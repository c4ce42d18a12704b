package dev.jerex.nn;

import dev.jerex.tensor.NnOps;
import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;

/** Normalises the last axis: (x - mean) / sqrt(var + eps) * weight + bias (fused kernel). */
public final class LayerNorm extends Module {
    public final int dim;
    public final float eps;
    public final Tensor weight, bias;

    public LayerNorm(Backend backend, int dim, float eps) {
        super(backend);
        this.dim = dim;
        this.eps = eps;
        this.weight = parameter("weight", dim);
        this.bias = parameter("bias", dim);
    }

    @Override
    protected void reset(Rng rng) {
        weight.assign(Tensor.ones(backend, dim));
        bias.assign(Tensor.zeros(backend, dim));
    }

    public Tensor forward(Tensor x) {
        return NnOps.layerNorm(x, weight, bias, eps);
    }

    @Override
    protected String extraRepr() {
        return "(" + dim + ",), eps=" + eps;
    }
}
