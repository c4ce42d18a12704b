package dev.jerex.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jerex.tensor.backend.Backend;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every backend computes what the pure-Java reference computes, forward and backward. */
class BackendParityTest {

    private static void assertSame(Backend other, String name, Function<Tensor[], Tensor> f, float tolerance, Tensor... javaInputs) {
        Tensor[] otherInputs = new Tensor[javaInputs.length];
        for (int i = 0; i < javaInputs.length; i++) {
            javaInputs[i].requiresGrad(true);
            otherInputs[i] = javaInputs[i].to(other).requiresGrad(true);
        }
        Tensor expected = f.apply(javaInputs), actual = f.apply(otherInputs);
        assertClose(name + " forward", expected.toArray(), actual.toArray(), tolerance);
        Gradients ge = expected.sum().backward(), ga = actual.sum().backward();
        for (int i = 0; i < javaInputs.length; i++) {
            assertClose(name + " grad " + i, ge.get(javaInputs[i]).toArray(), ga.get(otherInputs[i]).toArray(), tolerance);
        }
    }

    static void assertClose(String what, float[] expected, float[] actual, float tolerance) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            float scale = Math.max(1f, Math.abs(expected[i]));
            assertThat(Math.abs(expected[i] - actual[i])).as("%s element %d: %s vs %s", what, i, expected[i], actual[i])
                    .isLessThanOrEqualTo(tolerance * scale);
        }
    }

    @ParameterizedTest @MethodSource("dev.jerex.tensor.TestBackends#all")
    void aSmallNetworkMatchesJava(Backend other) {
        Backend java = TestBackends.java();
        Rng rng = new Rng(7);
        Tensor x = Tensor.rand(java, rng, -1f, 1f, 3, 5, 16);
        Tensor w1 = Tensor.rand(java, rng, -0.5f, 0.5f, 32, 16), b1 = Tensor.rand(java, rng, -0.1f, 0.1f, 32);
        Tensor gamma = Tensor.rand(java, rng, 0.5f, 1.5f, 32), beta = Tensor.rand(java, rng, -0.1f, 0.1f, 32);
        assertSame(other, "mlp", t -> {
            Tensor h = NnOps.layerNorm(t[0].matmul(t[1].t()).add(t[2]).gelu(), t[3], t[4], 1e-12f);
            Tensor scores = h.matmul(h.t()).mul(0.125f).softmax(-1);      // [3, 5, 5] attention-like
            return scores.matmul(h).tanh().max(1, false);
        }, 2e-5f, x, w1, b1, gamma, beta);
    }

    @ParameterizedTest @MethodSource("dev.jerex.tensor.TestBackends#all")
    void indexingAndLossesMatchJava(Backend other) {
        Backend java = TestBackends.java();
        Tensor table = Tensor.rand(java, new Rng(3), -1f, 1f, 10, 4);
        assertSame(other, "embedding+ce", t -> {
            Tensor e = t[0].indexSelect(new int[] {1, 5, 5, 9, 0, 2});
            Tensor pooled = IndexOps.rangeMax(e, new int[] {0, 2, 3}, new int[] {2, 6, 3});
            return NnOps.crossEntropy(pooled, new int[] {3, 0, -1}, -1).reshape(1);
        }, 1e-5f, table);
    }

    @ParameterizedTest @MethodSource("dev.jerex.tensor.TestBackends#all")
    void largeMatmulsMatchJava(Backend other) {
        Backend java = TestBackends.java();
        Tensor a = Tensor.rand(java, new Rng(1), -1f, 1f, 2, 130, 257);
        Tensor w = Tensor.rand(java, new Rng(2), -1f, 1f, 300, 257);
        Tensor expected = a.matmul(w.t());
        Tensor actual = a.to(other).matmul(w.to(other).t());
        assertClose("matmul", expected.toArray(), actual.toArray(), 1e-4f);
    }
}
