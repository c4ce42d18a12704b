package dev.jerex.model.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * A document turned into the transformer's input: {@code [CLS] pieces(word 0) ... pieces(word n-1)
 * [SEP]}, with the sub-word range of every word (SPERT.md, "Data"; SpERT's
 * {@code input_reader._parse_tokens}).
 *
 * <pre>
 *   words:     "Bruno"        "Pusterla"           ","
 *   pieces:    [Bruno]        [Pu][##ster][##la]   [,]
 *   positions: 0=[CLS] 1      2   3       4        5    6=[SEP]
 *   word ranges: [1,2)  [2,5)  [5,6)
 * </pre>
 * Each word is encoded on its own; a word that yields no piece becomes a single {@code [UNK]}, so
 * every word covers at least one position. A word span {@code [start, end)} maps to the sub-word range
 * {@code [wordStart(start), wordEnd(end - 1))}.
 *
 * <p>No length limit is applied here: check {@link #fitsIn(int)} against the encoder's maximum
 * positions and use {@link Windowing} for longer documents.
 */
public final class EncodedDocument {

    private final Document document;
    private final int[] inputIds;
    private final int[] wordStarts;
    private final int[] wordEnds;

    private EncodedDocument(Document document, int[] inputIds, int[] wordStarts, int[] wordEnds) {
        this.document = document;
        this.inputIds = inputIds;
        this.wordStarts = wordStarts;
        this.wordEnds = wordEnds;
    }

    /** Encodes every word of the document with the encoder and records the word ranges. */
    public static EncodedDocument encode(Document document, WordPieceEncoder encoder) {
        Objects.requireNonNull(document, "document");
        Objects.requireNonNull(encoder, "encoder");
        int wordCount = document.wordCount();
        int[][] piecesPerWord = new int[wordCount][];
        int length = 2; // [CLS] and [SEP]
        for (int word = 0; word < wordCount; word++) {
            piecesPerWord[word] = piecesOf(document.tokens().get(word), encoder);
            length += piecesPerWord[word].length;
        }
        int[] inputIds = new int[length];
        int[] wordStarts = new int[wordCount];
        int[] wordEnds = new int[wordCount];
        int position = 0;
        inputIds[position++] = encoder.clsId();
        for (int word = 0; word < wordCount; word++) {
            wordStarts[word] = position;
            for (int id : piecesPerWord[word]) {
                inputIds[position++] = id;
            }
            wordEnds[word] = position;
        }
        inputIds[position] = encoder.sepId();
        return new EncodedDocument(document, inputIds, wordStarts, wordEnds);
    }

    /** The pieces of one word; {@code [UNK]} when the encoder yields none. */
    static int[] piecesOf(String word, WordPieceEncoder encoder) {
        int[] pieces = encoder.pieceIds(word);
        if (pieces == null || pieces.length == 0) {
            return new int[] {encoder.unkId()};
        }
        return pieces.clone();
    }

    /** Number of pieces of every word (at least 1 each), without [CLS] / [SEP]. */
    public static int[] pieceCounts(Document document, WordPieceEncoder encoder) {
        int[] counts = new int[document.wordCount()];
        for (int word = 0; word < counts.length; word++) {
            counts[word] = piecesOf(document.tokens().get(word), encoder).length;
        }
        return counts;
    }

    public Document document() {
        return document;
    }

    /** The token ids {@code [CLS] pieces... [SEP]} (a copy). */
    public int[] inputIds() {
        return inputIds.clone();
    }

    /** Sequence length, [CLS] and [SEP] included. */
    public int length() {
        return inputIds.length;
    }

    /** True when the sequence fits the encoder's position embeddings (e.g. 512 for BERT). */
    public boolean fitsIn(int maxPositions) {
        return inputIds.length <= maxPositions;
    }

    public int wordCount() {
        return wordStarts.length;
    }

    /** First sequence position of a word. */
    public int wordStart(int word) {
        return wordStarts[word];
    }

    /** One past the last sequence position of a word. */
    public int wordEnd(int word) {
        return wordEnds[word];
    }

    /** Sub-word range of one word. */
    public SubwordRange wordRange(int word) {
        return new SubwordRange(wordStarts[word], wordEnds[word]);
    }

    /** Sub-word range of the word span {@code [wordStart, wordEnd)} (end exclusive). */
    public SubwordRange spanRange(int wordStart, int wordEnd) {
        if (wordStart < 0 || wordEnd <= wordStart || wordEnd > wordStarts.length) {
            throw new IndexOutOfBoundsException("word span [" + wordStart + ", " + wordEnd + ") of a document with "
                    + wordStarts.length + " words");
        }
        return new SubwordRange(wordStarts[wordStart], wordEnds[wordEnd - 1]);
    }

    /** Sub-word range of a gold entity of the document. */
    public SubwordRange entityRange(int entityIndex) {
        Entity entity = document.entities().get(entityIndex);
        return spanRange(entity.start(), entity.end());
    }

    @Override
    public String toString() {
        return "EncodedDocument{" + document.describe() + ", ids=" + Arrays.toString(inputIds) + "}";
    }
}
