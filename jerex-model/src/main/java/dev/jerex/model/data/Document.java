package dev.jerex.model.data;

import java.util.List;
import java.util.Objects;

/**
 * One annotated document (in practice one sentence) of a SpERT-format data set.
 *
 * <p>Invariants (checked here and, with file-specific messages, by {@link DatasetReader}): at least
 * one token; every entity lies inside the token list; relations point at two different entities;
 * symmetric relations have the earlier entity as head.
 *
 * @param index     position of the document in its file (0-based)
 * @param origId    the {@code orig_id} field as text, or {@code null} when the file has none
 * @param tokens    the words; each word is sub-word encoded on its own (see {@link EncodedDocument})
 * @param entities  gold entities, in file order
 * @param relations gold relations, in file order; {@code head} / {@code tail} index {@code entities}
 */
public record Document(int index, String origId, List<String> tokens, List<Entity> entities, List<Relation> relations) {

    public Document {
        tokens = List.copyOf(tokens);
        entities = List.copyOf(entities);
        relations = List.copyOf(relations);
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("document " + index + " has no tokens");
        }
        for (Entity entity : entities) {
            if (entity.end() > tokens.size()) {
                throw new IllegalArgumentException("document " + index + ": entity " + entity
                        + " ends after the last token (" + tokens.size() + " tokens)");
            }
        }
        for (Relation relation : relations) {
            if (relation.head() >= entities.size() || relation.tail() >= entities.size()) {
                throw new IllegalArgumentException("document " + index + ": relation " + relation
                        + " points past the " + entities.size() + " entities");
            }
        }
    }

    /** Number of words. */
    public int wordCount() {
        return tokens.size();
    }

    /** The head entity of a relation of this document. */
    public Entity head(Relation relation) {
        return entities.get(relation.head());
    }

    /** The tail entity of a relation of this document. */
    public Entity tail(Relation relation) {
        return entities.get(relation.tail());
    }

    /** "document 17 (orig_id 5123)": how error messages and logs name this document. */
    public String describe() {
        return origId == null ? "document " + index : "document " + index + " (orig_id " + origId + ")";
    }

    /** Same document with another index (used when slicing and re-numbering). */
    public Document withIndex(int newIndex) {
        return new Document(newIndex, origId, tokens, entities, relations);
    }

    @Override
    public String toString() {
        return describe() + " " + Objects.toString(tokens);
    }
}
