package dev.jerex.model.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jerex.model.api.Extraction;
import dev.jerex.model.api.Extractor;
import dev.jerex.model.api.TextSplitter;
import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Extract entities and relations from raw text or token lists.",
                "Input (--input): a JSON array as SpERT's prediction input (items: a raw string, a token list, or {\"tokens\": [...]}),",
                "or JSON Lines (one such item per line, or {\"text\": ...}). A bad line (malformed JSON, invalid UTF-8, a wrong item) is",
                "reported and skipped (--fail-fast stops); every result line carries its input line number (\"line\").",
                "Output: the dataset format plus a score per entity and relation and character offsets into raw text."})
final class PredictCommand implements Callable<Integer> {
    static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--model", required = true, description = "model directory") Path model;
    @ArgGroup(multiplicity = "1") Source source;
    @Option(names = "--out", description = "output file (default: standard output)") Path out;
    @Option(names = "--split", description = "words | characters: how raw text becomes words (default: by the model's encoder)") String split;
    @Option(names = "--fail-fast", description = "stop at the first bad input line instead of skipping it") boolean failFast;
    @Mixin CommonOptions common;

    static final class Source {
        @Option(names = "--text", description = "one raw text") String text;
        @Option(names = "--input", description = "a .json array or a JSON Lines file") Path input;
    }

    @Override
    public Integer call() throws Exception {
        TextSplitter.Mode mode = split == null ? null : TextSplitter.Mode.valueOf(split.toUpperCase(java.util.Locale.ROOT));
        try (Extractor x = Extractor.load(model, common.create(), mode);
             Writer w = out != null ? Files.newBufferedWriter(out, StandardCharsets.UTF_8)
                     : new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))) {
            if (source.text != null) {
                w.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(x.extract(source.text))));
                w.write('\n');
                return 0;
            }
            if (isJsonArray(source.input)) return jsonArray(x, w);
            return jsonLines(x, w);
        }
    }

    /**
     * Whether the input is one JSON array rather than JSON Lines: a file not named .jsonl whose
     * first character (after a byte-order mark and whitespace) is '['. Only the first bytes are read.
     */
    static boolean isJsonArray(Path input) throws IOException {
        if (input.toString().endsWith(".jsonl")) return false;
        byte[] utf8Bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        try (InputStream in = new BufferedInputStream(Files.newInputStream(input))) {
            int b, position = 0;
            while ((b = in.read()) >= 0) {
                boolean inBom = position < utf8Bom.length && (byte) b == utf8Bom[position];
                position++;
                if (!inBom && !Character.isWhitespace(b)) return b == '[';
            }
            return false;
        }
    }

    /** A JSON array: one result array; a bad item fails the whole command, naming the item. */
    private int jsonArray(Extractor x, Writer w) throws IOException {
        JsonNode items;
        try {
            items = JSON.readTree(source.input.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(source.input + ": " + jsonError(e), e);
        }
        ArrayNode results = JSON.createArrayNode();
        for (int i = 0; i < items.size(); i++) results.add(toJson(extract(x, items.get(i), source.input + ": item " + i)));
        w.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
        w.write('\n');
        return 0;
    }

    /**
     * JSON Lines: one result line per input line, carrying the input's line number ("line"). A bad
     * line (malformed JSON, invalid UTF-8, a wrong item, an extraction error) is reported on standard
     * error and skipped, and every other line is processed; with --fail-fast the first bad line ends
     * the run. Blank lines are ignored; a byte-order mark and CRLF line ends are accepted.
     */
    private int jsonLines(Extractor x, Writer w) throws IOException {
        int bad = 0, done = 0, lineNo = 0;
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(source.input), 1 << 16)) {
            byte[] bytes;
            while ((bytes = readLine(in)) != null) {
                lineNo++;
                String where = source.input + ": line " + lineNo;
                try {
                    String line = decodeUtf8(utf8, bytes);
                    if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
                    if (line.isBlank()) continue;
                    JsonNode item;
                    try {
                        item = JSON.readTree(line);
                    } catch (JsonProcessingException e) {
                        throw new IllegalArgumentException(jsonError(e), e);
                    }
                    ObjectNode result = toJson(extract(x, item, where));
                    ObjectNode numbered = JSON.createObjectNode().put("line", lineNo);
                    numbered.setAll(result);
                    w.write(JSON.writeValueAsString(numbered));
                    w.write('\n');
                    done++;
                } catch (RuntimeException e) {
                    // any failure of one line (bad input, or a fault while extracting) costs that line only
                    String message = Main.message(e);
                    if (!message.startsWith(where)) message = where + ": " + message;
                    if (failFast) throw new IllegalArgumentException(message, e);
                    System.err.println("jerex predict: skipping " + message);
                    bad++;
                }
            }
        }
        w.flush();
        System.err.printf("jerex predict: %d lines processed, %d skipped%n", done, bad);
        return bad == 0 ? 0 : 3;
    }

    /** Strict UTF-8 decoding of one line; a malformed sequence is an error naming its byte offset. */
    static String decodeUtf8(CharsetDecoder utf8, byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);   // UTF-8 never needs more chars than bytes
        utf8.reset();
        CoderResult result = utf8.decode(in, out, true);
        if (result.isError()) {
            throw new IllegalArgumentException("invalid UTF-8 at byte " + in.position() + " of the line (" + result.length()
                    + " bad byte" + (result.length() == 1 ? "" : "s") + ")");
        }
        utf8.flush(out);
        return out.flip().toString();
    }

    /** The bytes of the next line without its LF or CRLF end; null at the end of the stream. */
    static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        int b;
        while ((b = in.read()) >= 0 && b != '\n') line.write(b);
        if (b < 0 && line.size() == 0) return null;
        byte[] bytes = line.toByteArray();
        int n = bytes.length;
        return n > 0 && bytes[n - 1] == '\r' ? Arrays.copyOf(bytes, n - 1) : bytes;
    }

    /** Jackson's message with its "[Source: ...; line: 1, column: 9]" suffix reduced to the column. */
    static String jsonError(JsonProcessingException e) {
        String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return "malformed JSON" + where + ": " + e.getOriginalMessage();
    }

    static Extraction extract(Extractor x, JsonNode item, String where) {
        if (item.isTextual()) return x.extract(encodable(item.asText(), where + ": the text"));
        JsonNode tokens = item.isArray() ? item : item.get("tokens");
        if (tokens != null && tokens.isArray()) {
            List<String> list = new ArrayList<>();
            for (int i = 0; i < tokens.size(); i++) {
                if (!tokens.get(i).isTextual()) throw new IllegalArgumentException(where + ": tokens[" + i + "] is not a string");
                list.add(encodable(tokens.get(i).asText(), where + ": tokens[" + i + "]"));
            }
            return x.extractTokens(list);
        }
        if (item.has("text") && item.get("text").isTextual()) return x.extract(encodable(item.get("text").asText(), where + ": text"));
        throw new IllegalArgumentException(where + ": expected a string, a token list, {\"tokens\": [...]} or {\"text\": \"...\"}");
    }

    /**
     * The string, unless it holds an unpaired UTF-16 surrogate: JSON may carry one as an escape
     * ("\\ud800"), but the UTF-8 output cannot, so such an input is rejected here rather than
     * failing the output stream later.
     */
    static String encodable(String s, String what) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " holds an unpaired UTF-16 surrogate \\u" + Integer.toHexString(c)
                        + " at character " + i + ", which UTF-8 cannot encode");
            }
        }
        return s;
    }

    static ObjectNode toJson(Extraction e) {
        ObjectNode o = JSON.createObjectNode();
        if (e.text() != null) o.put("text", e.text());
        ArrayNode tokens = o.putArray("tokens");
        e.tokens().forEach(tokens::add);
        ArrayNode entities = o.putArray("entities");
        for (Extraction.Entity en : e.entities()) {
            ObjectNode n = entities.addObject();
            n.put("type", en.type());
            n.put("start", en.start());
            n.put("end", en.end());
            n.put("text", en.text());
            if (en.charStart() >= 0) {
                n.put("char_start", en.charStart());
                n.put("char_end", en.charEnd());
            }
            n.put("score", Math.round(en.score() * 1e4) / 1e4);
        }
        ArrayNode relations = o.putArray("relations");
        for (Extraction.Relation r : e.relations()) {
            ObjectNode n = relations.addObject();
            n.put("type", r.type());
            n.put("head", r.head());
            n.put("tail", r.tail());
            n.put("score", Math.round(r.score() * 1e4) / 1e4);
        }
        return o;
    }
}
