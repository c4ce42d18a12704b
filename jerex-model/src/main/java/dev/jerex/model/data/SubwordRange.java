package dev.jerex.model.data;

/**
 * A half-open range {@code [start, end)} of positions in an encoded sequence
 * ({@code [CLS] pieces... [SEP]}, so word pieces start at position 1).
 *
 * @param start first position
 * @param end   one past the last position; {@code start == end} is the empty range
 */
public record SubwordRange(int start, int end) {

    /** The empty range used when nothing lies between two spans. */
    public static final SubwordRange EMPTY = new SubwordRange(0, 0);

    public SubwordRange {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("need 0 <= start <= end, got [" + start + ", " + end + ")");
        }
    }

    public int length() {
        return end - start;
    }

    public boolean isEmpty() {
        return start == end;
    }

    /**
     * The relation context of the ordered pair (first, second): the positions strictly between the two
     * spans, whichever comes first in the text; {@link #EMPTY} when they are adjacent or overlap.
     *
     * <p>This is SpERT's {@code sampling.create_rel_mask}:
     * <pre>
     *   start = s1.end   if s1.end &lt; s2.start else s2.end
     *   end   = s2.start if s1.end &lt; s2.start else s1.start
     * </pre>
     * which gives a non-empty range only when one span ends strictly before the other begins. The
     * model max-pools over it and uses a zero vector when it is empty (SPERT.md, "Model").
     */
    public static SubwordRange between(SubwordRange first, SubwordRange second) {
        int start;
        int end;
        if (first.end < second.start) {
            start = first.end;
            end = second.start;
        } else {
            start = second.end;
            end = first.start;
        }
        return end > start ? new SubwordRange(start, end) : EMPTY;
    }
}
