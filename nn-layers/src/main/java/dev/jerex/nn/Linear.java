package dev.jerex.nn;

import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;

/**
 * y = x W^T + b, with W [out, in] and b [out] as in PyTorch. x: [..., in] -> [..., out].
 * W^T is a transposed view handed to gemm with a transpose flag: no copy.
 */
public final class Linear extends Module {
    public final int inFeatures, outFeatures;
    public final Tensor weight;
    public final Tensor bias;   // null without bias

    public Linear(Backend backend, int inFeatures, int outFeatures, boolean bias) {
        super(backend);
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = parameter("weight", outFeatures, inFeatures);
        this.bias = bias ? parameter("bias", outFeatures) : null;
    }

    public Linear(Backend backend, int inFeatures, int outFeatures) {
        this(backend, inFeatures, outFeatures, true);
    }

    /** PyTorch's default: U(-1/sqrt(in), 1/sqrt(in)) for W and b (kaiming_uniform with a = sqrt 5). */
    @Override
    protected void reset(Rng rng) {
        float bound = (float) (1.0 / Math.sqrt(inFeatures));
        weight.assign(rng.uniform(weight.numel(), -bound, bound));
        if (bias != null) bias.assign(rng.uniform(bias.numel(), -bound, bound));
    }

    public Tensor forward(Tensor x) {
        Tensor y = x.matmul(weight.t());
        return bias == null ? y : y.add(bias);
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias != null);
    }
}
