package dev.jerex.tensor;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.UnaryOp;
import org.junit.jupiter.api.Test;

/**
 * Proves that {@link GradCheck}'s tolerances catch wrong gradients: ops with deliberately broken
 * backward functions (a 3% scale error, a dropped term, a wrong broadcast reduction) must fail.
 */
class BrokenBackwardTest {
    private final Backend b = TestBackends.java();

    /** tanh whose backward is 3% too large. */
    private static Tensor tanhScaled(Tensor x) {
        Tensor y = ElementwiseOps.unaryForward(UnaryOp.TANH, 0f, x);
        return y.recordOp("broken_tanh", g -> new Tensor[] {ElementwiseOps.unaryBackward(UnaryOp.TANH, 0f, x, y, g).mul(1.03f)}, x);
    }

    /** x * y whose backward forgets y's contribution to dx (dx = g instead of g * y). */
    private static Tensor mulMissingFactor(Tensor a, Tensor bb) {
        Tensor out = ElementwiseOps.binaryForward("mul", dev.jerex.tensor.backend.BinaryOp.MUL, 0f, a, bb);
        return out.recordOp("broken_mul", g -> new Tensor[] {g, g.mul(a)}, a, bb);
    }

    /** softmax whose backward drops the -sum(g y) term. */
    private static Tensor softmaxDroppedTerm(Tensor x) {
        Tensor y = x.detach().softmax(-1);
        return y.detach().recordOp("broken_softmax", g -> new Tensor[] {g.mul(y)}, x);
    }

    @Test
    void aThreePercentScaleErrorIsCaught() {
        Tensor x = Tensor.rand(b, new Rng(1), -1f, 1f, 3, 4);
        assertThatThrownBy(() -> GradCheck.check("broken_tanh", t -> tanhScaled(t[0]), x))
                .isInstanceOf(AssertionError.class).hasMessageContaining("gradient mismatch");
    }

    @Test
    void aMissingFactorIsCaught() {
        Tensor x = Tensor.rand(b, new Rng(2), -1f, 1f, 3, 4), y = Tensor.rand(b, new Rng(3), 0.5f, 1.5f, 3, 4);
        assertThatThrownBy(() -> GradCheck.check("broken_mul", t -> mulMissingFactor(t[0], t[1]), x, y))
                .isInstanceOf(AssertionError.class).hasMessageContaining("gradient mismatch");
    }

    @Test
    void aDroppedTermIsCaught() {
        Tensor x = Tensor.rand(b, new Rng(4), -1f, 1f, 2, 5);
        assertThatThrownBy(() -> GradCheck.check("broken_softmax", t -> softmaxDroppedTerm(t[0]), x))
                .isInstanceOf(AssertionError.class).hasMessageContaining("gradient mismatch");
    }

    @Test
    void theCorrectVersionsPass() {
        GradCheck.check("tanh", t -> t[0].tanh(), Tensor.rand(b, new Rng(1), -1f, 1f, 3, 4));
        GradCheck.check("softmax", t -> t[0].softmax(-1), Tensor.rand(b, new Rng(4), -1f, 1f, 2, 5));
    }
}
