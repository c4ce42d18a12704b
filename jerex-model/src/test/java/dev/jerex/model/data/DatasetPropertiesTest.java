package dev.jerex.model.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jerex.testing.SeededCases;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Properties of reading and writing: valid documents survive a round trip unchanged, and no
 * corruption of a file makes the reader fail with anything but a {@link DatasetException}. Inputs
 * come from seeded generators ({@link SeededCases}); a failure names the case and its input.
 */
class DatasetPropertiesTest {
    private static final long SEED = 20261126L;

    private static final Types TYPES = TestData.tinyTypes();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] JSON_SNIPPETS = {
        "{", "}", "[", "]", ",", ":", "\"", "null", "true", "-1", "0", "1.5", "1e400", "99999999999",
        "\"None\"", "\"Near\"", "\"tokens\"", "\"\"", "\" \"", "{}", "[]", "\\u0000", "\uFEFF", "\r\n", "/*", "NaN"
    };

    // ------------------------------------------------------------------------------------------ round trip

    @Test
    void validDocumentsRoundTrip() {
        SeededCases.check(SEED, 200, DatasetPropertiesTest::randomDocuments, documents -> {
            byte[] json = write(documents);

            List<Document> readBack = new DatasetReader().readDocuments("random.json", new ByteArrayInputStream(json), TYPES);

            assertThat(readBack).isEqualTo(documents);
        });
    }

    @Test
    void typesRoundTrip() {
        SeededCases.check(SEED, 50, DatasetPropertiesTest::randomTypes, types -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DatasetWriter.writeTypes(out, types);

            Types readBack = new DatasetReader().readTypes("types.json", new ByteArrayInputStream(out.toByteArray()));

            assertThat(readBack).isEqualTo(types);
        });
    }

    // ------------------------------------------------------------------------------------------ corruption

    /** A valid value and the seed of the corruption applied to its file. */
    private record Corrupted<T>(T original, long corruptionSeed) {}

    @Test
    void corruptedBytesGiveOnlyDatasetExceptions() {
        SeededCases.check(SEED, 500, random -> new Corrupted<>(randomDocuments(random), random.nextLong()), c -> {
            byte[] corrupted = corruptBytes(write(c.original()), new Random(c.corruptionSeed()));

            assertOnlyDatasetException(corrupted);
        });
    }

    @Test
    void corruptedTreesGiveOnlyDatasetExceptions() {
        SeededCases.check(SEED, 500, random -> new Corrupted<>(randomDocuments(random), random.nextLong()), c -> {
            JsonNode tree = MAPPER.readTree(write(c.original()));
            Random random = new Random(c.corruptionSeed());
            int corruptions = 1 + random.nextInt(3);
            for (int i = 0; i < corruptions; i++) {
                tree = corruptTree(tree, random);
            }

            assertOnlyDatasetException(MAPPER.writeValueAsBytes(tree));
        });
    }

    @Test
    void corruptedTypesGiveOnlyDatasetExceptions() {
        SeededCases.check(SEED, 200, random -> new Corrupted<>(randomTypes(random), random.nextLong()), c -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DatasetWriter.writeTypes(out, c.original());
            Random random = new Random(c.corruptionSeed());
            byte[] corrupted = random.nextBoolean()
                    ? corruptBytes(out.toByteArray(), random)
                    : MAPPER.writeValueAsBytes(corruptTree(MAPPER.readTree(out.toByteArray()), random));

            try {
                new DatasetReader().readTypes("types.json", new ByteArrayInputStream(corrupted));
            } catch (DatasetException expected) {
                assertThat(expected.getMessage()).startsWith("types.json: ");
            }
        });
    }

    private static void assertOnlyDatasetException(byte[] json) {
        for (ReaderOptions options : List.of(ReaderOptions.defaults(), ReaderOptions.defaults().failFast())) {
            try {
                List<Document> documents = new DatasetReader(options)
                        .readDocuments("corrupt.json", new ByteArrayInputStream(json), TYPES);
                // whatever was accepted must satisfy the invariants
                for (Document document : documents) {
                    assertThat(document.tokens()).isNotEmpty().allSatisfy(token -> assertThat(token).isNotEmpty());
                    for (Relation relation : document.relations()) {
                        if (relation.type().symmetric()) {
                            assertThat(document.head(relation).start()).isLessThanOrEqualTo(document.tail(relation).start());
                        }
                    }
                }
            } catch (DatasetException expected) {
                assertThat(expected.getMessage()).startsWith("corrupt.json: ");
                assertThat(expected.problems()).isNotEmpty().hasSizeLessThanOrEqualTo(options.maxErrors());
            }
        }
    }

    // ------------------------------------------------------------------------------------------ generators

    /** 0-4 entity and 0-4 relation types with random names and descriptions. */
    private static Types randomTypes(Random random) {
        Types.Builder builder = Types.builder();
        int entityTypes = random.nextInt(5);
        for (int i = 0; i < entityTypes; i++) {
            builder.entity("E" + i + randomText(random, 3), randomText(random, 4), randomText(random, 6));
        }
        int relationTypes = random.nextInt(5);
        for (int i = 0; i < relationTypes; i++) {
            builder.relation("R" + i + randomText(random, 3), randomText(random, 4), randomText(random, 6),
                    random.nextBoolean());
        }
        return builder.build();
    }

    /** 0-4 valid documents: arbitrary text tokens, spans, relations normalised and deduplicated. */
    static List<Document> randomDocuments(Random random) {
        int count = random.nextInt(5);
        List<Document> documents = new ArrayList<>();
        for (int index = 0; index < count; index++) {
            int wordCount = 1 + random.nextInt(12);
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < wordCount; i++) {
                tokens.add(random.nextInt(10) == 0 ? " " : randomText(random, 1 + random.nextInt(6)));
            }
            List<Entity> entities = new ArrayList<>();
            int entityCount = random.nextInt(6);
            for (int i = 0; i < entityCount; i++) {
                int start = random.nextInt(wordCount);
                int end = start + 1 + random.nextInt(wordCount - start);
                entities.add(new Entity(TYPES.entityType(1 + random.nextInt(3)), start, end));
            }
            List<Relation> relations = new ArrayList<>();
            Set<List<Integer>> seen = new HashSet<>();
            if (entityCount >= 2) {
                int relationCount = random.nextInt(5);
                for (int i = 0; i < relationCount; i++) {
                    int head = random.nextInt(entityCount);
                    int tail = random.nextInt(entityCount);
                    if (head == tail) {
                        continue;
                    }
                    RelationType type = TYPES.relationType(random.nextInt(3));
                    if (type.symmetric() && entities.get(tail).start() < entities.get(head).start()) {
                        int swap = head;
                        head = tail;
                        tail = swap;
                    }
                    if (seen.add(List.of(head, tail, type.index()))) {
                        relations.add(new Relation(type, head, tail));
                    }
                }
            }
            String origId = switch (random.nextInt(4)) {
                case 0 -> null;
                case 1 -> Integer.toString(random.nextInt(100000) - 100);
                case 2 -> new BigInteger(80, random).toString();
                default -> randomText(random, random.nextInt(6));
            };
            documents.add(new Document(index, origId, tokens, entities, relations));
        }
        return documents;
    }

    /** Text from ASCII, Latin, CJK, control characters and emoji (valid UTF-16 only). */
    private static String randomText(Random random, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(6)) {
                case 0 -> text.append((char) ('a' + random.nextInt(26)));
                case 1 -> text.append((char) (0x4E00 + random.nextInt(0x5000)));
                case 2 -> text.append((char) random.nextInt(0x20));
                case 3 -> text.append("\"\\/é".charAt(random.nextInt(4)));
                case 4 -> text.appendCodePoint(0x1F600 + random.nextInt(50));
                default -> text.append((char) ('A' + random.nextInt(26)));
            }
        }
        return text.toString();
    }

    private static byte[] write(List<Document> documents) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DatasetWriter.writeDocuments(out, documents);
        return out.toByteArray();
    }

    /** Truncates, deletes, inserts or overwrites bytes (possibly producing invalid UTF-8). */
    private static byte[] corruptBytes(byte[] json, Random random) {
        List<Byte> bytes = new ArrayList<>();
        for (byte b : json) {
            bytes.add(b);
        }
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int position = bytes.isEmpty() ? 0 : random.nextInt(bytes.size() + 1);
            switch (random.nextInt(4)) {
                case 0 -> bytes.subList(position, bytes.size()).clear();
                case 1 -> bytes.subList(position, Math.min(bytes.size(), position + 1 + random.nextInt(8))).clear();
                case 2 -> {
                    byte[] snippet = JSON_SNIPPETS[random.nextInt(JSON_SNIPPETS.length)].getBytes(StandardCharsets.UTF_8);
                    for (int i = snippet.length - 1; i >= 0; i--) {
                        bytes.add(position, snippet[i]);
                    }
                }
                default -> {
                    if (position < bytes.size()) {
                        bytes.set(position, (byte) random.nextInt(256));
                    }
                }
            }
        }
        byte[] result = new byte[bytes.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = bytes.get(i);
        }
        return result;
    }

    /** Replaces one random node of the tree (or adds / removes a field) with a random JSON value. */
    private static JsonNode corruptTree(JsonNode root, Random random) {
        List<JsonNode> containers = new ArrayList<>();
        collectContainers(root, containers);
        if (containers.isEmpty() || random.nextInt(20) == 0) {
            return randomValue(random);
        }
        JsonNode container = containers.get(random.nextInt(containers.size()));
        if (container instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            if (names.isEmpty() || random.nextInt(5) == 0) {
                object.set(random.nextBoolean() ? "extra" : "orig_id", randomValue(random));
            } else if (random.nextInt(4) == 0) {
                object.remove(names.get(random.nextInt(names.size())));
            } else {
                object.set(names.get(random.nextInt(names.size())), randomValue(random));
            }
        } else if (container instanceof ArrayNode array) {
            if (array.isEmpty() || random.nextInt(4) == 0) {
                array.add(randomValue(random));
            } else if (random.nextInt(4) == 0) {
                array.remove(random.nextInt(array.size()));
            } else {
                array.set(random.nextInt(array.size()), randomValue(random));
            }
        }
        return root;
    }

    private static void collectContainers(JsonNode node, List<JsonNode> containers) {
        if (node.isContainerNode()) {
            containers.add(node);
            Iterator<JsonNode> children = node.elements();
            while (children.hasNext()) {
                collectContainers(children.next(), containers);
            }
        }
    }

    private static JsonNode randomValue(Random random) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        return switch (random.nextInt(12)) {
            case 0 -> nodes.nullNode();
            case 1 -> nodes.numberNode(random.nextInt(20) - 5);
            case 2 -> nodes.numberNode(new BigInteger("123456789012345678901234567890"));
            case 3 -> nodes.numberNode(random.nextDouble() * 10);
            case 4 -> nodes.booleanNode(random.nextBoolean());
            case 5 -> nodes.textNode(List.of("Peop", "Org", "Loc", "None", "Near", "Work_For", "", " ", "x")
                    .get(random.nextInt(9)));
            case 6 -> nodes.arrayNode();
            case 7 -> nodes.objectNode();
            case 8 -> nodes.arrayNode().add("a").add(" ");
            case 9 -> nodes.objectNode().put("type", "Peop").put("start", random.nextInt(4)).put("end", random.nextInt(4));
            case 10 -> nodes.objectNode().put("type", "Near").put("head", random.nextInt(3)).put("tail", random.nextInt(3));
            default -> nodes.numberNode(Long.MAX_VALUE);
        };
    }

}
