package dev.jerex.model.eval;

/**
 * Settings of the {@link Evaluator} (SPERT.md, "Evaluation").
 *
 * @param relationThreshold  a predicted (pair, type) counts when its score is {@code >=} this
 *                           (SpERT's {@code rel_filter_threshold}, 0.4)
 * @param noOverlapping      SpERT's {@code no_overlapping} (used for ADE): entities that overlap
 *                           another entity of the same document are removed from gold and predictions,
 *                           and so are relations whose two arguments overlap each other
 * @param dropRelationsOfRemovedEntities with {@code noOverlapping}, also remove every relation whose
 *                           head or tail was removed as an overlapping entity. SpERT's code does
 *                           <em>not</em> do this (its {@code remove_overlapping} only drops relations
 *                           whose own two arguments overlap), so it is off by default to match
 *                           SpERT's numbers
 */
public record EvaluationOptions(double relationThreshold, boolean noOverlapping, boolean dropRelationsOfRemovedEntities) {

    public static final double DEFAULT_RELATION_THRESHOLD = 0.4;

    public EvaluationOptions {
        if (Double.isNaN(relationThreshold)) {
            throw new IllegalArgumentException("relationThreshold must be a number");
        }
    }

    /** Threshold 0.4, overlapping entities kept: SpERT's defaults. */
    public static EvaluationOptions defaults() {
        return new EvaluationOptions(DEFAULT_RELATION_THRESHOLD, false, false);
    }

    public EvaluationOptions withRelationThreshold(double threshold) {
        return new EvaluationOptions(threshold, noOverlapping, dropRelationsOfRemovedEntities);
    }

    /** SpERT's {@code no_overlapping} switch. */
    public EvaluationOptions withNoOverlapping(boolean enabled) {
        return new EvaluationOptions(relationThreshold, enabled, dropRelationsOfRemovedEntities);
    }

    public EvaluationOptions withDropRelationsOfRemovedEntities(boolean enabled) {
        return new EvaluationOptions(relationThreshold, noOverlapping, enabled);
    }
}
