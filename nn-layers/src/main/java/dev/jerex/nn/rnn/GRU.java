package dev.jerex.nn.rnn;

import dev.jerex.tensor.NnOps;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;

/**
 * Gated recurrent unit (Cho et al. 2014), PyTorch's formulation and gate order (reset, update,
 * new):
 * <pre>
 * [xr xz xn] = x_t W_ih^T + b_ih,   [hr hz hn] = h W_hh^T + b_hh     [B, 3H] each
 * r = sigmoid(xr + hr),  z = sigmoid(xz + hz)
 * n = tanh(xn + r * hn)                (b_hn stays inside the reset gate's product)
 * h' = (1 - z) * n + z * h  =  n + z * (h - n)
 * </pre>
 */
public final class GRU extends Recurrent {

    public GRU(Backend backend, int inputSize, int hiddenSize, int layers, boolean bidirectional) {
        super(backend, inputSize, hiddenSize, layers, bidirectional, 3);
    }

    @Override
    protected Tensor projectInputs(Tensor input, int layer, int direction) {
        return input.matmul(weightIh[layer][direction].t()).add(biasIh[layer][direction]);
    }

    /** Every batch goes through {@link NnOps#gruSequence}, the rows put longest first and back. */
    @Override
    protected Tensor[] wholeSequence(Tensor projected, int layer, int direction, int[] lengths) {
        return longestFirst(projected, lengths, direction,
                (x, sortedLengths) -> NnOps.gruSequence(x, weightHh[layer][direction], biasHh[layer][direction], sortedLengths, direction == 1));
    }

    @Override
    protected Tensor[] step(Tensor xt, Tensor h, Tensor c, Tensor weightHhT, Tensor biasHh) {
        Tensor hh = h.matmul(weightHhT).add(biasHh);                // [B, 3H]
        return new Tensor[] {NnOps.gruCell(xt, hh, h), null};      // the gates above, fused
    }
}
