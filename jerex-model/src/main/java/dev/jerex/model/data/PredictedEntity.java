package dev.jerex.model.data;

import java.util.Objects;

/**
 * An entity predicted by the model: a word span whose classifier argmax is not {@code None}.
 *
 * @param start first word (inclusive)
 * @param end   one past the last word (exclusive)
 * @param type  the predicted type, never {@code None} (spans classified None are not predictions)
 * @param score the classifier probability of {@code type}
 */
public record PredictedEntity(int start, int end, EntityType type, double score) {

    public PredictedEntity {
        Objects.requireNonNull(type, "type");
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("predicted span must satisfy 0 <= start < end, got [" + start + ", " + end + ")");
        }
        if (type.isNone()) {
            throw new IllegalArgumentException("a predicted entity cannot have the None type; leave such spans out");
        }
    }

    public int width() {
        return end - start;
    }

    /** Same prediction moved by {@code offset} words (window coordinates to document coordinates). */
    public PredictedEntity shiftedBy(int offset) {
        return new PredictedEntity(start + offset, end + offset, type, score);
    }
}
