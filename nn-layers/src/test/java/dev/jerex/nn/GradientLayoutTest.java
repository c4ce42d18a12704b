package dev.jerex.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jerex.nn.rnn.GRU;
import dev.jerex.nn.rnn.LSTM;
import dev.jerex.tensor.Gradients;
import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Weights used through a transposed view (x W^T in Linear, h W_hh^T in the recurrent layers) get
 * contiguous gradients: clipping and the optimiser read them in place, without a copy each.
 */
class GradientLayoutTest {

    @ParameterizedTest @MethodSource("dev.jerex.tensor.TestBackends#all")
    void weightGradientsAreContiguous(Backend b) {
        Linear linear = new Linear(b, 5, 3);
        LSTM lstm = new LSTM(b, 3, 4, 1, true);
        GRU gru = new GRU(b, 8, 2, 1, false);
        Rng rng = new Rng(3);
        linear.resetParameters(rng);
        lstm.resetParameters(rng);
        gru.resetParameters(rng);
        Tensor x = Tensor.rand(b, new Rng(4), -1f, 1f, 2, 6, 5);
        Tensor y = gru.forward(lstm.forward(linear.forward(x), new int[] {6, 4}).output(), null).output();
        Gradients grads = y.sum().backward();
        for (Module m : new Module[] {linear, lstm, gru}) {
            m.namedParameters().forEach((name, p) ->
                    assertThat(grads.get(p).isContiguous()).as(m.getClass().getSimpleName() + "." + name).isTrue());
        }
    }
}
