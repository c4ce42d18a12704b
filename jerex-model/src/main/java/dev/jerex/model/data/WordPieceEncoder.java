package dev.jerex.model.data;

/**
 * The part of a WordPiece tokenizer that span extraction needs. SpERT encodes every word on its own,
 * without special tokens, and builds the sequence {@code [CLS] pieces... [SEP]} itself
 * (SPERT.md, "Data"); see {@link EncodedDocument}.
 */
public interface WordPieceEncoder {

    /**
     * Vocabulary ids of the word pieces of one word, without special tokens. May be empty (for
     * instance for a whitespace-only word); such a word is then encoded as one {@link #unkId()}.
     * Lower-casing, accent stripping etc. are the encoder's business.
     */
    int[] pieceIds(String word);

    /** Id of {@code [CLS]}, the first position of every sequence. */
    int clsId();

    /** Id of {@code [SEP]}, the last position of every sequence. */
    int sepId();

    /** Id of {@code [UNK]}, used for a word that yields no piece. */
    int unkId();
}
