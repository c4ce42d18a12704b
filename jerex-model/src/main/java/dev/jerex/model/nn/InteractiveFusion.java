package dev.jerex.model.nn;

import dev.jerex.nn.Dropout;
import dev.jerex.nn.LayerNorm;
import dev.jerex.nn.Linear;
import dev.jerex.nn.Mode;
import dev.jerex.nn.Module;
import dev.jerex.nn.attention.MultiHeadAttention;
import dev.jerex.nn.rnn.LSTM;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;

/**
 * The paper's interactive fusion (MODEL.md, steps 2-3): task projections, cross attention both
 * ways, and a BiLSTM that fuses the two views into one sequence.
 *
 * <pre>
 * X_e = dropout(gelu(entity_projection(H)))          X_r = dropout(gelu(relation_projection(H)))   [B, T, d]
 * E'  = entity_norm(X_e + entity_cross_attention(query X_e, key/value X_r))     (padding keys hidden)
 * R'  = relation_norm(X_r + relation_cross_attention(query X_r, key/value X_e))
 * F   = bilstm([E' ; R'])                            hidden d/2 per direction, so F: [B, T, d]
 * </pre>
 * Without cross attention (the no-cross-attention ablation): F = bilstm([X_e ; X_r]).
 */
public final class InteractiveFusion extends Module {
    public final Linear entityProjection, relationProjection;
    public final MultiHeadAttention entityCrossAttention, relationCrossAttention;   // null without cross attention
    public final LayerNorm entityNorm, relationNorm;
    public final LSTM bilstm;
    private final Dropout dropout;

    public InteractiveFusion(Backend backend, int d, int heads, boolean crossAttention, float dropout, float eps) {
        super(backend);
        if (d % 2 != 0) throw new IllegalArgumentException("fusion: hidden size " + d + " must be even (BiLSTM halves)");
        this.entityProjection = child("entity_projection", new Linear(backend, d, d));
        this.relationProjection = child("relation_projection", new Linear(backend, d, d));
        if (crossAttention) {
            this.entityCrossAttention = child("entity_cross_attention", new MultiHeadAttention(backend, d, heads));
            this.relationCrossAttention = child("relation_cross_attention", new MultiHeadAttention(backend, d, heads));
            this.entityNorm = child("entity_norm", new LayerNorm(backend, d, eps));
            this.relationNorm = child("relation_norm", new LayerNorm(backend, d, eps));
        } else {
            this.entityCrossAttention = this.relationCrossAttention = null;
            this.entityNorm = this.relationNorm = null;
        }
        this.bilstm = child("bilstm", new LSTM(backend, 2 * d, d / 2, 1, true));
        this.dropout = new Dropout(dropout);
    }

    /**
     * @param h             encoder output [B, T, d]
     * @param lengths       real length of each sequence
     * @param paddingHidden 1 at padding keys, [B, 1, 1, T] (or null without padding)
     * @return F [B, T, d]
     */
    public Tensor forward(Tensor h, int[] lengths, Tensor paddingHidden, Mode mode) {
        Tensor xe = dropout.forward(entityProjection.forward(h).gelu(), mode);
        Tensor xr = dropout.forward(relationProjection.forward(h).gelu(), mode);
        Tensor e = xe, r = xr;
        if (entityCrossAttention != null) {
            e = entityNorm.forward(xe.add(entityCrossAttention.forward(xe, xr, paddingHidden, null)));
            r = relationNorm.forward(xr.add(relationCrossAttention.forward(xr, xe, paddingHidden, null)));
        }
        return bilstm.forward(Tensor.concat(2, e, r), lengths).output();
    }
}
