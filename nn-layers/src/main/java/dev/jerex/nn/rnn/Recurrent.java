package dev.jerex.nn.rnn;

import dev.jerex.nn.Module;
import dev.jerex.tensor.GradMode;
import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.TensorScope;
import dev.jerex.tensor.backend.Backend;
import java.util.Arrays;
import java.util.function.BiFunction;

/**
 * What LSTM and GRU share: PyTorch's parameter layout and names, layers and directions, and
 * variable-length batches.
 *
 * <p>Parameters for layer k and direction d (suffix "" forward, "_reverse" backward), with G
 * gates (4 for LSTM, 3 for GRU): {@code weight_ih_l{k}} [G*H, in], {@code weight_hh_l{k}} [G*H, H],
 * {@code bias_ih_l{k}} [G*H], {@code bias_hh_l{k}} [G*H].
 *
 * <p>Speed: a direction's input projections for all time steps are one gemm
 * ([B*T, in] x [in, G*H]); each step then costs one gemm [B, H] x [H, G*H] batched over B, and a
 * few element-wise ops on [B, G*H]. Two details keep the backward pass linear in T:
 * <ul>
 *   <li>W_hh^T is one transposed view per direction, not one per step, and it collects its
 *       products ({@link Tensor#collectProductGradients}): its gradient, sum over the steps of
 *       h_{t-1}^T dgates_t, is one gemm over all T*B rows at the end instead of T gemms of B rows
 *       each followed by an addition of an [H, G*H] tensor; it is transposed back once.</li>
 *   <li>Each step reads its slice of the projections as a view ({@code select}); the backward
 *       of a slice writes its gradient straight into its window of one [B, T, G*H] gradient,
 *       created once, so the slices cost one full-size tensor and T window-sized copies.</li>
 * </ul>
 *
 * <p>Variable lengths: step t updates only the sequences with t < length[b]; the others keep
 * their state and output 0. The forward direction thus stops at each sequence's end; the reverse
 * direction, walking t = T-1 .. 0 from a zero state, starts at each sequence's last real token —
 * what PyTorch's packed sequences compute.
 *
 * <p>The steps above are the reference; a cell may run a whole direction as one op instead
 * ({@link #wholeSequence}): both cells here do, for every batch ({@code NnOps.gruSequence},
 * {@code NnOps.lstmSequence}), with the same results and far fewer backend calls (kernel
 * launches, on a GPU).
 */
public abstract class Recurrent extends Module {
    public final int inputSize, hiddenSize, layers, gates;
    public final boolean bidirectional;
    protected final Tensor[][] weightIh, weightHh, biasIh, biasHh;   // [layer][direction]

    /** Outputs [B, T, dirs*H] (0 at padded steps), final states [layers*dirs, B, H] (cells for LSTM). */
    public record Output(Tensor output, Tensor hN, Tensor cN) {}

    protected Recurrent(Backend backend, int inputSize, int hiddenSize, int layers, boolean bidirectional, int gates) {
        super(backend);
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.layers = layers;
        this.bidirectional = bidirectional;
        this.gates = gates;
        int dirs = bidirectional ? 2 : 1;
        weightIh = new Tensor[layers][dirs];
        weightHh = new Tensor[layers][dirs];
        biasIh = new Tensor[layers][dirs];
        biasHh = new Tensor[layers][dirs];
        for (int k = 0; k < layers; k++) {
            int in = k == 0 ? inputSize : hiddenSize * dirs;
            for (int d = 0; d < dirs; d++) {
                String sfx = "_l" + k + (d == 1 ? "_reverse" : "");
                weightIh[k][d] = parameter("weight_ih" + sfx, gates * hiddenSize, in);
                weightHh[k][d] = parameter("weight_hh" + sfx, gates * hiddenSize, hiddenSize);
                biasIh[k][d] = parameter("bias_ih" + sfx, gates * hiddenSize);
                biasHh[k][d] = parameter("bias_hh" + sfx, gates * hiddenSize);
            }
        }
    }

    /** PyTorch's initialisation: every parameter U(-1/sqrt(H), 1/sqrt(H)). */
    @Override
    protected void reset(Rng rng) {
        float bound = (float) (1.0 / Math.sqrt(hiddenSize));
        for (Tensor p : namedParameters().values()) p.assign(rng.uniform(p.numel(), -bound, bound));
    }

    /**
     * @param x       [B, T, inputSize]
     * @param lengths real length of each sequence (null: all T)
     */
    public Output forward(Tensor x, int[] lengths) {
        if (x.size(2) != inputSize) throw new IllegalArgumentException(getClass().getSimpleName() + ": input size " + x.size(2) + ", expected " + inputSize);
        return run(x, null, lengths);
    }

    /**
     * A one-layer network run from its input projections x W_ih^T + b_ih, given per direction as
     * [B, T, G*H]. For callers that fold a linear map A into W_ih: (x A^T) W_ih^T = x (W_ih A)^T,
     * one gemm instead of two (see {@link #inputWeight}).
     */
    public Output forwardProjected(Tensor[] projected, int[] lengths) {
        if (layers != 1) throw new IllegalStateException(getClass().getSimpleName() + ": forwardProjected needs one layer, not " + layers);
        int dirs = bidirectional ? 2 : 1;
        if (projected.length != dirs) throw new IllegalArgumentException(getClass().getSimpleName() + ": " + projected.length + " projections for " + dirs + " directions");
        for (Tensor p : projected) {
            if (p.dim() != 3 || p.size(2) != gates * hiddenSize) throw new IllegalArgumentException(getClass().getSimpleName() + ": projection of shape " + java.util.Arrays.toString(p.shape()) + ", expected [B, T, " + gates * hiddenSize + "]");
        }
        return run(null, projected, lengths);
    }

    /** W_ih of a layer and direction: [G*H, in]. */
    public Tensor inputWeight(int layer, int direction) {
        return weightIh[layer][direction];
    }

    /** b_ih of a layer and direction: [G*H]. */
    public Tensor inputBias(int layer, int direction) {
        return biasIh[layer][direction];
    }

    /** W_hh of a layer and direction: [G*H, H]. */
    public Tensor hiddenWeight(int layer, int direction) {
        return weightHh[layer][direction];
    }

    /** b_hh of a layer and direction: [G*H] (the LSTM adds it to the input projection instead). */
    public Tensor hiddenBias(int layer, int direction) {
        return biasHh[layer][direction];
    }

    /**
     * One time step of a layer and direction, the one {@link #forward} runs T times (for
     * step-level benchmarks and tests).
     *
     * @param projectedInput x_t W_ih^T + biases, [B, G*H]
     * @param h              state [B, H]
     * @param c              cell [B, H] (LSTM; ignored by the GRU)
     * @return {h', c'} (c' null for the GRU)
     */
    public Tensor[] singleStep(int layer, int direction, Tensor projectedInput, Tensor h, Tensor c) {
        return step(projectedInput, h, c, weightHh[layer][direction].t(), biasHh[layer][direction]);
    }

    /** Runs all layers; layer 0 projects x itself or, with x null, takes the given projections. */
    private Output run(Tensor x, Tensor[] firstProjections, int[] lengths) {
        Tensor first = x != null ? x : firstProjections[0];
        int b = first.size(0), t = first.size(1);
        int[] padded = paddedLengths(b, t, lengths);
        Tensor[] masks = new Tensor[t];   // made on first use: only the step-by-step path needs them
        int dirs = bidirectional ? 2 : 1;
        Tensor[] hFinal = new Tensor[layers * dirs], cFinal = new Tensor[layers * dirs];
        Tensor input = x;
        for (int k = 0; k < layers; k++) {
            Tensor[] outs = new Tensor[dirs];
            for (int d = 0; d < dirs; d++) {
                Tensor[] state = new Tensor[2];
                Tensor projected = input != null ? projectInputs(input, k, d) : firstProjections[d];
                outs[d] = runDirection(projected, k, d, padded, masks, state);
                hFinal[k * dirs + d] = state[0];
                cFinal[k * dirs + d] = state[1];
            }
            input = dirs == 1 ? outs[0] : Tensor.concat(2, outs);
        }
        Tensor hN = Tensor.stack(0, hFinal);
        Tensor cN = cFinal[0] == null ? null : Tensor.stack(0, cFinal);
        return new Output(input, hN, cN);
    }

    /** The lengths, checked, or null when no sequence is padded. */
    private static int[] paddedLengths(int b, int t, int[] lengths) {
        if (lengths == null) return null;
        if (lengths.length != b) throw new IllegalArgumentException("lengths has " + lengths.length + " entries for a batch of " + b);
        boolean padded = false;
        for (int len : lengths) {
            if (len < 0 || len > t) throw new IllegalArgumentException("sequence length " + len + " outside [0, " + t + "]");
            padded |= len < t;
        }
        return padded ? lengths : null;
    }

    /** Fills masks[t]: [B, 1] with 1 where t < length[b], once; left null when nothing is padded. */
    private void fillStepMasks(Tensor[] masks, int[] padded) {
        if (padded == null || masks.length == 0 || masks[0] != null) return;
        for (int s = 0; s < masks.length; s++) {
            float[] m = new float[padded.length];
            for (int i = 0; i < padded.length; i++) m[i] = s < padded[i] ? 1f : 0f;
            masks[s] = Tensor.of(backend, m, padded.length, 1);
        }
    }

    /**
     * Runs layer k, direction d over all steps from its input projections [B, T, G*H]; returns
     * outputs [B, T, H] and leaves the final hidden (and cell) state in state[0] (state[1]).
     */
    private Tensor runDirection(Tensor projected, int k, int d, int[] padded, Tensor[] masks, Tensor[] state) {
        int b = projected.size(0), t = projected.size(1);
        Tensor[] whole = t == 0 ? null : wholeSequence(projected, k, d, padded);   // one op if the cell has one
        if (whole != null) {
            state[0] = whole[1];
            state[1] = whole[2];
            return whole[0];
        }
        fillStepMasks(masks, padded);
        Tensor[] xs = stepInputs(projected);                           // T x [B, G*H]
        // [H, G*H], one view for all steps; its gradient sum_t h_{t-1}^T dgates_t as one gemm at the end
        Tensor weightHhT = weightHh[k][d].t().collectProductGradients();
        Tensor h = Tensor.zeros(backend, b, hiddenSize);
        Tensor c = Tensor.zeros(backend, b, hiddenSize);
        Tensor[] outs = new Tensor[t];
        boolean recording = GradMode.isEnabled();
        for (int i = 0; i < t; i++) {
            int s = d == 0 ? i : t - 1 - i;
            // Without gradients a step's temporaries (projections, gates) are released at its end.
            try (TensorScope stepScope = recording ? null : TensorScope.open()) {
                Tensor[] next = step(xs[s], h, c, weightHhT, biasHh[k][d]);
                Tensor m = masks[s];
                if (m == null) {
                    h = next[0];
                    c = next[1];
                    outs[s] = h;
                } else {
                    // keep the old state where the sequence has ended (m = 0): h + m (h' - h)
                    h = h.add(m.mul(next[0].sub(h)));
                    if (next[1] != null) c = c.add(m.mul(next[1].sub(c)));
                    outs[s] = next[0].mul(m);
                }
                if (stepScope != null) {
                    stepScope.keep(h);
                    stepScope.keep(outs[s]);
                    if (c != null) stepScope.keep(c);
                }
            }
        }
        state[0] = h;
        state[1] = gates == 4 ? c : null;
        return Tensor.stack(1, outs);
    }

    /** The T slices [B, G*H] of projected [B, T, G*H], as views. */
    static Tensor[] stepInputs(Tensor projected) {
        Tensor[] xs = new Tensor[projected.size(1)];
        for (int s = 0; s < xs.length; s++) xs[s] = projected.select(1, s);
        return xs;
    }

    /**
     * Layer k, direction d over the whole sequence as one op: {output [B, T, H], final h [B, H],
     * final c [B, H] (null for the GRU)}; or null to run {@link #step} by step (the default).
     *
     * @param lengths null when no sequence is padded
     */
    protected Tensor[] wholeSequence(Tensor projected, int layer, int direction, int[] lengths) {
        return null;
    }

    /**
     * Runs a whole-direction op that wants its rows longest first ({@code NnOps.gruSequence},
     * {@code NnOps.lstmSequence}): the rows are put in that order (a stable sort by length; no
     * copy when they already are) and back afterwards. The op returns [B, T, H], or [B, T, 2H] with
     * the cell state beside h (LSTM). Returns what {@link #wholeSequence} returns; null (step by
     * step) when a sequence is empty.
     */
    protected final Tensor[] longestFirst(Tensor projected, int[] lengths, int direction, BiFunction<Tensor, int[], Tensor> op) {
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
        Tensor out = op.apply(inOrder ? projected : projected.indexSelect(order), sortedLengths);   // [B, T, H or 2H]
        if (!inOrder) out = out.indexSelect(back);
        // final state: step 0 for the reverse direction, each sequence's last step for the forward one
        Tensor last;
        if (direction == 1) last = out.select(1, 0);
        else if (lengths == null) last = out.select(1, t - 1);
        else {
            int[] lastRow = new int[b];
            for (int i = 0; i < b; i++) lastRow[i] = i * t + lengths[i] - 1;
            last = out.reshape(b * t, out.size(2)).indexSelect(lastRow);
        }
        boolean withCell = out.size(2) == 2 * hs;
        return new Tensor[] {withCell ? out.narrow(2, 0, hs) : out, withCell ? last.narrow(1, 0, hs) : last, withCell ? last.narrow(1, hs, hs) : null};
    }

    /** All steps' input projections in one gemm: [B, T, in] -> [B, T, G*H]. */
    protected abstract Tensor projectInputs(Tensor input, int layer, int direction);

    /**
     * One step: x_t = the projected input [B, G*H], weightHhT = W_hh^T [H, G*H] (a transposed
     * view); returns {h', c'} (c' null for GRU).
     */
    protected abstract Tensor[] step(Tensor projectedInput, Tensor h, Tensor c, Tensor weightHhT, Tensor biasHh);

    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + ", num_layers=" + layers + ", bidirectional=" + bidirectional;
    }
}
