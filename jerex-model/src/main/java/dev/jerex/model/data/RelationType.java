package dev.jerex.model.data;

import java.util.Objects;

/**
 * One relation type of a data set, as declared in SpERT's types file
 * ({@code "relations": {NAME: {"short", "verbose", "symmetric"}}}).
 *
 * <p>{@code index} is the output position of the relation classifier. Unlike entity types there is
 * no {@code None} relation type: the relation classifier has exactly one sigmoid output per
 * declared type, indexed from 0 in file order (SPERT.md, "Data").
 *
 * @param index     classifier output index, from 0
 * @param name      the key used in data files, e.g. {@code "Work_For"}
 * @param shortName short label used in tables, e.g. {@code "Work"}
 * @param verbose   human-readable label, e.g. {@code "Work for"}
 * @param symmetric whether {@code r(a, b)} implies {@code r(b, a)}; such relations are stored with
 *                  the entity that occurs first in the sentence as head (SPERT.md, "Data")
 */
public record RelationType(int index, String name, String shortName, String verbose, boolean symmetric) {

    public RelationType {
        if (index < 0) {
            throw new IllegalArgumentException("relation type index must be >= 0, got " + index);
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shortName, "shortName");
        Objects.requireNonNull(verbose, "verbose");
    }

    @Override
    public String toString() {
        return name;
    }
}
