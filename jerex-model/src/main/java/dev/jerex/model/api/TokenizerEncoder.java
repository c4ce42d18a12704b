package dev.jerex.model.api;

import dev.jerex.model.data.WordPieceEncoder;
import dev.jerex.nn.bert.BertTokenizer;

/** The model's view of a BERT tokenizer: each word WordPiece-encoded on its own (SpERT). */
public record TokenizerEncoder(BertTokenizer tokenizer) implements WordPieceEncoder {
    @Override
    public int[] pieceIds(String word) {
        return tokenizer.wordPieceIds(word);
    }

    @Override
    public int clsId() {
        return tokenizer.clsId();
    }

    @Override
    public int sepId() {
        return tokenizer.sepId();
    }

    @Override
    public int unkId() {
        return tokenizer.unkId();
    }
}
