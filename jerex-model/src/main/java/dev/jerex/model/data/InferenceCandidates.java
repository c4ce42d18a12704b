package dev.jerex.model.data;

/**
 * Every candidate span of a document for inference: all spans of 1..maxSpanSize words (SPERT.md,
 * "Model", "Inference"; SpERT's {@code sampling.create_eval_sample}). Ordered as SpERT orders them:
 * by width, then by start word, i.e. {@code [0,1), [1,2), ..., [0,2), [1,3), ...}.
 * There are {@code sum over w = 1..min(maxSpanSize, n) of (n - w + 1)} candidates for n words.
 * Accessors return copies.
 */
public final class InferenceCandidates {

    private final int[] wordStarts;
    private final int[] wordEnds;
    private final int[] subwordStarts;
    private final int[] subwordEnds;
    private final int[] widths;

    private InferenceCandidates(int[] wordStarts, int[] wordEnds, int[] subwordStarts, int[] subwordEnds, int[] widths) {
        this.wordStarts = wordStarts;
        this.wordEnds = wordEnds;
        this.subwordStarts = subwordStarts;
        this.subwordEnds = subwordEnds;
        this.widths = widths;
    }

    /** Enumerates the spans of 1..maxSpanSize words of an encoded document. */
    public static InferenceCandidates enumerate(EncodedDocument encoded, int maxSpanSize) {
        if (maxSpanSize < 1) {
            throw new IllegalArgumentException("maxSpanSize must be >= 1, got " + maxSpanSize);
        }
        int wordCount = encoded.wordCount();
        int longest = Math.min(maxSpanSize, wordCount);
        int count = 0;
        for (int width = 1; width <= longest; width++) {
            count += wordCount - width + 1;
        }
        int[] wordStarts = new int[count];
        int[] wordEnds = new int[count];
        int[] subwordStarts = new int[count];
        int[] subwordEnds = new int[count];
        int[] widths = new int[count];
        int i = 0;
        for (int width = 1; width <= longest; width++) {
            for (int start = 0; start + width <= wordCount; start++) {
                wordStarts[i] = start;
                wordEnds[i] = start + width;
                subwordStarts[i] = encoded.wordStart(start);
                subwordEnds[i] = encoded.wordEnd(start + width - 1);
                widths[i] = width;
                i++;
            }
        }
        return new InferenceCandidates(wordStarts, wordEnds, subwordStarts, subwordEnds, widths);
    }

    public int count() {
        return widths.length;
    }

    /** First word of each candidate. */
    public int[] wordStarts() {
        return wordStarts.clone();
    }

    /** One past the last word of each candidate. */
    public int[] wordEnds() {
        return wordEnds.clone();
    }

    /** First sub-word position of each candidate. */
    public int[] subwordStarts() {
        return subwordStarts.clone();
    }

    /** One past the last sub-word position of each candidate. */
    public int[] subwordEnds() {
        return subwordEnds.clone();
    }

    /** Number of words of each candidate (the width-embedding index). */
    public int[] widths() {
        return widths.clone();
    }

    /** Sub-word range of candidate {@code i}. */
    public SubwordRange subwordRange(int i) {
        return new SubwordRange(subwordStarts[i], subwordEnds[i]);
    }
}
