package dev.jerex.nn.rnn;

import dev.jerex.tensor.Tensor;

/**
 * One time step of a recurrent layer, for {@code dev.jerex.bench.KernelBenchmark}: the same
 * {@link Recurrent#step} the layer runs T times per direction, on layer 0, forward direction.
 * It lives in the layers' package (in the benchmarks module, on the class path) because
 * {@code step} is protected; the library's API stays as it is.
 */
public final class RecurrentStep {
    private RecurrentStep() {}

    /**
     * @param projectedInput x_t W_ih^T (+ biases), [B, G*H]
     * @param h              hidden state [B, H]
     * @param c              cell state [B, H] (LSTM; ignored by GRU)
     * @return {h', c'} (c' null for GRU)
     */
    public static Tensor[] step(Recurrent layer, Tensor projectedInput, Tensor h, Tensor c) {
        return layer.step(projectedInput, h, c, layer.weightHh[0][0].t(), layer.biasHh[0][0]);
    }

    /** W_hh of layer 0, forward direction: [G*H, H]. */
    public static Tensor weightHh(Recurrent layer) {
        return layer.weightHh[0][0];
    }

    /** b_hh of layer 0, forward direction: [G*H] (LSTM folds it into the input projection). */
    public static Tensor biasHh(Recurrent layer) {
        return layer.biasHh[0][0];
    }
}
