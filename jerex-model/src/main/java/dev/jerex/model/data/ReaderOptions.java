package dev.jerex.model.data;

/**
 * How strictly {@link DatasetReader} treats questionable input.
 *
 * @param maxErrors          stop reading after this many problems and report them all; 1 means
 *                           "fail on the first problem"
 * @param blankTokens        what to do with empty or whitespace-only tokens
 * @param duplicateRelations what to do with a relation that repeats another (same head, tail and
 *                           type, after symmetric normalisation)
 */
public record ReaderOptions(int maxErrors, BlankTokenPolicy blankTokens, DuplicateRelationPolicy duplicateRelations) {

    /** Default error limit: enough to see the pattern in a badly converted file. */
    public static final int DEFAULT_MAX_ERRORS = 20;

    /**
     * Empty ({@code ""}) and whitespace-only ({@code " "}) tokens.
     *
     * <p>SpERT accepts both: BERT's tokenizer yields no piece for them, so the word becomes a single
     * {@code [UNK]} (SPERT.md, "Data"). Whitespace tokens are real data in Chinese character-level
     * sets: {@code cmeie_train.json} has 10,614 {@code " "} tokens, some inside entities. An empty
     * token, however, cannot come from any tokenizer and almost always means a broken conversion.
     */
    public enum BlankTokenPolicy {
        /** Default: {@code ""} is an error; whitespace-only tokens are kept (they encode as [UNK]). */
        REJECT_EMPTY,
        /** Both {@code ""} and whitespace-only tokens are errors (for whitespace-tokenised data). */
        REJECT_BLANK,
        /** SpERT's behaviour: keep everything; the encoder maps such words to [UNK]. */
        KEEP_ALL
    }

    /** A relation listed twice. SpERT would silently train on it twice. */
    public enum DuplicateRelationPolicy {
        /** Default: report it as a problem. */
        ERROR,
        /** Keep the first occurrence and drop the repeat. */
        DROP
    }

    public ReaderOptions {
        if (maxErrors < 1) {
            throw new IllegalArgumentException("maxErrors must be >= 1, got " + maxErrors);
        }
        if (blankTokens == null || duplicateRelations == null) {
            throw new IllegalArgumentException("policies must not be null");
        }
    }

    /** Collect up to {@value #DEFAULT_MAX_ERRORS} problems; reject empty tokens; reject duplicates. */
    public static ReaderOptions defaults() {
        return new ReaderOptions(DEFAULT_MAX_ERRORS, BlankTokenPolicy.REJECT_EMPTY, DuplicateRelationPolicy.ERROR);
    }

    /** Same policies, but throw on the first problem. */
    public ReaderOptions failFast() {
        return new ReaderOptions(1, blankTokens, duplicateRelations);
    }

    public ReaderOptions withMaxErrors(int newMaxErrors) {
        return new ReaderOptions(newMaxErrors, blankTokens, duplicateRelations);
    }

    public ReaderOptions withBlankTokens(BlankTokenPolicy policy) {
        return new ReaderOptions(maxErrors, policy, duplicateRelations);
    }

    public ReaderOptions withDuplicateRelations(DuplicateRelationPolicy policy) {
        return new ReaderOptions(maxErrors, blankTokens, policy);
    }
}
