package dev.jerex.nn.rnn;

import dev.jerex.tensor.NnOps;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;
import java.util.Arrays;

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

    /**
     * Every sequence goes through {@link NnOps#lstmSequence}, which wants the longest first: the
     * rows are put in that order (a stable sort by length) and back afterwards. A batch with an
     * empty sequence runs step by step.
     */
    @Override
    protected Tensor[] wholeSequence(Tensor projected, int layer, int direction, int[] lengths) {
        int b = projected.size(0), t = projected.size(1), hs = hiddenSize;
        if (lengths != null && Arrays.stream(lengths).anyMatch(len -> len == 0)) return null;
        Integer[] boxed = new Integer[b];
        for (int i = 0; i < b; i++) boxed[i] = i;
        if (lengths != null) Arrays.sort(boxed, (i, j) -> Integer.compare(lengths[j], lengths[i]));
        int[] order = new int[b], back = new int[b], sortedLengths = lengths == null ? null : new int[b];
        boolean inOrder = true;
        for (int i = 0; i < b; i++) {
            order[i] = boxed[i];
            back[order[i]] = i;
            inOrder &= order[i] == i;
            if (lengths != null) sortedLengths[i] = lengths[order[i]];
        }
        Tensor hc = NnOps.lstmSequence(inOrder ? projected : projected.indexSelect(order), weightHh[layer][direction],
                sortedLengths, direction == 1);                                                 // [B, T, 2H] = (h, c) each step
        if (!inOrder) hc = hc.indexSelect(back);
        // final state: step 0 for the reverse direction, each sequence's last step for the forward one
        Tensor last;
        if (direction == 1) last = hc.select(1, 0);
        else if (lengths == null) last = hc.select(1, t - 1);
        else {
            int[] lastRow = new int[b];
            for (int i = 0; i < b; i++) lastRow[i] = i * t + lengths[i] - 1;
            last = hc.reshape(b * t, 2 * hs).indexSelect(lastRow);
        }
        return new Tensor[] {hc.narrow(2, 0, hs), last.narrow(1, 0, hs), last.narrow(1, hs, hs)};
    }

    @Override
    protected Tensor[] step(Tensor xt, Tensor h, Tensor c, Tensor weightHhT, Tensor biasHh) {
        int hs = hiddenSize;
        Tensor hc = NnOps.lstmCell(xt, h.matmul(weightHhT), c);      // [B, 2H] = (h', c'): the gates above, fused
        return new Tensor[] {hc.narrow(1, 0, hs), hc.narrow(1, hs, hs)};
    }
}
