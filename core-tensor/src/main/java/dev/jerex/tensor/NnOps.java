package dev.jerex.tensor;

import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.BinaryOp;
import dev.jerex.tensor.backend.ReduceOp;

/**
 * Neural-network functions with fused kernels (softmax, layer norm, the GRU and LSTM cells) and the numerically stable
 * losses. Each fused op has its own hand-written backward and its own gradient check.
 */
public final class NnOps {
    private NnOps() {}

    /**
     * Softmax or log-softmax along an axis (max-subtracted, so large logits do not overflow).
     * Backward: softmax gx = y (g - sum(g y)); log-softmax gx = g - exp(y) sum(g).
     */
    static Tensor softmax(Tensor x, int axis, boolean log) {
        int a = Shape.axis(log ? "logSoftmax" : "softmax", axis, x.dim());
        if (a != x.dim() - 1) {
            // Move the axis last, apply, move it back.
            return softmax(x.transpose(a, -1), -1, log).transpose(a, -1);
        }
        Tensor xc = ShapeOps.contiguous(x);
        int cols = x.shapeRef()[a], rows = cols == 0 ? 0 : x.numel() / cols;
        Tensor y = Tensor.empty(x.backend(), x.shapeRef());
        x.backend().softmax(log, xc.storage(), xc.offset(), y.storage(), 0, rows, cols);
        return y.recordOp(log ? "log_softmax" : "softmax", g -> {
            Tensor gc = ShapeOps.contiguous(g);
            Tensor gx = Tensor.empty(x.backend(), x.shapeRef());
            x.backend().softmaxBackward(log, y.storage(), 0, gc.storage(), gc.offset(), gx.storage(), 0, rows, cols);
            return new Tensor[] {gx};
        }, xc);
    }

    /**
     * Layer normalisation over the last axis: y = (x - mean) / sqrt(var + eps) * gamma + beta,
     * with the biased variance (as PyTorch and BERT). Fused forward and backward kernels.
     */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        int cols = x.size(-1);
        if (gamma.numel() != cols || beta.numel() != cols) {
            throw new IllegalArgumentException("layerNorm: gamma " + Shape.str(gamma.shapeRef()) + " / beta " + Shape.str(beta.shapeRef())
                    + " do not match the last axis of " + Shape.str(x.shapeRef()));
        }
        ElementwiseOps.sameBackend("layerNorm", x, gamma);
        Tensor xc = ShapeOps.contiguous(x), gc = ShapeOps.contiguous(gamma), bc = ShapeOps.contiguous(beta);
        int rows = cols == 0 ? 0 : x.numel() / cols;
        Tensor y = Tensor.empty(x.backend(), x.shapeRef());
        Tensor mean = Tensor.empty(x.backend(), rows), rstd = Tensor.empty(x.backend(), rows);
        x.backend().layerNorm(xc.storage(), xc.offset(), gc.storage(), gc.offset(), bc.storage(), bc.offset(),
                y.storage(), 0, mean.storage(), rstd.storage(), rows, cols, eps);
        return y.recordOp("layer_norm", g -> {
            Tensor gyc = ShapeOps.contiguous(g);
            Tensor gx = Tensor.empty(x.backend(), x.shapeRef());
            Tensor gGamma = Tensor.zeros(x.backend(), cols), gBeta = Tensor.zeros(x.backend(), cols);
            x.backend().layerNormBackward(xc.storage(), xc.offset(), gc.storage(), gc.offset(), mean.storage(), rstd.storage(),
                    gyc.storage(), gyc.offset(), gx.storage(), 0, gGamma.storage(), gBeta.storage(), rows, cols);
            return new Tensor[] {gx, gGamma.reshape(gamma.shapeRef()), gBeta.reshape(beta.shapeRef())};
        }, xc, gc, bc);
    }

    /**
     * One GRU step, fused (PyTorch's formulation and gate order r, z, n):
     * <pre>
     * r = sigmoid(xr + hr),  z = sigmoid(xz + hz),  n = tanh(xn + r hn),  h' = n + z (h - n)
     * </pre>
     * One pass over the gates forward and one backward, instead of about ten element-wise ops
     * with their temporaries (the recurrence of a BiGRU over many short sequences, as in SEA,
     * spends much of its time there).
     *
     * @param xt [B, 3H] the input's projection x_t W_ih^T + b_ih (rows may be strided, e.g. a
     *           time step of [B, T, 3H])
     * @param hh [B, 3H] the state's projection h W_hh^T + b_hh
     * @param h  [B, H]  the previous state
     * @return h' [B, H]
     */
    public static Tensor gruCell(Tensor xt, Tensor hh, Tensor h) {
        if (h.dim() != 2 || xt.dim() != 2 || hh.dim() != 2 || xt.size(0) != h.size(0) || hh.size(0) != h.size(0)
                || xt.size(1) != 3 * h.size(1) || hh.size(1) != 3 * h.size(1)) {
            throw new IllegalArgumentException("gruCell: xt " + Shape.str(xt.shapeRef()) + ", hh " + Shape.str(hh.shapeRef())
                    + " and h " + Shape.str(h.shapeRef()) + " are not [B, 3H], [B, 3H], [B, H]");
        }
        ElementwiseOps.sameBackend("gruCell", xt, hh);
        ElementwiseOps.sameBackend("gruCell", xt, h);
        int rows = h.size(0), hidden = h.size(1);
        Tensor xr = xt.stridesRef()[1] == 1 ? xt : ShapeOps.contiguous(xt);   // rows may be strided, elements not
        Tensor hhc = ShapeOps.contiguous(hh), hc = ShapeOps.contiguous(h);
        Backend backend = h.backend();
        Tensor next = Tensor.empty(backend, rows, hidden), gates = Tensor.empty(backend, rows, 3 * hidden);
        backend.gruCell(xr.storage(), xr.offset(), xr.stridesRef()[0], hhc.storage(), hhc.offset(), hc.storage(), hc.offset(),
                next.storage(), 0, gates.storage(), 0, rows, hidden);
        return next.recordOp("gru_cell", g -> {
            Tensor gc = ShapeOps.contiguous(g);
            Tensor gxt = Tensor.empty(backend, rows, 3 * hidden), ghh = Tensor.empty(backend, rows, 3 * hidden);
            Tensor gh = Tensor.empty(backend, rows, hidden);
            backend.gruCellBackward(gates.storage(), 0, hhc.storage(), hhc.offset(), hc.storage(), hc.offset(), gc.storage(), gc.offset(),
                    gxt.storage(), 0, 3 * hidden, ghh.storage(), 0, gh.storage(), 0, rows, hidden);
            return new Tensor[] {gxt, ghh, gh};
        }, xr, hhc, hc);
    }

    /**
     * A whole GRU direction as one op, {@link #gruCell} step after step inside it:
     * <pre>
     * h_{-1} = 0;  for t in order (T-1 down to 0 when reverse):
     *     hh_t = h_prev W_hh^T + b_hh;   h_t = gruCell(projected[:, t], hh_t, h_prev)
     * </pre>
     * The same numbers as the steps composed with autograd, with less around them: each step is
     * one gemm and one cell kernel forward (b_hh is copied into all steps' hh once), one cell
     * kernel, one add and one gemm backward, writing straight into the sequence-sized buffers;
     * W_hh's and b_hh's gradients are one gemm and one column sum over all steps at the end.
     *
     * <p>Sequences of different lengths as in {@link #lstmSequence}: rows longest first, each step
     * on the rows still running, h = 0 (and no gradient) past a row's end, the reverse direction
     * starting at each row's own last step.
     *
     * @param projected [B, T, 3H] the inputs' projections x_t W_ih^T + b_ih, every step
     * @param weightHh  [3H, H]
     * @param biasHh    [3H]
     * @param lengths   each row's length, non-increasing; null: all T
     * @param reverse   run from the last step to the first (a bidirectional layer's second direction)
     * @return [B, T, H], h_t at position t
     */
    public static Tensor gruSequence(Tensor projected, Tensor weightHh, Tensor biasHh, int[] lengths, boolean reverse) {
        if (projected.dim() != 3 || weightHh.dim() != 2 || biasHh.dim() != 1 || projected.size(2) != weightHh.size(0)
                || weightHh.size(0) != 3 * weightHh.size(1) || biasHh.size(0) != weightHh.size(0)) {
            throw new IllegalArgumentException("gruSequence: projected " + Shape.str(projected.shapeRef()) + ", weightHh "
                    + Shape.str(weightHh.shapeRef()) + " and biasHh " + Shape.str(biasHh.shapeRef()) + " are not [B, T, 3H], [3H, H], [3H]");
        }
        ElementwiseOps.sameBackend("gruSequence", projected, weightHh);
        ElementwiseOps.sameBackend("gruSequence", projected, biasHh);
        Backend backend = projected.backend();
        Tensor x = ShapeOps.contiguous(projected), w = ShapeOps.contiguous(weightHh), b = ShapeOps.contiguous(biasHh);
        int rows = x.size(0), steps = x.size(1), hidden = w.size(1), g3 = 3 * hidden;
        int[] active = activeRows("gruSequence", lengths, rows, steps);
        boolean padded = active.length > 0 && active[steps - 1] < rows;
        int state = rows * hidden, gate = rows * g3;   // floats of one step's h and of its gates
        // states [T + 2, B, H]: slot t + 1 holds h_t, slots 0 and T + 1 are the zero state before the
        // first step of either direction, so step t reads its previous state from slot prev(t);
        // with padding zero everywhere a row is past its end
        Tensor states = padded ? Tensor.zeros(backend, steps + 2, rows, hidden) : Tensor.empty(backend, steps + 2, rows, hidden);
        // hh and the gates of every step are kept for the backward; without gradients one step's suffice
        boolean forBackward = GradMode.isEnabled();
        Tensor hh = Tensor.empty(backend, forBackward ? steps : 1, rows, g3), gates = Tensor.empty(backend, forBackward ? steps : 1, rows, g3);
        if (!padded) {
            backend.fill(states.storage(), 0, state, 0f);
            backend.fill(states.storage(), (steps + 1) * state, state, 0f);
        }
        // hh_t = b_hh (broadcast over rows) + h_prev W_hh^T: b_hh into every step's slot at once, or
        // into the one slot before each step when it is reused
        int[] bias = {0, 0, 1};
        if (forBackward) backend.copy(new int[] {steps, rows, g3}, b.storage(), b.offset(), bias, hh.storage(), 0, new int[] {gate, g3, 1});
        for (int i = 0; i < steps; i++) {
            int t = reverse ? steps - 1 - i : i, prev = reverse ? t + 2 : t, at = forBackward ? t * gate : 0, n = active[t];
            if (n == 0) continue;
            if (!forBackward) backend.copy(new int[] {1, rows, g3}, b.storage(), b.offset(), bias, hh.storage(), 0, new int[] {gate, g3, 1});
            backend.gemm(false, true, n, g3, hidden, 1f, states.storage(), prev * state, hidden, w.storage(), w.offset(), hidden,
                    1f, hh.storage(), at, g3);
            backend.gruCell(x.storage(), x.offset() + t * g3, steps * g3, hh.storage(), at, states.storage(), prev * state,
                    states.storage(), (t + 1) * state, gates.storage(), at, n, hidden);
        }
        // out [B, T, H] from slots 1..T [T, B, H]
        Tensor out = Tensor.empty(backend, rows, steps, hidden);
        backend.copy(new int[] {steps, rows, hidden}, states.storage(), state, new int[] {state, hidden, 1},
                out.storage(), 0, new int[] {hidden, steps * hidden, 1});
        return out.recordOp("gru_sequence", g -> {
            Tensor gc = ShapeOps.contiguous(g);   // [B, T, H]
            // 0 where a row is past its end: those steps write nothing, and W_hh's and b_hh's gradients sum all rows
            Tensor gx = padded ? Tensor.zeros(backend, rows, steps, g3) : Tensor.empty(backend, rows, steps, g3);
            Tensor ghh = padded ? Tensor.zeros(backend, steps, rows, g3) : Tensor.empty(backend, steps, rows, g3);
            Tensor carry = Tensor.zeros(backend, rows, hidden), total = Tensor.empty(backend, rows, hidden);
            for (int i = steps - 1; i >= 0; i--) {
                int t = reverse ? steps - 1 - i : i, prev = reverse ? t + 2 : t, n = active[t];
                if (n == 0) continue;
                // d h_t = the output's gradient at t + what the later step sent back (carry)
                backend.binary(BinaryOp.ADD, 0f, new int[] {n, hidden}, gc.storage(), gc.offset() + t * hidden,
                        new int[] {steps * hidden, 1}, carry.storage(), 0, new int[] {hidden, 1}, total.storage(), 0);
                // d x_t into gx[:, t], d hh_t into ghh[t], the direct part of d h_prev into carry
                backend.gruCellBackward(gates.storage(), t * gate, hh.storage(), t * gate, states.storage(), prev * state,
                        total.storage(), 0, gx.storage(), t * g3, steps * g3, ghh.storage(), t * gate, carry.storage(), 0, n, hidden);
                // d h_prev += d hh_t W_hh
                backend.gemm(false, false, n, hidden, g3, 1f, ghh.storage(), t * gate, g3, w.storage(), w.offset(), hidden,
                        1f, carry.storage(), 0, hidden);
            }
            // d W_hh [3H, H] = sum_t d hh_t^T h_prev(t): the previous states of all steps are slots
            // 0..T-1 (forward) or 2..T+1 (reverse), contiguous and in step t's order
            Tensor gw = Tensor.empty(backend, g3, hidden), gb = Tensor.empty(backend, g3);
            backend.gemm(true, false, g3, hidden, steps * rows, 1f, ghh.storage(), 0, g3, states.storage(), reverse ? 2 * state : 0, hidden,
                    0f, gw.storage(), 0, hidden);
            backend.reduce(ReduceOp.SUM, ghh.storage(), 0, 1, steps * rows, g3, gb.storage(), 0);
            return new Tensor[] {gx, gw, gb};
        }, x, w, b);
    }

    /**
     * One LSTM step, fused (PyTorch's formulation and gate order i, f, g, o):
     * <pre>
     * [i f g o] = xt + hh,  i, f, o = sigmoid(.),  g = tanh(.),  c' = f c + i g,  h' = o tanh(c')
     * </pre>
     *
     * @param xt [B, 4H] the input's projection x_t W_ih^T + b_ih + b_hh (rows may be strided)
     * @param hh [B, 4H] the state's projection h W_hh^T
     * @param c  [B, H]  the previous cell
     * @return [B, 2H] = (h', c'); take them apart with narrow (whose gradients land in place)
     */
    public static Tensor lstmCell(Tensor xt, Tensor hh, Tensor c) {
        if (c.dim() != 2 || xt.dim() != 2 || hh.dim() != 2 || xt.size(0) != c.size(0) || hh.size(0) != c.size(0)
                || xt.size(1) != 4 * c.size(1) || hh.size(1) != 4 * c.size(1)) {
            throw new IllegalArgumentException("lstmCell: xt " + Shape.str(xt.shapeRef()) + ", hh " + Shape.str(hh.shapeRef())
                    + " and c " + Shape.str(c.shapeRef()) + " are not [B, 4H], [B, 4H], [B, H]");
        }
        ElementwiseOps.sameBackend("lstmCell", xt, hh);
        ElementwiseOps.sameBackend("lstmCell", xt, c);
        int rows = c.size(0), hidden = c.size(1);
        // xt and c are read by rows with any row stride (a step's slice of the projections, the
        // c half of the previous step's (h', c')): copied only when their columns are not adjacent
        Tensor xr = xt.stridesRef()[1] == 1 ? xt : ShapeOps.contiguous(xt);
        Tensor cr = c.stridesRef()[1] == 1 ? c : ShapeOps.contiguous(c);
        Tensor hhc = ShapeOps.contiguous(hh);
        Backend backend = c.backend();
        Tensor out = Tensor.empty(backend, rows, 2 * hidden), act = Tensor.empty(backend, rows, 5 * hidden);
        backend.lstmCell(xr.storage(), xr.offset(), xr.stridesRef()[0], hhc.storage(), hhc.offset(), cr.storage(), cr.offset(),
                cr.stridesRef()[0], out.storage(), 0, act.storage(), 0, rows, hidden);
        return out.recordOp("lstm_cell", g -> {
            Tensor gc = ShapeOps.contiguous(g);
            Tensor gGates = Tensor.empty(backend, rows, 4 * hidden), gPrev = Tensor.empty(backend, rows, hidden);
            backend.lstmCellBackward(act.storage(), 0, cr.storage(), cr.offset(), cr.stridesRef()[0], gc.storage(), gc.offset(),
                    gGates.storage(), 0, gPrev.storage(), 0, hidden, rows, hidden);
            return new Tensor[] {gGates, gGates, gPrev};   // xt and hh enter as a sum: the same gradient
        }, xr, hhc, cr);
    }

    /**
     * A whole LSTM direction as one op, for batches of sequences of different lengths:
     * {@link #lstmCell} at every step with h W_hh^T in between, as {@link #gruSequence} does for
     * the GRU, over the rows whose sequence has not ended.
     *
     * <p>The rows must come longest first ({@code lengths} non-increasing; null: all T), so the
     * sequences still running at step t are the first {@code active(t)} rows and each step is one
     * gemm and one cell on them. Rows past their end keep (h, c) = 0 there; the reverse direction
     * walks t = T-1 .. 0 and so starts each sequence from a zero state at its own last token —
     * PyTorch's packed sequences.
     *
     * @param projected x W_ih^T + b_ih + b_hh, [B, T, 4H] (both biases are constant per step)
     * @param weightHh  W_hh [4H, H]
     * @return (h_t, c_t) of every step, [B, T, 2H], 0 at padded steps
     */
    public static Tensor lstmSequence(Tensor projected, Tensor weightHh, int[] lengths, boolean reverse) {
        if (projected.dim() != 3 || weightHh.dim() != 2 || projected.size(2) != weightHh.size(0) || weightHh.size(0) != 4 * weightHh.size(1)) {
            throw new IllegalArgumentException("lstmSequence: projected " + Shape.str(projected.shapeRef()) + " and weightHh "
                    + Shape.str(weightHh.shapeRef()) + " are not [B, T, 4H] and [4H, H]");
        }
        ElementwiseOps.sameBackend("lstmSequence", projected, weightHh);
        Backend backend = projected.backend();
        Tensor x = ShapeOps.contiguous(projected), w = ShapeOps.contiguous(weightHh);
        int rows = x.size(0), steps = x.size(1), hidden = w.size(1), g4 = 4 * hidden, h2 = 2 * hidden, g5 = 5 * hidden;
        int[] active = activeRows("lstmSequence", lengths, rows, steps);
        int slot = rows * h2;   // floats of one step's (h, c)
        // hc [T + 2, B, 2H]: slot t + 1 holds step t's (h, c), slots 0 and T + 1 the zero state
        // before either direction's first step; zero everywhere a row is past its end
        Tensor hc = Tensor.zeros(backend, steps + 2, rows, h2);
        boolean forBackward = GradMode.isEnabled();   // else one step's hh and activations suffice
        Tensor hh = Tensor.empty(backend, forBackward ? steps : 1, rows, g4), act = Tensor.empty(backend, forBackward ? steps : 1, rows, g5);
        for (int i = 0; i < steps; i++) {
            int t = reverse ? steps - 1 - i : i, prev = reverse ? t + 2 : t, at = forBackward ? t * rows : 0, n = active[t];
            if (n == 0) continue;
            // hh_t = h_prev W_hh^T on the n running rows (h_prev: the h half of slot prev, row stride 2H)
            backend.gemm(false, true, n, g4, hidden, 1f, hc.storage(), prev * slot, h2, w.storage(), w.offset(), hidden,
                    0f, hh.storage(), at * g4, g4);
            backend.lstmCell(x.storage(), x.offset() + t * g4, steps * g4, hh.storage(), at * g4, hc.storage(), prev * slot + hidden, h2,
                    hc.storage(), (t + 1) * slot, act.storage(), at * g5, n, hidden);
        }
        // out [B, T, 2H] from slots 1..T [T, B, 2H]
        Tensor out = Tensor.empty(backend, rows, steps, h2);
        backend.copy(new int[] {steps, rows, h2}, hc.storage(), slot, new int[] {slot, h2, 1}, out.storage(), 0, new int[] {h2, steps * h2, 1});
        return out.recordOp("lstm_sequence", g -> {
            Tensor gOut = ShapeOps.contiguous(g);   // [B, T, 2H]
            // d gates of every step, [T, B, 4H]; 0 for rows past their end, so W_hh's gradient can sum all rows
            Tensor gGates = Tensor.zeros(backend, steps, rows, g4);
            // d (h, c) flowing back into a step, ping-ponged: a step reads one and writes the other
            Tensor carry = Tensor.zeros(backend, rows, h2), next = Tensor.zeros(backend, rows, h2);
            for (int i = steps - 1; i >= 0; i--) {
                int t = reverse ? steps - 1 - i : i, prev = reverse ? t + 2 : t, n = active[t];
                if (n == 0) continue;
                // d (h_t, c_t) = the output's gradient at t + what the later step sent back
                backend.binary(BinaryOp.ADD, 0f, new int[] {n, h2}, gOut.storage(), gOut.offset() + t * h2, new int[] {steps * h2, 1},
                        carry.storage(), 0, new int[] {h2, 1}, carry.storage(), 0);
                // d gates into gGates[t], d c_prev into next's c half
                backend.lstmCellBackward(act.storage(), t * rows * g5, hc.storage(), prev * slot + hidden, h2, carry.storage(), 0,
                        gGates.storage(), t * rows * g4, next.storage(), hidden, h2, n, hidden);
                // d h_prev = d gates W_hh, into next's h half
                backend.gemm(false, false, n, hidden, g4, 1f, gGates.storage(), t * rows * g4, g4, w.storage(), w.offset(), hidden,
                        0f, next.storage(), 0, h2);
                Tensor swap = carry;
                carry = next;
                next = swap;
            }
            // d projected [B, T, 4H] = d gates (xt and hh enter as a sum), from [T, B, 4H]
            Tensor gx = Tensor.empty(backend, rows, steps, g4);
            backend.copy(new int[] {steps, rows, g4}, gGates.storage(), 0, new int[] {rows * g4, g4, 1}, gx.storage(), 0, new int[] {g4, steps * g4, 1});
            // d W_hh [4H, H] = sum_t d gates_t^T h_prev(t): the previous states of all steps are slots
            // 0..T-1 (forward) or 2..T+1 (reverse), in step t's order, their h halves at row stride 2H
            Tensor gw = Tensor.empty(backend, g4, hidden);
            backend.gemm(true, false, g4, hidden, steps * rows, 1f, gGates.storage(), 0, g4, hc.storage(), reverse ? 2 * slot : 0, h2,
                    0f, gw.storage(), 0, hidden);
            return new Tensor[] {gx, gw};
        }, x, w);
    }

    /** active[t] = the number of sequences longer than t, checking that lengths are in [0, T] and non-increasing. */
    private static int[] activeRows(String op, int[] lengths, int rows, int steps) {
        int[] active = new int[steps];
        if (lengths == null) {
            java.util.Arrays.fill(active, rows);
            return active;
        }
        if (lengths.length != rows) throw new IllegalArgumentException(op + ": " + lengths.length + " lengths for " + rows + " rows");
        for (int r = 0; r < rows; r++) {
            if (lengths[r] < 0 || lengths[r] > steps) throw new IllegalArgumentException(op + ": length " + lengths[r] + " of row " + r + " outside [0, " + steps + "]");
            if (r > 0 && lengths[r] > lengths[r - 1]) throw new IllegalArgumentException(op + ": lengths must be non-increasing (longest first), got " + java.util.Arrays.toString(lengths));
            for (int t = 0; t < lengths[r]; t++) active[t]++;
        }
        return active;
    }

    /**
     * Attention with a span's keys hidden, summed over heads (SEA's context: every candidate span
     * of a sentence reads the sentence without itself). For span s = [start_s, end_s):
     * <pre>
     * out[s, t, :] = sum_h sum_{j not in s} softmax_{j not in s}(scores[h, t, :])_j values[h, j, :]
     * </pre>
     * A span that hides every key gets zeros. The kernels share the keys' prefix and suffix sums
     * among the spans, so no [S, H, L, L] weights are formed.
     *
     * @param scores [H, L, L] q k^T / sqrt(dh)
     * @param values [H, L, G] (SEA passes values already multiplied by the next projection)
     * @return [S, L, G]
     */
    public static Tensor spanHiddenAttention(Tensor scores, Tensor values, int[] spanStart, int[] spanEnd) {
        int[] start = spanStart.clone(), end = spanEnd.clone();   // the backward keeps them
        if (scores.dim() != 3 || values.dim() != 3 || scores.size(1) != scores.size(2) || values.size(0) != scores.size(0)
                || values.size(1) != scores.size(1)) {
            throw new IllegalArgumentException("spanHiddenAttention: scores " + Shape.str(scores.shapeRef()) + " and values "
                    + Shape.str(values.shapeRef()) + " are not [H, L, L] and [H, L, G]");
        }
        ElementwiseOps.sameBackend("spanHiddenAttention", scores, values);
        int heads = scores.size(0), len = scores.size(1), width = values.size(2), spans = start.length;
        Tensor sc = ShapeOps.contiguous(scores), vc = ShapeOps.contiguous(values);
        Backend backend = scores.backend();
        Tensor out = Tensor.empty(backend, spans, len, width), lse = Tensor.empty(backend, spans, heads, len);
        backend.spanHiddenAttention(sc.storage(), sc.offset(), vc.storage(), vc.offset(), heads, len, width, start, end,
                out.storage(), lse.storage());
        return out.recordOp("span_hidden_attention", g -> {
            Tensor gc = ShapeOps.contiguous(g);
            Tensor gScores = Tensor.empty(backend, heads, len, len), gValues = Tensor.empty(backend, heads, len, width);
            backend.spanHiddenAttentionBackward(sc.storage(), sc.offset(), vc.storage(), vc.offset(), lse.storage(),
                    gc.storage(), gc.offset(), heads, len, width, start, end, gScores.storage(), gValues.storage());
            return new Tensor[] {gScores, gValues};
        }, sc, vc);
    }

    /**
     * Inverted dropout: in training, zero each element with probability p and scale the rest by
     * 1 / (1 - p), so inference needs no rescaling. The mask comes from {@code rng} (seeded).
     */
    static Tensor dropout(Tensor x, float p, Rng rng, boolean training) {
        if (p < 0 || p >= 1) throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
        if (!training || p == 0f) return x;
        float[] mask = new float[x.numel()];
        float keep = 1f / (1f - p);
        for (int i = 0; i < mask.length; i++) mask[i] = rng.bernoulli(p) ? 0f : keep;
        return x.mul(Tensor.of(x.backend(), mask, x.shapeRef()));
    }

    /**
     * Mean cross-entropy of logits [N, C] against class indices, skipping targets equal to
     * {@code ignoreIndex}: loss = -(1/|kept|) sum over kept rows of log_softmax(logits)[r, t_r].
     * Stable (log-softmax is max-subtracted). Returns 0 when every target is ignored.
     */
    public static Tensor crossEntropy(Tensor logits, int[] targets, int ignoreIndex) {
        if (logits.dim() != 2 || logits.size(0) != targets.length) {
            throw new IllegalArgumentException("crossEntropy: logits " + Shape.str(logits.shapeRef()) + " and " + targets.length + " targets");
        }
        int kept = 0;
        int[] safe = new int[targets.length];
        float[] weight = new float[targets.length];
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] == ignoreIndex) continue;
            safe[i] = targets[i];
            weight[i] = 1f;
            kept++;
        }
        if (kept == 0) return logits.sum().mul(0f);   // zero, still connected to the graph
        Tensor picked = logits.logSoftmax(-1).gatherRows(safe);
        return picked.mul(Tensor.of(logits.backend(), weight, targets.length)).sum().mul(-1f / kept);
    }

    /**
     * Mean binary cross-entropy with logits, stable for any |x|:
     * l = softplus(x) - x y = max(x, 0) - x y + ln(1 + e^-|x|);  dl/dx = sigmoid(x) - y.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor targets) {
        if (!java.util.Arrays.equals(logits.shapeRef(), targets.shapeRef())) {
            throw new IllegalArgumentException("binaryCrossEntropyWithLogits: logits " + Shape.str(logits.shapeRef())
                    + " and targets " + Shape.str(targets.shapeRef()) + " differ");
        }
        return logits.softplus().sub(logits.mul(targets)).mean();
    }
}
