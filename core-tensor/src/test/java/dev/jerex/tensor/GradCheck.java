package dev.jerex.tensor;

import static org.assertj.core.api.Assertions.fail;

import java.util.function.Function;

/**
 * Numerical gradient check by central differences, in the manner of PyTorch's gradcheck.
 *
 * <p>The function's outputs are reduced to a scalar L = sum(f(x) * w) with fixed random weights
 * w (so that every output element matters and errors cannot cancel), then for every element of
 * every input: dL/dx_i ~ (L(x + h e_i) - L(x - h e_i)) / 2h, with L accumulated in double.
 * The tensors are float32, so h is large enough that rounding stays small (h = 1e-2 by default,
 * truncation error O(h^2)); the tolerance is |num - analytic| <= atol + rtol |num|.
 * {@code BrokenBackwardTest} shows that these tolerances reject a backward that is wrong by a few
 * percent.
 */
public final class GradCheck {
    public static final double H = 1e-2, ATOL = 2e-3, RTOL = 1e-2;

    private GradCheck() {}

    public static void check(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(name, f, H, ATOL, RTOL, inputs);
    }

    public static void check(String name, Function<Tensor[], Tensor> f, double h, double atol, double rtol, Tensor... inputs) {
        for (Tensor t : inputs) t.requiresGrad(true);
        Tensor out = f.apply(inputs);
        float[] weights = new Rng(1234).uniform(out.numel(), -1f, 1f);
        Tensor w = Tensor.of(out.backend(), weights, out.shape());
        Gradients grads = out.mul(w).sum().backward();

        for (int k = 0; k < inputs.length; k++) {
            Tensor input = inputs[k];
            float[] x = input.toArray();
            Tensor analyticT = grads.get(input);
            float[] analytic = analyticT == null ? new float[x.length] : analyticT.toArray();
            for (int i = 0; i < x.length; i++) {
                float orig = x[i];
                x[i] = (float) (orig + h);
                double plus = loss(f, inputs, k, x, weights);
                x[i] = (float) (orig - h);
                double minus = loss(f, inputs, k, x, weights);
                x[i] = orig;
                double numeric = (plus - minus) / (2 * h);
                double diff = Math.abs(numeric - analytic[i]);
                if (!(diff <= atol + rtol * Math.abs(numeric))) {   // NaN fails too
                    fail("%s: gradient mismatch for input %d element %d: numerical %.6g, analytic %.6g (|diff| %.3g)",
                            name, k, i, numeric, analytic[i], diff);
                }
            }
        }
    }

    private static double loss(Function<Tensor[], Tensor> f, Tensor[] inputs, int k, float[] values, float[] weights) {
        Tensor[] args = inputs.clone();
        args[k] = Tensor.of(inputs[k].backend(), values, inputs[k].shape());
        try (GradMode off = GradMode.noGrad()) {
            float[] y = f.apply(args).toArray();
            double l = 0;
            for (int i = 0; i < y.length; i++) l += (double) y[i] * weights[i];
            return l;
        }
    }
}
