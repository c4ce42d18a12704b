package dev.jerex.model.data;

import java.util.Objects;

/**
 * One entity type of a data set, as declared in SpERT's types file
 * ({@code "entities": {NAME: {"short": ..., "verbose": ...}}}).
 *
 * <p>{@code index} is the output position of the entity classifier. Index 0 is always the
 * artificial {@code None} type ("this span is not an entity"); the declared types follow from 1 in
 * file order (SPERT.md, "Data").
 *
 * @param index     classifier output index (0 = None)
 * @param name      the key used in data files, e.g. {@code "Peop"}
 * @param shortName short label used in tables, e.g. {@code "Peop"}
 * @param verbose   human-readable label, e.g. {@code "People"}
 */
public record EntityType(int index, String name, String shortName, String verbose) {

    public EntityType {
        if (index < 0) {
            throw new IllegalArgumentException("entity type index must be >= 0, got " + index);
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shortName, "shortName");
        Objects.requireNonNull(verbose, "verbose");
    }

    /** True for the artificial {@code None} type at index 0. */
    public boolean isNone() {
        return index == 0;
    }

    @Override
    public String toString() {
        return name;
    }
}
