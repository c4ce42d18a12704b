package dev.jerex.nn.bert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * BERT tokenization: {@link BasicTokenizer} (clean, split, normalise) then WordPiece
 * ({@link WordPieceVocab#split}), as Hugging Face BertTokenizer / Google's tokenization.py.
 *
 * <p>The special tokens [CLS], [SEP], [PAD], [UNK], [MASK] are looked up in the vocabulary. When
 * one of them is written literally in the input ("Paris is the [MASK] of France") it is kept as
 * that single token, as Hugging Face does for special tokens.
 */
public final class BertTokenizer {
    public static final String CLS = "[CLS]";
    public static final String SEP = "[SEP]";
    public static final String PAD = "[PAD]";
    public static final String UNK = "[UNK]";
    public static final String MASK = "[MASK]";
    private static final List<String> SPECIALS = List.of(CLS, SEP, PAD, UNK, MASK);

    private final WordPieceVocab vocab;
    private final BasicTokenizer basic;
    private final int clsId;
    private final int sepId;
    private final int padId;
    private final int unkId;
    private final int maskId;

    public BertTokenizer(WordPieceVocab vocab, BasicTokenizer.Options options) {
        this.vocab = vocab;
        this.basic = new BasicTokenizer(options);
        this.clsId = requireId(CLS);
        this.sepId = requireId(SEP);
        this.padId = requireId(PAD);
        this.unkId = vocab.unkId();
        this.maskId = requireId(MASK);
    }

    private int requireId(String token) {
        int id = vocab.id(token);
        if (id < 0) {
            throw new IllegalArgumentException("the vocabulary (" + vocab.size() + " tokens) has no " + token + " token");
        }
        return id;
    }

    /** A tokenizer over a vocab.txt with the given options. */
    public static BertTokenizer fromVocabTxt(Path vocabTxt, BasicTokenizer.Options options) throws IOException {
        try (InputStream in = Files.newInputStream(vocabTxt)) {
            return new BertTokenizer(WordPieceVocab.fromVocabTxt(in), options);
        }
    }

    public static BertTokenizer fromTokenizerJson(Path tokenizerJson) throws IOException {
        try (InputStream in = Files.newInputStream(tokenizerJson)) {
            return fromTokenizerJson(in, tokenizerJson.toString());
        }
    }

    /**
     * Reads a Hugging Face tokenizer.json with a WordPiece model. Options come from its
     * {@code BertNormalizer} ({@code lowercase}, {@code strip_accents} (null = same as lowercase),
     * {@code handle_chinese_chars}); without one: cased, Chinese characters split.
     * Use {@link #withOptions} to override (bge-small-zh needs {@link BasicTokenizer.Options#LOWERCASE_ASCII_ONLY}).
     */
    public static BertTokenizer fromTokenizerJson(InputStream in, String sourceName) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IOException(sourceName + ": not valid JSON: " + e.getMessage(), e);
        }
        WordPieceVocab vocab = WordPieceVocab.fromTokenizerJsonModel(root.get("model"), sourceName);
        return new BertTokenizer(vocab, optionsFromNormalizer(root.get("normalizer")));
    }

    static BasicTokenizer.Options optionsFromNormalizer(JsonNode normalizer) {
        JsonNode bert = findBertNormalizer(normalizer);
        if (bert == null) {
            return BasicTokenizer.Options.CASED;
        }
        boolean lowercase = bert.path("lowercase").asBoolean(true);
        JsonNode strip = bert.get("strip_accents");
        boolean stripAccents = strip == null || strip.isNull() ? lowercase : strip.asBoolean();
        boolean chinese = bert.path("handle_chinese_chars").asBoolean(true);
        return new BasicTokenizer.Options(lowercase, stripAccents, false, chinese);
    }

    /** The BertNormalizer itself, or inside a {"type": "Sequence", "normalizers": [...]}. */
    private static JsonNode findBertNormalizer(JsonNode normalizer) {
        if (normalizer == null || normalizer.isNull()) {
            return null;
        }
        if ("BertNormalizer".equals(normalizer.path("type").asText())) {
            return normalizer;
        }
        for (JsonNode child : normalizer.path("normalizers")) {
            JsonNode found = findBertNormalizer(child);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** The same vocabulary with other normalisation options. */
    public BertTokenizer withOptions(BasicTokenizer.Options options) {
        return new BertTokenizer(vocab, options);
    }

    public BasicTokenizer.Options options() {
        return basic.options();
    }

    public WordPieceVocab vocab() {
        return vocab;
    }

    public int clsId() {
        return clsId;
    }

    public int sepId() {
        return sepId;
    }

    public int padId() {
        return padId;
    }

    public int unkId() {
        return unkId;
    }

    public int maskId() {
        return maskId;
    }

    /**
     * WordPiece tokens of one pre-split word, without [CLS]/[SEP]; a word that yields no pieces
     * (only control characters, say) becomes [UNK], as SpERT's input reader does.
     * "don't" -> [don, ', t]; "Tokenization" (uncased) -> [token, ##ization].
     */
    public List<String> wordPieces(String word) {
        Encoding e = encodeWithoutSpecials(word);
        return e.tokens().isEmpty() ? List.of(vocab.unkToken()) : e.tokens();
    }

    /** Ids of {@link #wordPieces}. */
    public int[] wordPieceIds(String word) {
        Encoding e = encodeWithoutSpecials(word);
        return e.ids().length == 0 ? new int[] {unkId} : e.ids();
    }

    /** {@code [CLS] pieces of rawText [SEP]} with offsets into rawText; see {@link Encoding}. */
    public Encoding encode(String rawText) {
        return encode(rawText, true);
    }

    /** Like {@link #encode(String)} but without the surrounding [CLS] and [SEP]. */
    public Encoding encodeWithoutSpecials(String rawText) {
        return encode(rawText, false);
    }

    private Encoding encode(String text, boolean addSpecials) {
        PieceList out = new PieceList();
        if (addSpecials) {
            out.add(CLS, clsId, -1, -1, -1);
        }
        int word = 0;
        int segmentStart = 0;
        while (segmentStart <= text.length()) {
            // Special tokens written in the text are matched first, on the raw characters.
            int[] special = findSpecial(text, segmentStart);
            int segmentEnd = special == null ? text.length() : special[0];
            for (BasicTokenizer.Word w : basic.tokenize(text, segmentStart, segmentEnd)) {
                addWordPieces(w, word++, out);
            }
            if (special == null) {
                break;
            }
            String token = SPECIALS.get(special[1]);
            out.add(token, vocab.id(token), special[0], special[0] + token.length(), word++);
            segmentStart = special[0] + token.length();
        }
        if (addSpecials) {
            out.add(SEP, sepId, -1, -1, -1);
        }
        return out.toEncoding(text);
    }

    /** Leftmost occurrence at or after {@code from} of a special token: {index, which}; null if none. */
    private static int[] findSpecial(String text, int from) {
        int best = -1;
        int which = -1;
        int bracket = text.indexOf('[', from);
        while (bracket >= 0 && best < 0) {
            for (int s = 0; s < SPECIALS.size(); s++) {
                if (text.startsWith(SPECIALS.get(s), bracket)) {
                    best = bracket;
                    which = s;
                    break;
                }
            }
            bracket = text.indexOf('[', bracket + 1);
        }
        return best < 0 ? null : new int[] {best, which};
    }

    /**
     * Splits one word into pieces and maps each piece's code-point range back to original char
     * offsets. Normalisation can turn one original character into several (NFD of a hangul
     * syllable); if a piece boundary falls inside such a character, the character is credited to
     * the earlier piece, so offsets never overlap (the later piece may then be empty).
     */
    private void addWordPieces(BasicTokenizer.Word w, int wordIndex, PieceList out) {
        int previousEnd = -1;
        for (WordPieceVocab.Piece p : vocab.split(w.codePoints())) {
            int start = w.origStart()[p.start()];
            int end = w.origEnd()[p.end() - 1];
            start = Math.max(start, previousEnd);
            end = Math.max(end, start);
            out.add(p.token(), p.id(), start, end, wordIndex);
            previousEnd = end;
        }
    }

    /** Joins tokens back into text: "##" pieces attach to the previous piece, others get a space. */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /** As {@link #decode(int[])}; with {@code skipSpecialTokens} [CLS], [SEP], [PAD], [MASK] and [UNK] are left out. */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder sb = new StringBuilder();
        String prefix = vocab.continuationPrefix();
        for (int id : ids) {
            String token = vocab.token(id);
            if (skipSpecialTokens && SPECIALS.contains(token)) {
                continue;
            }
            if (token.startsWith(prefix) && token.length() > prefix.length()) {
                sb.append(token, prefix.length(), token.length());
            } else {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append(token);
            }
        }
        return sb.toString();
    }

    /** Growable parallel arrays of piece data, so a long text does not box an Integer per piece. */
    private static final class PieceList {
        private final List<String> tokens = new ArrayList<>();
        private int[] ids = new int[32];
        private int[] starts = new int[32];
        private int[] ends = new int[32];
        private int[] words = new int[32];

        void add(String token, int id, int start, int end, int word) {
            int n = tokens.size();
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, n * 2);
                starts = Arrays.copyOf(starts, n * 2);
                ends = Arrays.copyOf(ends, n * 2);
                words = Arrays.copyOf(words, n * 2);
            }
            tokens.add(token);
            ids[n] = id;
            starts[n] = start;
            ends[n] = end;
            words[n] = word;
        }

        Encoding toEncoding(String text) {
            int n = tokens.size();
            return new Encoding(text, List.copyOf(tokens), Arrays.copyOf(ids, n), Arrays.copyOf(starts, n),
                    Arrays.copyOf(ends, n), Arrays.copyOf(words, n));
        }
    }
}
