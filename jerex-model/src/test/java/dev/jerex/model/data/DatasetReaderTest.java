package dev.jerex.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.jerex.model.data.ReaderOptions.BlankTokenPolicy;
import dev.jerex.model.data.ReaderOptions.DuplicateRelationPolicy;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReaderTest {

    private static final Types TYPES = TestData.tinyTypes();

    @TempDir
    Path directory;

    private final DatasetReader reader = new DatasetReader();

    // ---------------------------------------------------------------------------- valid input

    @Test
    void readsTypesWithNoneAtIndexZero() throws Exception {
        Types types = reader.readTypes(TestData.resource("tiny_types.json"));

        assertThat(types).isEqualTo(TYPES);
        assertThat(types.entityTypeCount()).isEqualTo(4);
        assertThat(types.noneEntityType().name()).isEqualTo("None");
        assertThat(types.entityType("Org").orElseThrow().index()).isEqualTo(2);
        assertThat(types.entityType("Org").orElseThrow().verbose()).isEqualTo("Organization");
        assertThat(types.relationTypeCount()).isEqualTo(3);
        assertThat(types.relationType("Work_For").orElseThrow().index()).isZero();
        assertThat(types.relationType("Work_For").orElseThrow().shortName()).isEqualTo("Work");
        assertThat(types.relationType("Near").orElseThrow().symmetric()).isTrue();
        assertThat(types.relationType("Unknown")).isEmpty();
    }

    @Test
    void readsDocuments() throws Exception {
        List<Document> documents = reader.readDocuments(TestData.resource("tiny_dataset.json"), TYPES);

        assertThat(documents).hasSize(3);
        Document first = documents.get(0);
        assertThat(first.index()).isZero();
        assertThat(first.origId()).isEqualTo("95");
        assertThat(first.tokens()).hasSize(9).startsWith("Bruno", "Pusterla");
        assertThat(first.entities()).containsExactly(
                new Entity(TYPES.entityType("Peop").orElseThrow(), 0, 2),
                new Entity(TYPES.entityType("Org").orElseThrow(), 5, 8));
        assertThat(first.relations()).containsExactly(
                new Relation(TYPES.relationType("Work_For").orElseThrow(), 0, 1));
        assertThat(documents.get(1).origId()).isEqualTo("doc-2");
        assertThat(documents.get(2).origId()).isNull();
        assertThat(documents.get(2).entities()).isEmpty();
    }

    @Test
    void symmetricRelationGetsTheEarlierEntityAsHead() throws Exception {
        // document 1: Near(head = Matanzas [3,4), tail = Havana [0,1)) is stored as Near(Havana, Matanzas)
        Document document = reader.readDocuments(TestData.resource("tiny_dataset.json"), TYPES).get(1);

        assertThat(document.relations()).containsExactly(new Relation(TYPES.relationType("Near").orElseThrow(), 0, 1));
    }

    @Test
    void asymmetricRelationKeepsItsDirection() throws Exception {
        List<Document> documents = read(doc("[\"a\",\"b\"]", "[" + entity("Peop", 0, 1) + "," + entity("Org", 1, 2) + "]",
                "[" + relation("Work_For", 1, 0) + "]"));

        assertThat(documents.get(0).relations().get(0).head()).isEqualTo(1);
    }

    @Test
    void acceptsByteOrderMarkAndCrlf() throws Exception {
        String json = "[{\"tokens\": [\"a\", \"b\"],\r\n \"entities\": [{\"type\": \"Peop\", \"start\": 0, \"end\": 1}],\r\n"
                + " \"relations\": [], \"orig_id\": 7}]\r\n";
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[body.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(body, 0, withBom, 3, body.length);
        Path file = Files.write(directory.resolve("bom.json"), withBom);

        List<Document> documents = reader.readDocuments(file, TYPES);

        assertThat(documents).hasSize(1);
        assertThat(documents.get(0).origId()).isEqualTo("7");

        byte[] typesBody = Files.readAllBytes(TestData.resource("tiny_types.json"));
        byte[] typesWithBom = new byte[typesBody.length + 3];
        System.arraycopy(withBom, 0, typesWithBom, 0, 3);
        System.arraycopy(typesBody, 0, typesWithBom, 3, typesBody.length);
        Path typesFile = Files.write(directory.resolve("types_bom.json"),
                new String(typesWithBom, StandardCharsets.UTF_8).replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
        assertThat(reader.readTypes(typesFile)).isEqualTo(TYPES);
    }

    @Test
    void keepsWhitespaceTokensByDefault() throws Exception {
        // CMeIE has thousands of " " tokens: a space is a character of the text
        List<Document> documents = read(doc("[\"糖\",\" \",\"病\"]", "[" + entity("Peop", 0, 3) + "]", "[]"));

        assertThat(documents.get(0).tokens()).containsExactly("糖", " ", "病");
    }

    @Test
    void keepAllPolicyAcceptsEmptyTokens() throws Exception {
        DatasetReader lenient = new DatasetReader(ReaderOptions.defaults().withBlankTokens(BlankTokenPolicy.KEEP_ALL));
        Path file = TestData.write(directory, "empty_token.json", "[" + doc("[\"a\",\"\"]", "[]", "[]") + "]");

        assertThat(lenient.readDocuments(file, TYPES).get(0).tokens()).containsExactly("a", "");
    }

    @Test
    void ignoresUnknownFields() throws Exception {
        List<Document> documents = read("{\"tokens\": [\"a\"], \"entities\": [], \"relations\": [], \"extra\": {\"x\": 1}}");

        assertThat(documents).hasSize(1);
    }

    @Test
    void symmetricRelationInBothDirectionsIsOneRelation() throws Exception {
        // CMeIE lists some 同义词 (synonym) pairs in both directions
        List<Document> documents = read(doc("[\"a\",\"b\"]", "[" + entity("Loc", 0, 1) + "," + entity("Loc", 1, 2) + "]",
                "[" + relation("Near", 1, 0) + "," + relation("Near", 0, 1) + "]"));

        assertThat(documents.get(0).relations()).containsExactly(new Relation(TYPES.relationType("Near").orElseThrow(), 0, 1));
    }

    @Test
    void duplicateRelationsCanBeDropped() throws Exception {
        DatasetReader dropping = new DatasetReader(
                ReaderOptions.defaults().withDuplicateRelations(DuplicateRelationPolicy.DROP));
        Path file = TestData.write(directory, "dup.json", "[" + doc("[\"a\",\"b\"]",
                "[" + entity("Loc", 0, 1) + "," + entity("Loc", 1, 2) + "]",
                "[" + relation("Near", 0, 1) + "," + relation("Near", 0, 1) + "]") + "]");

        assertThat(dropping.readDocuments(file, TYPES).get(0).relations()).hasSize(1);
    }

    // ---------------------------------------------------------------------------- error messages

    @Test
    void endNotAfterStartNamesFileDocumentOrigIdAndField() {
        String documents = doc("[\"a\"]", "[]", "[]") + ","
                + "{\"tokens\": [\"a\",\"b\",\"c\",\"d\"], \"entities\": [" + entity("Peop", 0, 1) + ","
                + entity("Org", 1, 2) + "," + entity("Loc", 3, 3) + "], \"relations\": [], \"orig_id\": 5123}";

        DatasetException error = readFailing("conll04_train.json", documents);

        assertThat(error).hasMessage("conll04_train.json: document 1 (orig_id 5123): entities[2].end = 3 <= start 3");
        assertThat(error.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.documentIndex()).isEqualTo(1);
            assertThat(problem.origId()).isEqualTo("5123");
            assertThat(problem.field()).isEqualTo("entities[2].end");
        });
    }

    @Test
    void malformedJsonReportsLineAndColumn() {
        Path file = TestData.write(directory, "bad.json", "[\n  {\"tokens\": [\"a\",]}\n]");

        assertThatThrownBy(() -> reader.readDocuments(file, TYPES))
                .isInstanceOf(DatasetException.class)
                .hasMessageStartingWith("bad.json: document 0: malformed JSON at line 2, column ");
    }

    @Test
    void truncatedFileIsMalformed() {
        assertError("[" + doc("[\"a\"]", "[]", "[]") + ", {\"tokens\": [\"a\"", "malformed JSON at line 1");
        assertError("[" + doc("[\"a\"]", "[]", "[]"), "malformed JSON at line 1, column 52: Unexpected end-of-input: "
                + "expected close marker for Array (start marker at line 1, column 1)");
    }

    @Test
    void emptyFileAndWrongTopLevel() {
        assertError("", "empty file");
        assertError(" {\"tokens\": []}", "expected a JSON array of documents at the top level, found object");
        assertError("[] []", "unexpected content after the closing ]");
    }

    @Test
    void documentThatIsNotAnObject() {
        assertThat(readFailing("[1, 2]".substring(1, 5))).hasMessage("data.json: 2 errors:"
                + System.lineSeparator() + "  data.json: document 0: expected a JSON object, found integer"
                + System.lineSeparator() + "  data.json: document 1: expected a JSON object, found integer");
        assertError("[[\"a\"]]", "document 0: expected a JSON object, found array");
        assertError("[null]", "document 0: expected a JSON object, found null");
    }

    @Test
    void missingFields() {
        assertError("{\"entities\": [], \"relations\": []}", "document 0: tokens: missing field");
        assertError("{\"tokens\": [\"a\"], \"relations\": []}", "document 0: entities: missing field");
        assertError("{\"tokens\": [\"a\"], \"entities\": []}", "document 0: relations: missing field");
        assertError(doc("[\"a\"]", "[{\"type\": \"Peop\", \"start\": 0}]", "[]"), "entities[0].end: missing field");
        assertError(doc("[\"a\"]", "[{\"start\": 0, \"end\": 1}]", "[]"), "entities[0].type: missing field");
        assertError(doc("[\"a\",\"b\"]", "[" + entity("Peop", 0, 1) + "," + entity("Org", 1, 2) + "]",
                "[{\"type\": \"Work_For\", \"head\": 0}]"), "relations[0].tail: missing field");
    }

    @Test
    void wrongFieldTypes() {
        assertError(doc("\"a b\"", "[]", "[]"), "tokens: expected an array, found string");
        assertError(doc("[\"a\", 3]", "[]", "[]"), "tokens[1]: expected a string, found integer");
        assertError(doc("[\"a\"]", "{}", "[]"), "entities: expected an array, found object");
        assertError(doc("[\"a\"]", "[]", "null"), "relations: expected an array, found null");
        assertError(doc("[\"a\"]", "[[0, 1]]", "[]"), "entities[0]: expected an object");
        assertError(doc("[\"a\"]", "[{\"type\": \"Peop\", \"start\": \"0\", \"end\": 1}]", "[]"),
                "entities[0].start: expected an integer, found string \"0\"");
        assertError(doc("[\"a\"]", "[{\"type\": \"Peop\", \"start\": 0, \"end\": 1.0}]", "[]"),
                "entities[0].end: expected an integer, found number 1.0");
        assertError(doc("[\"a\"]", "[{\"type\": 1, \"start\": 0, \"end\": 1}]", "[]"),
                "entities[0].type: expected a string, found integer");
        assertError(doc("[\"a\"]", "[{\"type\": \"Peop\", \"start\": 0, \"end\": 99999999999}]", "[]"),
                "entities[0].end = 99999999999 is out of the int range");
        assertError("{\"tokens\": [\"a\"], \"entities\": [], \"relations\": [], \"orig_id\": 1.5}",
                "orig_id: expected a string or an integer, found number");
        assertError(doc("[\"a\",\"b\"]", "[" + entity("Peop", 0, 1) + "," + entity("Org", 1, 2) + "]",
                "[{\"type\": \"Work_For\", \"head\": \"0\", \"tail\": 1}]"),
                "relations[0].head: expected an integer, found string");
    }

    @Test
    void spanOutOfRange() {
        assertError(doc("[\"a\",\"b\"]", "[" + entity("Peop", 1, 3) + "]", "[]"),
                "document 0: entities[0].end = 3 > number of tokens 2");
        assertError(doc("[\"a\",\"b\"]", "[" + entity("Peop", -1, 1) + "]", "[]"),
                "document 0: entities[0].start = -1 < 0");
        assertError(doc("[\"a\",\"b\"]", "[" + entity("Peop", 2, 1) + "]", "[]"),
                "document 0: entities[0].end = 1 <= start 2");
    }

    @Test
    void unknownTypes() {
        assertError(doc("[\"a\"]", "[" + entity("Person", 0, 1) + "]", "[]"),
                "entities[0].type: unknown entity type \"Person\" (known: Peop, Org, Loc)");
        assertError(doc("[\"a\"]", "[" + entity("None", 0, 1) + "]", "[]"),
                "entities[0].type: unknown entity type \"None\"");
        assertError(doc("[\"a\",\"b\"]", "[" + entity("Peop", 0, 1) + "," + entity("Org", 1, 2) + "]",
                "[" + relation("Kill", 0, 1) + "]"),
                "relations[0].type: unknown relation type \"Kill\" (known: Work_For, Live_In, Near)");
    }

    @Test
    void headOrTailOutOfRange() {
        String entities = "[" + entity("Peop", 0, 1) + "," + entity("Org", 1, 2) + "]";
        assertError(doc("[\"a\",\"b\"]", entities, "[" + relation("Work_For", 2, 1) + "]"),
                "relations[0].head = 2 is not an entity index (the document has 2 entities)");
        assertError(doc("[\"a\",\"b\"]", entities, "[" + relation("Work_For", 0, -1) + "]"),
                "relations[0].tail = -1 is not an entity index (the document has 2 entities)");
    }

    @Test
    void headEqualsTail() {
        assertError(doc("[\"a\",\"b\"]", "[" + entity("Peop", 0, 1) + "," + entity("Org", 1, 2) + "]",
                "[" + relation("Work_For", 1, 1) + "]"),
                "relations[0]: head == tail = 1");
    }

    @Test
    void duplicateRelations() {
        String entities = "[" + entity("Peop", 0, 1) + "," + entity("Org", 1, 2) + "]";
        assertError(doc("[\"a\",\"b\"]", entities,
                        "[" + relation("Work_For", 0, 1) + "," + relation("Work_For", 0, 1) + "]"),
                "relations[1]: duplicates relations[0] (type Work_For, head 0, tail 1)");
        // same head and tail with another type is fine
        assertThat(readQuietly(doc("[\"a\",\"b\"]", entities,
                "[" + relation("Work_For", 0, 1) + "," + relation("Live_In", 0, 1) + "]"))).hasSize(1);
        // a symmetric relation listed twice in the same direction is a duplicate too
        assertError(doc("[\"a\",\"b\"]", entities, "[" + relation("Near", 1, 0) + "," + relation("Near", 1, 0) + "]"),
                "relations[1]: duplicates relations[0] (type Near, head 1, tail 0)");
    }

    @Test
    void emptyTokenListAndBlankTokens() {
        assertError(doc("[]", "[]", "[]"), "document 0: tokens: empty token list");
        assertError(doc("[\"a\", \"\"]", "[]", "[]"), "document 0: tokens[1]: empty token \"\"");

        DatasetReader strict = new DatasetReader(ReaderOptions.defaults().withBlankTokens(BlankTokenPolicy.REJECT_BLANK));
        Path file = TestData.write(directory, "blank.json", "[" + doc("[\"a\", \" \\t\"]", "[]", "[]") + "]");
        assertThatThrownBy(() -> strict.readDocuments(file, TYPES))
                .isInstanceOf(DatasetException.class)
                .hasMessage("blank.json: document 0: tokens[1]: whitespace-only token \" \\u0009\"");
    }

    @Test
    void duplicateKeysAreMalformed() {
        assertError("{\"tokens\": [\"a\"], \"tokens\": [\"b\"], \"entities\": [], \"relations\": []}",
                "Duplicate field 'tokens'");
    }

    @Test
    void collectsErrorsUpToTheLimit() {
        String bad = doc("[\"a\"]", "[" + entity("Peop", 0, 2) + "]", "[]");
        String documents = String.join(",", bad, bad, doc("[\"a\"]", "[]", "[]"), bad);

        DatasetException all = readFailing(documents);
        assertThat(all.problems()).extracting(DatasetException.Problem::documentIndex).containsExactly(0, 1, 3);
        assertThat(all.truncated()).isFalse();
        assertThat(all.getMessage()).startsWith("data.json: 3 errors:");

        DatasetReader limited = new DatasetReader(ReaderOptions.defaults().withMaxErrors(2));
        Path file = TestData.write(directory, "limited.json", "[" + documents + "]");
        DatasetException two = catchThrowableOfType(DatasetException.class, () -> limited.readDocuments(file, TYPES));
        assertThat(two.problems()).hasSize(2);
        assertThat(two.truncated()).isTrue();
        assertThat(two.getMessage()).contains("stopped at the error limit");

        DatasetReader failFast = new DatasetReader(ReaderOptions.defaults().failFast());
        DatasetException first = catchThrowableOfType(DatasetException.class, () -> failFast.readDocuments(file, TYPES));
        assertThat(first).hasMessage("limited.json: document 0: entities[0].end = 2 > number of tokens 1");
    }

    @Test
    void missingFileIsADatasetException() {
        assertThatThrownBy(() -> reader.readDocuments(directory.resolve("absent.json"), TYPES))
                .isInstanceOf(DatasetException.class)
                .hasMessageStartingWith("absent.json: cannot read the file");
    }

    // ---------------------------------------------------------------------------- types file errors

    @Test
    void typesFileErrors() {
        assertTypesError("[]", "expected a JSON object with \"entities\" and \"relations\", found array");
        assertTypesError("{\"entities\": {}}", "types.json: relations: missing field");
        assertTypesError("{\"entities\": {\"A\": {\"verbose\": \"a\"}}, \"relations\": {}}",
                "types.json: entities.A.short: missing field");
        assertTypesError("{\"entities\": {\"None\": {\"short\": \"N\", \"verbose\": \"n\"}}, \"relations\": {}}",
                "entities.None: the name \"None\" is reserved");
        assertTypesError("{\"entities\": {}, \"relations\": {\"R\": {\"short\": \"R\", \"verbose\": \"r\", \"symmetric\": \"no\"}}}",
                "types.json: relations.R.symmetric: expected true or false, found string");
        assertTypesError("{\"entities\": {}, \"relations\": {\"R\": 1}}", "relations.R: expected an object");
        assertTypesError("{\"entities\": {\"A\": }", "types.json: malformed JSON at line 1");
        assertTypesError("", "empty file");
        assertTypesError("{\"entities\": {}, \"relations\": {}} {}", "malformed JSON");
    }

    // ---------------------------------------------------------------------------- helpers

    private static String entity(String type, int start, int end) {
        return "{\"type\": \"" + type + "\", \"start\": " + start + ", \"end\": " + end + "}";
    }

    private static String relation(String type, int head, int tail) {
        return "{\"type\": \"" + type + "\", \"head\": " + head + ", \"tail\": " + tail + "}";
    }

    private static String doc(String tokens, String entities, String relations) {
        return "{\"tokens\": " + tokens + ", \"entities\": " + entities + ", \"relations\": " + relations + "}";
    }

    private List<Document> read(String documents) throws DatasetException {
        return reader.readDocuments(TestData.write(directory, "data.json", "[" + documents + "]"), TYPES);
    }

    private List<Document> readQuietly(String documents) {
        try {
            return read(documents);
        } catch (DatasetException e) {
            throw new AssertionError(e);
        }
    }

    private DatasetException readFailing(String documents) {
        return readFailing("data.json", documents);
    }

    private DatasetException readFailing(String fileName, String documents) {
        Path file = TestData.write(directory, fileName, "[" + documents + "]");
        DatasetException error = catchThrowableOfType(DatasetException.class, () -> reader.readDocuments(file, TYPES));
        assertThat(error).as("reading %s should fail", documents).isNotNull();
        return error;
    }

    /** Reads {@code json} as a whole file when it is not a list of documents. */
    private void assertError(String documentsOrFile, String expectedFragment) {
        String content = documentsOrFile.startsWith("{") ? "[" + documentsOrFile + "]" : documentsOrFile;
        Path file = TestData.write(directory, "data.json", content);
        assertThatThrownBy(() -> reader.readDocuments(file, TYPES))
                .isInstanceOf(DatasetException.class)
                .hasMessageStartingWith("data.json: ")
                .hasMessageContaining(expectedFragment);
    }

    private void assertTypesError(String json, String expectedFragment) {
        assertThatThrownBy(() -> reader.readTypes("types.json",
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(DatasetException.class)
                .hasMessageStartingWith("types.json: ")
                .hasMessageContaining(expectedFragment);
    }
}
