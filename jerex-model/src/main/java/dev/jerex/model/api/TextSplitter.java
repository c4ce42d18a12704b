package dev.jerex.model.api;

import java.util.ArrayList;
import java.util.List;

/**
 * How raw text becomes the word tokens the model was trained on, keeping each word's character
 * offsets into the raw text.
 *
 * <ul>
 *   <li>{@link Mode#WORDS} (English): BERT's basic pre-tokenisation — split on whitespace, and make
 *       every punctuation character and every CJK character a word of its own. "Booth, who" ->
 *       ["Booth", ",", "who"].</li>
 *   <li>{@link Mode#CHARACTERS} (Chinese, as CMeIE and DiaKG are annotated): every non-whitespace
 *       character is a word.</li>
 * </ul>
 */
public final class TextSplitter {
    public enum Mode { WORDS, CHARACTERS }

    /** A word and where it came from: text.substring(start, end) equals word. */
    public record Word(String word, int start, int end) {}

    private TextSplitter() {}

    public static List<Word> split(String text, Mode mode) {
        List<Word> out = new ArrayList<>();
        int i = 0, n = text.length();
        int wordStart = -1;
        while (i < n) {
            int cp = text.codePointAt(i);
            int len = Character.charCount(cp);
            boolean space = Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.getType(cp) == Character.CONTROL
                    || Character.getType(cp) == Character.FORMAT;
            boolean alone = mode == Mode.CHARACTERS || isPunctuation(cp) || isCjk(cp);
            if (space || alone) {
                if (wordStart >= 0) {
                    out.add(new Word(text.substring(wordStart, i), wordStart, i));
                    wordStart = -1;
                }
                if (!space) out.add(new Word(text.substring(i, i + len), i, i + len));
            } else if (wordStart < 0) {
                wordStart = i;
            }
            i += len;
        }
        if (wordStart >= 0) out.add(new Word(text.substring(wordStart), wordStart, n));
        return out;
    }

    /** ASCII symbols and Unicode punctuation, as BERT's tokenizer treats them. */
    static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
        int t = Character.getType(cp);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION || t == Character.START_PUNCTUATION
                || t == Character.END_PUNCTUATION || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
                || t == Character.OTHER_PUNCTUATION;
    }

    /** The CJK Unified Ideograph blocks of BERT's tokenization.py. */
    static boolean isCjk(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
