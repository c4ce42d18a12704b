package dev.jerex.model.data;

/**
 * One window of a long document (see {@link Windowing}).
 *
 * @param windowIndex   position of the window in the document's window list
 * @param wordStart     first word of the window in the original document (the word offset)
 * @param wordEnd       one past the last word of the window in the original document
 * @param document      the window as a document of its own: tokens {@code [wordStart, wordEnd)}, the
 *                      gold entities lying wholly inside (shifted by {@code -wordStart}) and the gold
 *                      relations whose two entities are both inside; same index and orig_id as the
 *                      original
 * @param entitiesCut   gold entities that cross an edge of this window and are therefore left out of
 *                      it (they lie wholly inside a neighbouring window when the overlap is larger
 *                      than the entity)
 * @param relationsCut  gold relations with one argument in this window that are left out because the
 *                      other argument is not wholly inside it
 */
public record DocumentWindow(int windowIndex, int wordStart, int wordEnd, Document document,
                             int entitiesCut, int relationsCut) {

    public int wordCount() {
        return wordEnd - wordStart;
    }

    /** True when the span {@code [start, end)} (document coordinates) lies wholly inside the window. */
    public boolean contains(int start, int end) {
        return start >= wordStart && end <= wordEnd;
    }
}
