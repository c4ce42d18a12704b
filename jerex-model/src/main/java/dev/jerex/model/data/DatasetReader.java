package dev.jerex.model.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jerex.model.data.DatasetException.Problem;
import dev.jerex.model.data.ReaderOptions.BlankTokenPolicy;
import dev.jerex.model.data.ReaderOptions.DuplicateRelationPolicy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads SpERT's JSON data files and validates them on load.
 *
 * <h2>Files</h2>
 * <ul>
 *   <li>Types file: {@code {"entities": {NAME: {"short", "verbose"}}, "relations": {NAME: {"short",
 *       "verbose", "symmetric"}}}}.</li>
 *   <li>Dataset file: a JSON array of documents {@code {"tokens": [...], "entities": [{"type",
 *       "start", "end"}], "relations": [{"type", "head", "tail"}], "orig_id"}}; {@code end} is
 *       exclusive, {@code head} / {@code tail} index the document's entity list. {@code orig_id}
 *       (string or integer) is optional; other unknown fields are ignored, as SpERT does.</li>
 * </ul>
 * UTF-8 with or without a byte-order mark and any line endings (LF, CRLF) are accepted. The dataset
 * array is streamed document by document, so a large file is never held as one JSON tree.
 *
 * <h2>Validation</h2>
 * Every problem becomes a {@link DatasetException} naming file, document and field, e.g.
 * {@code conll04_train.json: document 17 (orig_id 5123): entities[2].end = 3 <= start 3}. Checked:
 * malformed JSON (with line and column), duplicate keys, documents that are not objects, missing
 * fields, wrong field types, an empty token list, empty / blank tokens (see
 * {@link ReaderOptions.BlankTokenPolicy}), spans out of range or with {@code end <= start}, unknown
 * entity and relation types, head / tail out of range, {@code head == tail}, and duplicate relations
 * (same head, tail and type; see {@link ReaderOptions.DuplicateRelationPolicy}).
 * With {@link ReaderOptions#maxErrors()} &gt; 1 the reader keeps going and reports up to that many
 * problems at once.
 *
 * <h2>Normalisation</h2>
 * Symmetric relation types are stored with the entity that occurs first as head: when the tail
 * entity starts before the head entity the two are swapped (SPERT.md, "Data"; SpERT's
 * {@code input_reader._parse_relations}). A symmetric relation listed in both directions is therefore
 * one relation, and the second listing is merged into the first (SpERT would keep both; they would
 * give the same training pair and the same evaluation tuple). Nothing else is changed: tokens are
 * kept verbatim.
 */
public final class DatasetReader {

    /** Shared, thread-safe mapper for streaming documents: duplicate keys are errors. */
    private static final ObjectMapper MAPPER = new ObjectMapper(
            JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

    /** For files read as one tree (the types file): also rejects content after the value. */
    private static final ObjectMapper WHOLE_FILE_MAPPER = MAPPER.copy()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final ReaderOptions options;

    /** A reader with {@link ReaderOptions#defaults()}. */
    public DatasetReader() {
        this(ReaderOptions.defaults());
    }

    public DatasetReader(ReaderOptions options) {
        this.options = options;
    }

    public ReaderOptions options() {
        return options;
    }

    // ------------------------------------------------------------------------------------------
    // Types file

    /** Reads a types file such as {@code conll04_types.json}. */
    public Types readTypes(Path file) throws DatasetException {
        String fileName = fileName(file);
        try (InputStream in = Files.newInputStream(file)) {
            return readTypes(fileName, in);
        } catch (DatasetException e) {
            throw e;
        } catch (IOException e) {
            throw cannotRead(fileName, e);
        }
    }

    /**
     * Reads a types file from a stream.
     *
     * @param fileName the name used in error messages
     */
    public Types readTypes(String fileName, InputStream in) throws DatasetException {
        ProblemCollector problems = new ProblemCollector(fileName, options.maxErrors());
        JsonNode root;
        try {
            root = WHOLE_FILE_MAPPER.readTree(in);
        } catch (JsonProcessingException e) {
            throw problems.fatal(-1, malformed(e), e);
        } catch (IOException e) {
            throw cannotRead(fileName, e);
        } catch (RuntimeException e) {
            throw problems.fatal(-1, "malformed JSON: " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw problems.fatal(-1, "empty file: expected a JSON object with \"entities\" and \"relations\"", null);
        }
        Context context = new Context(problems, -1);
        if (!root.isObject()) {
            context.add("", "expected a JSON object with \"entities\" and \"relations\", found " + kind(root));
            problems.throwIfAny();
        }
        Types.Builder builder = Types.builder();
        JsonNode entities = requireObject(root, "entities", "", context);
        if (entities != null) {
            for (Map.Entry<String, JsonNode> entry : entities.properties()) {
                String name = entry.getKey();
                String path = "entities." + name;
                if (name.isEmpty()) {
                    context.add("entities", "an entity type has an empty name");
                    continue;
                }
                if (Types.NONE_NAME.equals(name)) {
                    context.add(path, "the name \"None\" is reserved for the non-entity type at index 0");
                    continue;
                }
                if (!entry.getValue().isObject()) {
                    context.add(path, "expected an object with \"short\" and \"verbose\", found " + kind(entry.getValue()));
                    continue;
                }
                String shortName = requireText(entry.getValue(), "short", path + ".", context);
                String verbose = requireText(entry.getValue(), "verbose", path + ".", context);
                if (shortName != null && verbose != null) {
                    builder.entity(name, shortName, verbose);
                }
            }
        }
        JsonNode relations = requireObject(root, "relations", "", context);
        if (relations != null) {
            for (Map.Entry<String, JsonNode> entry : relations.properties()) {
                String name = entry.getKey();
                String path = "relations." + name;
                if (name.isEmpty()) {
                    context.add("relations", "a relation type has an empty name");
                    continue;
                }
                if (!entry.getValue().isObject()) {
                    context.add(path, "expected an object with \"short\", \"verbose\" and \"symmetric\", found "
                            + kind(entry.getValue()));
                    continue;
                }
                String shortName = requireText(entry.getValue(), "short", path + ".", context);
                String verbose = requireText(entry.getValue(), "verbose", path + ".", context);
                Boolean symmetric = requireBoolean(entry.getValue(), "symmetric", path + ".", context);
                if (shortName != null && verbose != null && symmetric != null) {
                    builder.relation(name, shortName, verbose, symmetric);
                }
            }
        }
        problems.throwIfAny();
        return builder.build();
    }

    // ------------------------------------------------------------------------------------------
    // Dataset file

    /** Reads and validates a dataset file such as {@code conll04_train.json}. */
    public List<Document> readDocuments(Path file, Types types) throws DatasetException {
        String fileName = fileName(file);
        try (InputStream in = Files.newInputStream(file)) {
            return readDocuments(fileName, in, types);
        } catch (DatasetException e) {
            throw e;
        } catch (IOException e) {
            throw cannotRead(fileName, e);
        }
    }

    /**
     * The documents read from {@code file}, which training and evaluation need at least one of: an
     * empty array is valid JSON, but nothing to learn from or score.
     *
     * @throws DatasetException naming the file when there are none
     */
    public static List<Document> requireDocuments(Path file, List<Document> documents) throws DatasetException {
        if (documents.isEmpty()) {
            throw new DatasetException(new Problem(fileName(file), -1, null, "", "no documents (the array is empty)"));
        }
        return documents;
    }

    /**
     * Reads and validates a dataset from a stream.
     *
     * @param fileName the name used in error messages
     */
    public List<Document> readDocuments(String fileName, InputStream in, Types types) throws DatasetException {
        ProblemCollector problems = new ProblemCollector(fileName, options.maxErrors());
        List<Document> documents = new ArrayList<>();
        int documentIndex = -1;
        try (JsonParser parser = MAPPER.createParser(in)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw problems.fatal(-1, "empty file: expected a JSON array of documents", null);
            }
            if (first != JsonToken.START_ARRAY) {
                throw problems.fatal(-1, "expected a JSON array of documents at the top level, found "
                        + kind(first), null);
            }
            documentIndex = 0;
            while (true) {
                JsonToken token = parser.nextToken();
                if (token == null) {
                    throw problems.fatal(-1, "unexpected end of input: the array of documents is not closed "
                            + at(parser.currentLocation()), null);
                }
                if (token == JsonToken.END_ARRAY) {
                    break;
                }
                JsonNode node = MAPPER.readTree(parser);
                Document document = readDocument(node, documentIndex, types, problems);
                if (document != null) {
                    documents.add(document);
                }
                documentIndex++;
            }
            documentIndex = -1;
            if (parser.nextToken() != null) {
                throw problems.fatal(-1, "unexpected content after the closing ] of the document array "
                        + at(parser.currentTokenLocation()), null);
            }
        } catch (DatasetException e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw problems.fatal(documentIndex, malformed(e), e);
        } catch (IOException e) {
            throw cannotRead(fileName, e);
        } catch (RuntimeException e) {
            // Jackson reports a few limits (e.g. nesting depth) as unchecked exceptions.
            throw problems.fatal(documentIndex, "malformed JSON: " + e.getMessage(), e);
        }
        problems.throwIfAny();
        return List.copyOf(documents);
    }

    /** Validates one document node; returns null when it has problems (they are collected). */
    private Document readDocument(JsonNode node, int index, Types types, ProblemCollector problems)
            throws DatasetException {
        Context context = new Context(problems, index);
        if (!node.isObject()) {
            context.add("", "expected a JSON object, found " + kind(node));
            return null;
        }
        String origId = readOrigId(node, context);
        context.origId = origId;
        List<String> tokens = readTokens(node, context);
        List<Entity> entities = readEntities(node, tokens == null ? -1 : tokens.size(), types, context);
        List<Relation> relations = readRelations(node, entities, types, context);
        if (context.problemCount > 0 || tokens == null || entities == null || relations == null) {
            return null;
        }
        return new Document(index, origId, tokens, entities, relations);
    }

    private static String readOrigId(JsonNode document, Context context) throws DatasetException {
        JsonNode value = document.get("orig_id");
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isIntegralNumber()) {
            return value.bigIntegerValue().toString();
        }
        context.add("orig_id", "expected a string or an integer, found " + kind(value));
        return null;
    }

    private List<String> readTokens(JsonNode document, Context context) throws DatasetException {
        JsonNode array = requireArray(document, "tokens", context);
        if (array == null) {
            return null;
        }
        if (array.isEmpty()) {
            context.add("tokens", "empty token list (a document needs at least one word)");
            return null;
        }
        List<String> tokens = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode token = array.get(i);
            String path = "tokens[" + i + "]";
            if (!token.isTextual()) {
                context.add(path, "expected a string, found " + kind(token));
                continue;
            }
            String text = token.textValue();
            if (text.isEmpty() && options.blankTokens() != BlankTokenPolicy.KEEP_ALL) {
                context.add(path, "empty token \"\"");
            } else if (!text.isEmpty() && text.isBlank() && options.blankTokens() == BlankTokenPolicy.REJECT_BLANK) {
                context.add(path, "whitespace-only token " + quote(text));
            }
            tokens.add(text);
        }
        return tokens;
    }

    /** Returns the entity list with {@code null} in place of each invalid entity. */
    private static List<Entity> readEntities(JsonNode document, int tokenCount, Types types, Context context)
            throws DatasetException {
        JsonNode array = requireArray(document, "entities", context);
        if (array == null) {
            return null;
        }
        List<Entity> entities = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            String path = "entities[" + i + "]";
            if (!item.isObject()) {
                context.add(path, "expected an object with \"type\", \"start\", \"end\", found " + kind(item));
                entities.add(null);
                continue;
            }
            EntityType type = null;
            String typeName = requireText(item, "type", path + ".", context);
            if (typeName != null) {
                type = types.entityType(typeName).filter(t -> !t.isNone()).orElse(null);
                if (type == null) {
                    context.add(path + ".type", "unknown entity type " + quote(typeName) + " (known: "
                            + types.entityTypes().stream().skip(1).map(EntityType::name).collect(Collectors.joining(", "))
                            + ")");
                }
            }
            Integer start = requireInt(item, "start", path + ".", context);
            Integer end = requireInt(item, "end", path + ".", context);
            boolean spanValid = start != null && end != null;
            if (start != null && start < 0) {
                context.add(path + ".start", "= " + start + " < 0");
                spanValid = false;
            }
            if (end != null && tokenCount >= 0 && end > tokenCount) {
                context.add(path + ".end", "= " + end + " > number of tokens " + tokenCount);
                spanValid = false;
            }
            if (start != null && end != null && end <= start) {
                context.add(path + ".end", "= " + end + " <= start " + start);
                spanValid = false;
            }
            entities.add(type != null && spanValid && tokenCount >= 0 ? new Entity(type, start, end) : null);
        }
        return entities;
    }

    private List<Relation> readRelations(JsonNode document, List<Entity> entities, Types types, Context context)
            throws DatasetException {
        JsonNode array = requireArray(document, "relations", context);
        if (array == null) {
            return null;
        }
        List<Relation> relations = new ArrayList<>(array.size());
        // (head, tail, type) after normalisation -> {position, head, tail as written} of its first occurrence
        Map<List<Integer>, int[]> firstOccurrence = new HashMap<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            String path = "relations[" + i + "]";
            if (!item.isObject()) {
                context.add(path, "expected an object with \"type\", \"head\", \"tail\", found " + kind(item));
                continue;
            }
            RelationType type = null;
            String typeName = requireText(item, "type", path + ".", context);
            if (typeName != null) {
                type = types.relationType(typeName).orElse(null);
                if (type == null) {
                    context.add(path + ".type", "unknown relation type " + quote(typeName) + " (known: "
                            + types.relationTypes().stream().map(RelationType::name).collect(Collectors.joining(", "))
                            + ")");
                }
            }
            Integer head = requireInt(item, "head", path + ".", context);
            Integer tail = requireInt(item, "tail", path + ".", context);
            int entityCount = entities == null ? -1 : entities.size();
            boolean valid = type != null && head != null && tail != null && entityCount >= 0;
            if (head != null && entityCount >= 0 && (head < 0 || head >= entityCount)) {
                context.add(path + ".head", "= " + head + " is not an entity index (the document has "
                        + entityCount + " entities)");
                valid = false;
            }
            if (tail != null && entityCount >= 0 && (tail < 0 || tail >= entityCount)) {
                context.add(path + ".tail", "= " + tail + " is not an entity index (the document has "
                        + entityCount + " entities)");
                valid = false;
            }
            if (head != null && head.equals(tail)) {
                context.add(path, "head == tail = " + head + " (a relation needs two different entities)");
                valid = false;
            }
            if (!valid || entities.get(head) == null || entities.get(tail) == null) {
                continue;
            }
            int writtenHead = head;
            int writtenTail = tail;
            // SPERT.md "Data": a symmetric relation is stored with the earlier entity as head
            // (SpERT swaps when tail.start < head.start).
            if (type.symmetric() && entities.get(tail).start() < entities.get(head).start()) {
                int earlier = tail;
                tail = head;
                head = earlier;
            }
            List<Integer> key = List.of(head, tail, type.index());
            int[] previous = firstOccurrence.putIfAbsent(key, new int[] {i, writtenHead, writtenTail});
            if (previous != null) {
                boolean mirrored = previous[1] != writtenHead;
                // A symmetric relation written in both directions (CMeIE lists 7 of its 同义词 pairs so)
                // is one relation: the mirrored copy is merged. A relation written twice the same way
                // is a duplicate.
                if (!mirrored && options.duplicateRelations() == DuplicateRelationPolicy.ERROR) {
                    context.add(path, "duplicates relations[" + previous[0] + "] (type " + type.name() + ", head "
                            + writtenHead + ", tail " + writtenTail + ")");
                }
                continue;
            }
            relations.add(new Relation(type, head, tail));
        }
        return relations;
    }

    // ------------------------------------------------------------------------------------------
    // Field helpers: each reports a missing field or a wrong JSON kind and returns null.

    private static JsonNode requireArray(JsonNode parent, String field, Context context) throws DatasetException {
        JsonNode value = parent.get(field);
        if (value == null) {
            context.add(field, "missing field");
            return null;
        }
        if (!value.isArray()) {
            context.add(field, "expected an array, found " + kind(value));
            return null;
        }
        return value;
    }

    private static JsonNode requireObject(JsonNode parent, String field, String prefix, Context context)
            throws DatasetException {
        JsonNode value = parent.get(field);
        if (value == null) {
            context.add(prefix + field, "missing field");
            return null;
        }
        if (!value.isObject()) {
            context.add(prefix + field, "expected an object, found " + kind(value));
            return null;
        }
        return value;
    }

    private static String requireText(JsonNode parent, String field, String prefix, Context context)
            throws DatasetException {
        JsonNode value = parent.get(field);
        if (value == null) {
            context.add(prefix + field, "missing field");
            return null;
        }
        if (!value.isTextual()) {
            context.add(prefix + field, "expected a string, found " + kind(value));
            return null;
        }
        return value.textValue();
    }

    private static Integer requireInt(JsonNode parent, String field, String prefix, Context context)
            throws DatasetException {
        JsonNode value = parent.get(field);
        if (value == null) {
            context.add(prefix + field, "missing field");
            return null;
        }
        if (!value.isIntegralNumber()) {
            context.add(prefix + field, "expected an integer, found " + kind(value) + " " + abbreviate(value.toString()));
            return null;
        }
        if (!value.canConvertToInt()) {
            context.add(prefix + field, "= " + value.asText() + " is out of the int range");
            return null;
        }
        return value.intValue();
    }

    private static Boolean requireBoolean(JsonNode parent, String field, String prefix, Context context)
            throws DatasetException {
        JsonNode value = parent.get(field);
        if (value == null) {
            context.add(prefix + field, "missing field");
            return null;
        }
        if (!value.isBoolean()) {
            context.add(prefix + field, "expected true or false, found " + kind(value));
            return null;
        }
        return value.booleanValue();
    }

    /** The JSON kind of a node, as error messages name it. */
    static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isObject()) {
            return "object";
        }
        if (node.isArray()) {
            return "array";
        }
        if (node.isTextual()) {
            return "string";
        }
        if (node.isIntegralNumber()) {
            return "integer";
        }
        if (node.isNumber()) {
            return "number";
        }
        if (node.isBoolean()) {
            return "boolean";
        }
        if (node.isNull()) {
            return "null";
        }
        return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }

    private static String kind(JsonToken token) {
        switch (token) {
            case START_OBJECT: return "object";
            case START_ARRAY: return "array";
            case VALUE_STRING: return "string";
            case VALUE_NUMBER_INT: return "integer";
            case VALUE_NUMBER_FLOAT: return "number";
            case VALUE_TRUE:
            case VALUE_FALSE: return "boolean";
            case VALUE_NULL: return "null";
            default: return token.toString();
        }
    }

    private static String malformed(JsonProcessingException e) {
        // Jackson names the source as "[Source: REDACTED ...; line: 1, column: 1]"; keep the position only
        String detail = String.valueOf(e.getOriginalMessage())
                .replaceAll("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]", "line $1, column $2");
        return "malformed JSON " + at(e.getLocation()) + ": " + detail;
    }

    private static String at(JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "(position unknown)";
        }
        return "at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return abbreviate(quoted.append('"').toString());
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    private static String fileName(Path file) {
        Path name = file.getFileName();
        return name == null ? file.toString() : name.toString();
    }

    private static DatasetException cannotRead(String fileName, IOException cause) {
        return new DatasetException(new Problem(fileName, -1, null, "", "cannot read the file: " + cause), cause);
    }

    // ------------------------------------------------------------------------------------------

    /** Collects problems of one file; throws once {@code maxErrors} are collected. */
    private static final class ProblemCollector {
        private final String fileName;
        private final int maxErrors;
        private final List<Problem> problems = new ArrayList<>();

        ProblemCollector(String fileName, int maxErrors) {
            this.fileName = fileName;
            this.maxErrors = maxErrors;
        }

        void add(Problem problem) throws DatasetException {
            problems.add(problem);
            if (problems.size() >= maxErrors) {
                // with maxErrors == 1 ("fail fast") this is simply the one problem found
                throw new DatasetException(problems, maxErrors > 1, null);
            }
        }

        /** A problem after which reading cannot go on (malformed JSON, wrong top level). */
        DatasetException fatal(int documentIndex, String detail, Throwable cause) {
            problems.add(new Problem(fileName, documentIndex, null, "", detail));
            return new DatasetException(problems, false, cause);
        }

        void throwIfAny() throws DatasetException {
            if (!problems.isEmpty()) {
                throw new DatasetException(problems, false, null);
            }
        }
    }

    /** Where in the file we are: adds the file name, document index and orig_id to problems. */
    private static final class Context {
        private final ProblemCollector collector;
        private final int documentIndex;
        private String origId;
        private int problemCount;

        Context(ProblemCollector collector, int documentIndex) {
            this.collector = collector;
            this.documentIndex = documentIndex;
        }

        void add(String field, String detail) throws DatasetException {
            problemCount++;
            collector.add(new Problem(collector.fileName, documentIndex, origId, field, detail));
        }
    }
}
