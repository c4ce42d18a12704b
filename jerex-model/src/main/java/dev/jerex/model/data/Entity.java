package dev.jerex.model.data;

import java.util.Objects;

/**
 * A gold entity: a span of whole words with a type.
 *
 * @param type  the entity type (never {@code None} in gold data)
 * @param start index of the first word of the span
 * @param end   index one past the last word (exclusive), so the span has {@code end - start} words
 */
public record Entity(EntityType type, int start, int end) {

    public Entity {
        Objects.requireNonNull(type, "type");
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("entity span must satisfy 0 <= start < end, got [" + start + ", " + end + ")");
        }
    }

    /** Number of words in the span; SpERT's width-embedding index (SPERT.md, "Sampling"). */
    public int width() {
        return end - start;
    }

    /** True when the two spans share at least one word. */
    public boolean overlaps(Entity other) {
        return start < other.end && other.start < end;
    }
}
