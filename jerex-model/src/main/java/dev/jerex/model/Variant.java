package dev.jerex.model;

import java.util.Locale;

/**
 * The model and its ablations (MODEL.md, "Variants"): which of the paper's three additions to
 * SpERT are on.
 *
 * <pre>
 * name                 fusion (cross attention + BiLSTM)   entity context   relation context
 * spert                off (F = H)                          [CLS]            local
 * full                 on                                   SEA              local
 * no-cross-attention   projections + BiLSTM only            SEA              local
 * cls-context          on                                   [CLS]            local
 * global-context       on                                   SEA              [CLS]
 * </pre>
 */
public enum Variant {
    SPERT(false, false, false, true),
    FULL(true, true, true, true),
    NO_CROSS_ATTENTION(true, false, true, true),
    CLS_CONTEXT(true, true, false, true),
    GLOBAL_CONTEXT(true, true, true, false);

    /** Task projections and a BiLSTM between the encoder and the span heads. */
    public final boolean fusion;
    /** Cross attention both ways inside the fusion. */
    public final boolean crossAttention;
    /** Semantic-enhancement attention as the entity context (else the [CLS] vector). */
    public final boolean sea;
    /** Max-pool between the two spans as the relation context (else the [CLS] vector). */
    public final boolean localRelationContext;

    Variant(boolean fusion, boolean crossAttention, boolean sea, boolean localRelationContext) {
        this.fusion = fusion;
        this.crossAttention = crossAttention;
        this.sea = sea;
        this.localRelationContext = localRelationContext;
    }

    /** The CLI name: "spert", "full", "no-cross-attention", "cls-context", "global-context". */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Variant parse(String name) {
        for (Variant v : values()) if (v.cliName().equalsIgnoreCase(name) || v.name().equalsIgnoreCase(name)) return v;
        throw new IllegalArgumentException("unknown variant '" + name + "' (expected spert, full, no-cross-attention, cls-context or global-context)");
    }
}
