package dev.jerex.model.data;

import java.util.Objects;

/**
 * A gold relation between two entities of the same document.
 *
 * @param type the relation type
 * @param head index of the head entity in {@link Document#entities()}
 * @param tail index of the tail entity in {@link Document#entities()}, never equal to {@code head}
 */
public record Relation(RelationType type, int head, int tail) {

    public Relation {
        Objects.requireNonNull(type, "type");
        if (head < 0 || tail < 0) {
            throw new IllegalArgumentException("relation head and tail must be >= 0, got " + head + ", " + tail);
        }
        if (head == tail) {
            throw new IllegalArgumentException("relation head and tail must differ, both are " + head);
        }
    }
}
