package dev.jerex.nn.bert;

import java.util.List;

/**
 * A text encoded for BERT: {@code [CLS] piece ... piece [SEP]}.
 *
 * <p>All arrays have one entry per piece (length {@link #length()}):
 * <ul>
 *   <li>{@code ids}: vocabulary ids, the model's input_ids;</li>
 *   <li>{@code starts}/{@code ends}: char offsets {@code [start, end)} of the piece in the ORIGINAL
 *       text ({@code text.substring(start, end)}), -1/-1 for [CLS] and [SEP];</li>
 *   <li>{@code wordIndices}: index of the basic-tokenizer word the piece belongs to (0, 1, ...;
 *       a special token written in the text, such as "[MASK]", counts as a word), -1 for the
 *       [CLS]/[SEP] added around the text.</li>
 * </ul>
 */
public record Encoding(String text, List<String> tokens, int[] ids, int[] starts, int[] ends, int[] wordIndices) {

    public int length() {
        return ids.length;
    }

    /** The original characters a piece came from ("Café" for the piece "cafe"); "" for [CLS]/[SEP]. */
    public String originalText(int piece) {
        return starts[piece] < 0 ? "" : text.substring(starts[piece], ends[piece]);
    }

    @Override
    public String toString() {
        return "Encoding" + tokens;
    }
}
