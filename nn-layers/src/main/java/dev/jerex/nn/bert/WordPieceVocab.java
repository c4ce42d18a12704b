package dev.jerex.nn.bert;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A WordPiece vocabulary (token <-> id) and the greedy longest-match-first split of one word.
 *
 * <p>Sources: a BERT {@code vocab.txt} (one token per line, id = line number, starting at 0) or the
 * {@code model} object of a Hugging Face {@code tokenizer.json}:
 * {@code {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
 * "max_input_chars_per_word": 100, "vocab": {"[PAD]": 0, ...}}}.
 */
public final class WordPieceVocab {
    public static final String DEFAULT_UNK = "[UNK]";
    public static final String DEFAULT_PREFIX = "##";
    public static final int DEFAULT_MAX_INPUT_CHARS_PER_WORD = 100;

    private final String[] tokens;          // id -> token (null for ids the vocab skips)
    private final Map<String, Integer> ids; // token -> id
    private final String unkToken;
    private final int unkId;
    private final String continuationPrefix;
    private final int maxInputCharsPerWord;

    /** One piece of a word: its token, id, and the code-point range {@code [start, end)} of the word it covers. */
    public record Piece(String token, int id, int start, int end) {
    }

    public WordPieceVocab(String[] tokensById, String unkToken, String continuationPrefix, int maxInputCharsPerWord) {
        this.tokens = tokensById.clone();
        this.ids = new HashMap<>(tokensById.length * 2);
        for (int id = 0; id < tokensById.length; id++) {
            if (tokensById[id] != null) {
                ids.put(tokensById[id], id); // a duplicated line keeps its last id, like HF load_vocab
            }
        }
        Integer unk = ids.get(unkToken);
        if (unk == null) {
            throw new IllegalArgumentException("vocabulary of " + tokensById.length + " tokens has no unknown token '" + unkToken + "'");
        }
        this.unkToken = unkToken;
        this.unkId = unk;
        this.continuationPrefix = continuationPrefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
    }

    /** Reads a BERT vocab.txt: UTF-8, one token per line, the line number is the id. */
    public static WordPieceVocab fromVocabTxt(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line; (line = reader.readLine()) != null; ) {
            lines.add(line);
        }
        return new WordPieceVocab(lines.toArray(new String[0]), DEFAULT_UNK, DEFAULT_PREFIX, DEFAULT_MAX_INPUT_CHARS_PER_WORD);
    }

    /** Reads the {@code model} object of a tokenizer.json; fails unless its type is WordPiece. */
    public static WordPieceVocab fromTokenizerJsonModel(JsonNode model, String sourceName) throws IOException {
        if (model == null || !"WordPiece".equals(model.path("type").asText())) {
            throw new IOException(sourceName + ": 'model.type' is " + (model == null ? "missing" : "'" + model.path("type").asText() + "'")
                    + ", only WordPiece tokenizers are supported");
        }
        JsonNode vocab = model.get("vocab");
        if (vocab == null || !vocab.isObject() || vocab.isEmpty()) {
            throw new IOException(sourceName + ": 'model.vocab' is missing or empty");
        }
        int maxId = -1;
        for (Map.Entry<String, JsonNode> e : vocab.properties()) {
            maxId = Math.max(maxId, e.getValue().asInt(-1));
        }
        String[] byId = new String[maxId + 1];
        for (Map.Entry<String, JsonNode> e : vocab.properties()) {
            int id = e.getValue().asInt(-1);
            if (id < 0) {
                throw new IOException(sourceName + ": token '" + e.getKey() + "' has invalid id " + e.getValue());
            }
            byId[id] = e.getKey();
        }
        return new WordPieceVocab(byId,
                model.path("unk_token").asText(DEFAULT_UNK),
                model.path("continuing_subword_prefix").asText(DEFAULT_PREFIX),
                model.path("max_input_chars_per_word").asInt(DEFAULT_MAX_INPUT_CHARS_PER_WORD));
    }

    /** Writes the vocabulary as vocab.txt (ids must be dense 0..size-1). */
    public void writeVocabTxt(Writer out) throws IOException {
        for (int id = 0; id < tokens.length; id++) {
            String problem = tokens[id] == null ? "no token"
                    // fromVocabTxt reads lines: LF, CR and CRLF all end one
                    : tokens[id].indexOf('\n') >= 0 || tokens[id].indexOf('\r') >= 0 ? "token has a line break"
                    : !StandardCharsets.UTF_8.newEncoder().canEncode(tokens[id]) ? "token has an unpaired surrogate (not UTF-8)"
                    : null;
            if (problem != null) throw new IOException("id " + id + " cannot be written to vocab.txt: " + problem);
            out.write(tokens[id]);
            out.write('\n');
        }
    }

    public int size() {
        return tokens.length;
    }

    /** Id of a token, or -1 when the vocabulary does not hold it. */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    public boolean contains(String token) {
        return ids.containsKey(token);
    }

    /** Token of an id; throws for ids outside the vocabulary. */
    public String token(int id) {
        if (id < 0 || id >= tokens.length || tokens[id] == null) {
            throw new IllegalArgumentException("id " + id + " is not in the vocabulary of " + tokens.length);
        }
        return tokens[id];
    }

    public String unkToken() {
        return unkToken;
    }

    public int unkId() {
        return unkId;
    }

    public String continuationPrefix() {
        return continuationPrefix;
    }

    public int maxInputCharsPerWord() {
        return maxInputCharsPerWord;
    }

    /**
     * Greedy longest-match-first WordPiece split of one (already normalised) word.
     * Pieces after the first carry the continuation prefix ("##"). A word longer than
     * {@code maxInputCharsPerWord} code points, or one where some position matches nothing,
     * becomes a single {@code [UNK]} covering the whole word (tokenization.py WordpieceTokenizer).
     */
    public List<Piece> split(int[] codePoints) {
        int n = codePoints.length;
        if (n == 0) {
            return List.of();
        }
        if (n > maxInputCharsPerWord) {
            return List.of(new Piece(unkToken, unkId, 0, n));
        }
        List<Piece> pieces = new ArrayList<>();
        int start = 0;
        while (start < n) {
            Piece match = null;
            for (int end = n; end > start; end--) {
                String candidate = new String(codePoints, start, end - start);
                if (start > 0) {
                    candidate = continuationPrefix + candidate;
                }
                Integer id = ids.get(candidate);
                if (id != null) {
                    match = new Piece(candidate, id, start, end);
                    break;
                }
            }
            if (match == null) {
                return List.of(new Piece(unkToken, unkId, 0, n));
            }
            pieces.add(match);
            start = match.end();
        }
        return pieces;
    }

    @Override
    public String toString() {
        return "WordPieceVocab[" + tokens.length + " tokens, unk=" + unkToken + "]";
    }

    String[] tokensById() {
        return Arrays.copyOf(tokens, tokens.length);
    }
}
