package dev.jerex.model.api;

import java.util.List;

/**
 * What {@link Extractor} found in one text: the words, the entities (word span, character span
 * into the raw text when there is one, score) and the relations between them (indices into
 * {@code entities}, score).
 */
public record Extraction(String text, List<String> tokens, List<Entity> entities, List<Relation> relations) {

    /**
     * @param start     first word (inclusive)
     * @param end       last word (exclusive)
     * @param charStart character offset into the raw text, -1 when the input was tokens
     * @param charEnd   exclusive character offset, -1 when the input was tokens
     */
    public record Entity(String type, int start, int end, String text, int charStart, int charEnd, double score) {}

    public record Relation(String type, int head, int tail, double score) {}
}
