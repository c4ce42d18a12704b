package dev.jerex.nn.rnn;

import dev.jerex.tensor.NnOps;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;

/**
 * Long short-term memory (Hochreiter & Schmidhuber 1997), PyTorch's formulation and gate order
 * (input, forget, cell, output):
 * <pre>
 * [i f g o] = x_t W_ih^T + b_ih + h W_hh^T + b_hh          [B, 4H]
 * i, f, o = sigmoid(.),  g = tanh(.)
 * c' = f * c + i * g,    h' = o * tanh(c')
 * </pre>
 */
public final class LSTM extends Recurrent {

    public LSTM(Backend backend, int inputSize, int hiddenSize, int layers, boolean bidirectional) {
        super(backend, inputSize, hiddenSize, layers, bidirectional, 4);
    }

    /** Both biases are constant per step, so they join the one big input gemm. */
    @Override
    protected Tensor projectInputs(Tensor input, int layer, int direction) {
        return input.matmul(weightIh[layer][direction].t()).add(biasIh[layer][direction].add(biasHh[layer][direction]));
    }

    /** Every batch goes through {@link NnOps#lstmSequence}, the rows put longest first and back. */
    @Override
    protected Tensor[] wholeSequence(Tensor projected, int layer, int direction, int[] lengths) {
        return longestFirst(projected, lengths, direction,
                (x, sortedLengths) -> NnOps.lstmSequence(x, weightHh[layer][direction], sortedLengths, direction == 1));
    }

    @Override
    protected Tensor[] step(Tensor xt, Tensor h, Tensor c, Tensor weightHhT, Tensor biasHh) {
        int hs = hiddenSize;
        Tensor hc = NnOps.lstmCell(xt, h.matmul(weightHhT), c);      // [B, 2H] = (h', c'): the gates above, fused
        return new Tensor[] {hc.narrow(1, 0, hs), hc.narrow(1, hs, hs)};
    }
}
