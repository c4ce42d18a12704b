package dev.jerex.nn;

import dev.jerex.nn.attention.Attention;
import dev.jerex.nn.attention.MultiHeadAttention;
import dev.jerex.nn.bert.BertLayer;
import dev.jerex.nn.rnn.GRU;
import dev.jerex.nn.rnn.LSTM;
import dev.jerex.nn.span.SpanPooling;
import dev.jerex.tensor.GradCheck;
import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Numerical gradient checks of the composite layers on tiny shapes (w.r.t. their inputs). */
class CompositeGradientCheckTest {
    private static final String BACKENDS = "dev.jerex.tensor.TestBackends#all";

    private static Tensor rand(Backend b, long seed, int... shape) {
        return Tensor.rand(b, new Rng(seed), -1f, 1f, shape);
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void crossAttention(Backend b) {
        MultiHeadAttention mha = new MultiHeadAttention(b, 4, 2);
        mha.resetParameters(new Rng(1));
        Tensor padding = Attention.keyPaddingMask(b, new int[] {3, 2}, 3);
        GradCheck.check("mha", x -> mha.forward(x[0], x[1], padding, null), rand(b, 2, 2, 2, 4), rand(b, 3, 2, 3, 4));
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void bertLayer(Backend b) {
        BertLayer layer = new BertLayer(b, 4, 2, 6, 1e-5f, 0f);
        layer.resetParameters(new Rng(2));
        GradCheck.check("bert_layer", x -> layer.forward(x[0], null, null, Mode.eval()), rand(b, 4, 2, 3, 4));
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void biLstmAndBiGru(Backend b) {
        LSTM lstm = new LSTM(b, 3, 2, 1, true);
        lstm.resetParameters(new Rng(3));
        GradCheck.check("bilstm", x -> lstm.forward(x[0], new int[] {4, 2}).output(), rand(b, 5, 2, 4, 3));
        GRU gru = new GRU(b, 3, 2, 2, true);
        gru.resetParameters(new Rng(4));
        GradCheck.check("bigru", x -> gru.forward(x[0], new int[] {3, 4}).output(), rand(b, 6, 2, 4, 3));
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void spanPooling(Backend b) {
        // distinct values: no ties in the max
        float[] v = new float[2 * 5 * 3];
        int[] p = new Rng(7).permutation(v.length);
        for (int i = 0; i < v.length; i++) v[i] = p[i] * 0.1f;
        GradCheck.check("span_pool", x -> SpanPooling.maxPool(x[0], new int[] {0, 1, 1}, new int[] {1, 0, 2}, new int[] {4, 2, 2}),
                Tensor.of(b, v, 2, 5, 3));
    }
}
