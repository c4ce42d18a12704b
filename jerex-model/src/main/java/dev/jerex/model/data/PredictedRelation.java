package dev.jerex.model.data;

import java.util.Objects;

/**
 * A relation predicted by the model between two predicted entities.
 *
 * @param head  index of the head entity in {@link DocumentPrediction#entities()}
 * @param tail  index of the tail entity in {@link DocumentPrediction#entities()}, not {@code head}
 * @param type  the relation type
 * @param score the sigmoid probability of {@code type} for this ordered pair; the evaluator keeps
 *              the relation when {@code score >= threshold} (0.4 by default, SPERT.md "Evaluation"),
 *              so the model may pass every (pair, type) or only those above the threshold
 */
public record PredictedRelation(int head, int tail, RelationType type, double score) {

    public PredictedRelation {
        Objects.requireNonNull(type, "type");
        if (head < 0 || tail < 0) {
            throw new IllegalArgumentException("head and tail must be >= 0, got " + head + ", " + tail);
        }
        if (head == tail) {
            throw new IllegalArgumentException("a relation needs two different entities, both are " + head);
        }
    }
}
