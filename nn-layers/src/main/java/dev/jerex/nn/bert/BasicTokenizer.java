package dev.jerex.nn.bert;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * BERT's "basic tokenizer": the step before WordPiece. Follows Google's {@code tokenization.py}
 * ({@code BasicTokenizer}) and the Hugging Face tokenizers {@code BertNormalizer} +
 * {@code BertPreTokenizer}, and additionally remembers where every character of every word came
 * from in the original text.
 *
 * <ol>
 *   <li>clean: drop U+0000, U+FFFD and control characters (general category C*, except tab, CR, LF);
 *       whitespace (space, tab, CR, LF, Zs, and the line/paragraph separators) separates words;</li>
 *   <li>CJK ideographs (the ranges of {@link #isCjk}) become words of their own;</li>
 *   <li>normalise each character: lowercase (full Unicode, or ASCII A-Z only), then strip accents
 *       (NFD, drop the non-spacing marks Mn);</li>
 *   <li>every punctuation character (ASCII 33-47, 58-64, 91-96, 123-126, Unicode P*) becomes a word.</li>
 * </ol>
 *
 * <p>Normalisation is done one original code point at a time (like the Rust tokenizers, so Greek
 * capital sigma always lowercases to σ, never to final ς), which is what lets every output code
 * point point back to the original code point it came from. The original tokenization.py does
 * not apply NFC and neither does this class.
 *
 * <p>Unassigned code points (category Cn, as the JDK's Unicode version sees them) are dropped as
 * control characters, as tokenization.py and Hugging Face's Python BertTokenizer do; the Rust
 * tokenizers normaliser keeps them. Accent stripping drops Mn only (Python), not Mc/Me (Rust).
 */
public final class BasicTokenizer {

    /**
     * @param lowercase          full Unicode lowercasing (uncased vocabularies)
     * @param stripAccents       NFD then drop Mn ("Café" -> "Cafe")
     * @param lowercaseAsciiOnly lowercase A-Z only and nothing else; for vocabularies such as
     *                           bge-small-zh's that hold only lowercase Latin letters but whose
     *                           normaliser does not lowercase
     * @param handleChineseChars one word per CJK ideograph
     */
    public record Options(boolean lowercase, boolean stripAccents, boolean lowercaseAsciiOnly,
                          boolean handleChineseChars) {
        /** bert-base-uncased, MiniLM, bge-small-en, e5: lowercase and strip accents. */
        public static final Options UNCASED = new Options(true, true, false, true);
        /** bert-base-cased, multilingual cased: keep case and accents. */
        public static final Options CASED = new Options(false, false, false, true);
        /** bge-small-zh: keep everything except A-Z, which become a-z. */
        public static final Options LOWERCASE_ASCII_ONLY = new Options(false, false, true, true);
    }

    /**
     * One word after normalisation.
     *
     * @param codePoints normalised code points, e.g. "cafe" for the original "Café"
     * @param origStart  for each normalised code point, the char index in the original text where
     *                   the code point it came from starts
     * @param origEnd    ... and ends (exclusive). Several normalised code points can share one
     *                   original code point (NFD of "한" gives three jamo).
     */
    public record Word(int[] codePoints, int[] origStart, int[] origEnd) {
        public String text() {
            return new String(codePoints, 0, codePoints.length);
        }

        /** Char offset of the word's first character in the original text. */
        public int start() {
            return origStart[0];
        }

        /** Char offset just after the word's last character in the original text. */
        public int end() {
            return origEnd[origEnd.length - 1];
        }

        public int length() {
            return codePoints.length;
        }

        @Override
        public String toString() {
            return text() + "@[" + start() + "," + end() + ")";
        }
    }

    private final Options options;

    public BasicTokenizer(Options options) {
        this.options = options;
    }

    public Options options() {
        return options;
    }

    public List<Word> tokenize(String text) {
        return tokenize(text, 0, text.length());
    }

    /** Tokenizes {@code text[from, to)}; offsets in the result are indices into {@code text}. */
    public List<Word> tokenize(String text, int from, int to) {
        List<Word> words = new ArrayList<>();
        WordBuilder current = new WordBuilder();
        int i = from;
        while (i < to) {
            int cp = text.codePointAt(i);
            int next = Math.min(to, i + Character.charCount(cp));
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                // dropped without splitting the word, as tokenization.py's _clean_text does
            } else if (isWhitespace(cp)) {
                current.flushTo(words);
            } else if (options.handleChineseChars() && isCjk(cp)) {
                current.flushTo(words);
                for (int n : normalize(cp)) {
                    current.add(n, i, next);
                }
                current.flushTo(words);
            } else if (cp < 0x80) {
                addSplittingPunctuation(normalizeAscii(cp), i, next, current, words); // fast path, no allocation
            } else {
                for (int n : normalize(cp)) {
                    addSplittingPunctuation(n, i, next, current, words);
                }
            }
            i = next;
        }
        current.flushTo(words);
        return words;
    }

    /** A punctuation character is a word of its own; anything else extends the current word. */
    private static void addSplittingPunctuation(int cp, int origStart, int origEnd, WordBuilder current, List<Word> words) {
        if (isPunctuation(cp)) {
            current.flushTo(words);
            current.add(cp, origStart, origEnd);
            current.flushTo(words);
        } else {
            current.add(cp, origStart, origEnd);
        }
    }

    /** ASCII has no accents, and lowercasing is A-Z -> a-z in every lowercasing mode. */
    private int normalizeAscii(int cp) {
        boolean lower = options.lowercase() || options.lowercaseAsciiOnly();
        return lower && cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
    }

    private static final int[] NO_CODE_POINTS = new int[0];

    /** Lowercasing and accent stripping of one code point; may yield zero, one or several. */
    int[] normalize(int cp) {
        if (cp < 0x80) {
            return new int[] {normalizeAscii(cp)};
        }
        if (!options.lowercase() && !options.stripAccents()) {
            return new int[] {cp};
        }
        String s = new String(Character.toChars(cp));
        if (options.lowercase()) {
            s = s.toLowerCase(Locale.ROOT); // may grow: "İ" -> "i" + U+0307
        }
        if (options.stripAccents()) {
            s = Normalizer.normalize(s, Normalizer.Form.NFD);
            int[] cps = s.codePoints().filter(c -> Character.getType(c) != Character.NON_SPACING_MARK).toArray();
            return cps.length == 0 ? NO_CODE_POINTS : cps;
        }
        return s.codePoints().toArray();
    }

    /** tokenization.py _is_control: general category C* (Cc, Cf, Cn, Co, Cs) except tab, LF, CR. */
    public static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE || type == Character.SURROGATE;
    }

    /**
     * tokenization.py _is_whitespace (space, tab, LF, CR, Zs), plus the line and paragraph
     * separators U+2028/U+2029 on which Python's str.split() and Rust's char::is_whitespace also split.
     */
    public static boolean isWhitespace(int cp) {
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    /** tokenization.py _is_punctuation: all non-alphanumeric ASCII, and Unicode categories P*. */
    public static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                 Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /**
     * tokenization.py _is_chinese_char: the CJK Unified Ideographs blocks and their extensions A-E,
     * plus the compatibility ideographs. Hiragana, katakana and hangul are not in these ranges.
     */
    public static boolean isCjk(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /** Accumulates the code points of the word being built with their original offsets. */
    private static final class WordBuilder {
        private int[] codePoints = new int[16];
        private int[] starts = new int[16];
        private int[] ends = new int[16];
        private int size;

        void add(int cp, int origStart, int origEnd) {
            if (size == codePoints.length) {
                codePoints = Arrays.copyOf(codePoints, size * 2);
                starts = Arrays.copyOf(starts, size * 2);
                ends = Arrays.copyOf(ends, size * 2);
            }
            codePoints[size] = cp;
            starts[size] = origStart;
            ends[size] = origEnd;
            size++;
        }

        void flushTo(List<Word> words) {
            if (size > 0) {
                words.add(new Word(Arrays.copyOf(codePoints, size), Arrays.copyOf(starts, size), Arrays.copyOf(ends, size)));
                size = 0;
            }
        }
    }
}
