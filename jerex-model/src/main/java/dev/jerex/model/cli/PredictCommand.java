package dev.jerex.model.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jerex.model.api.Extraction;
import dev.jerex.model.api.Extractor;
import dev.jerex.model.api.TextSplitter;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Extract entities and relations from raw text or token lists.",
                "Input (--input): a JSON array as SpERT's prediction input (items: a raw string, a token list, or {\"tokens\": [...]}),",
                "or JSON Lines (one such item per line, or {\"text\": ...}). A bad line is reported and skipped (--fail-fast stops).",
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
            String content = Files.readString(source.input, StandardCharsets.UTF_8);
            String trimmed = content.strip().replace("\uFEFF", "");
            if (trimmed.startsWith("[") && !source.input.toString().endsWith(".jsonl")) {
                JsonNode items = JSON.readTree(trimmed);
                ArrayNode results = JSON.createArrayNode();
                for (int i = 0; i < items.size(); i++) results.add(toJson(extract(x, items.get(i), source.input + ": item " + i)));
                w.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
                w.write('\n');
                return 0;
            }
            return jsonLines(x, w);
        }
    }

    /** One result line per input line; a bad line is reported on standard error and skipped. */
    private int jsonLines(Extractor x, Writer w) throws IOException {
        int bad = 0, done = 0, lineNo = 0;
        try (BufferedReader r = Files.newBufferedReader(source.input, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
                if (line.isBlank()) continue;
                String where = source.input + ": line " + lineNo;
                try {
                    Extraction e = extract(x, JSON.readTree(line), where);
                    w.write(JSON.writeValueAsString(toJson(e)));
                    w.write('\n');
                    done++;
                } catch (IOException | IllegalArgumentException e) {
                    if (failFast) throw new IllegalArgumentException(where + ": " + Main.message(e), e);
                    System.err.println("jerex predict: skipping " + where + ": " + Main.message(e));
                    bad++;
                }
            }
        }
        w.flush();
        System.err.printf("jerex predict: %d lines processed, %d skipped%n", done, bad);
        return bad == 0 ? 0 : 3;
    }

    static Extraction extract(Extractor x, JsonNode item, String where) {
        if (item.isTextual()) return x.extract(item.asText());
        JsonNode tokens = item.isArray() ? item : item.get("tokens");
        if (tokens != null && tokens.isArray()) {
            List<String> list = new ArrayList<>();
            for (int i = 0; i < tokens.size(); i++) {
                if (!tokens.get(i).isTextual()) throw new IllegalArgumentException(where + ": tokens[" + i + "] is not a string");
                list.add(tokens.get(i).asText());
            }
            return x.extractTokens(list);
        }
        if (item.has("text") && item.get("text").isTextual()) return x.extract(item.get("text").asText());
        throw new IllegalArgumentException(where + ": expected a string, a token list, {\"tokens\": [...]} or {\"text\": \"...\"}");
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
