package dev.jerex.model.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jerex.model.TinyWorld;
import dev.jerex.model.api.Extraction;
import dev.jerex.model.api.Extractor;
import dev.jerex.model.api.TrainedModel;
import dev.jerex.model.cli.Main;
import dev.jerex.tensor.backend.Backends;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input matrix of issue #8, one nested group per row, through the surfaces a user touches:
 * the CLI ({@code train}, {@code eval}, {@code predict --text / --input}), {@link Extractor} and
 * {@link TrainedModel#load}. A bad input gives a one-line error naming the file, document, line or
 * field (never a stack trace alone), or is handled as documented in jerex-model/README.md
 * ("Reliability"); in a JSON Lines stream a bad line is reported and skipped and every other line is
 * processed. Rows already covered elsewhere (DatasetReaderTest, ModelDirectoryErrorsTest,
 * CliEndToEndTest) are listed in that table and not repeated here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputMatrixTest {
    @TempDir
    static Path tmp;
    static Path data, encoder, model;
    static Extractor extractor;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SENTENCE = "Alice Smith works for Acme Corp .";

    @BeforeAll
    static void train() throws Exception {
        TinyWorld world = new TinyWorld(20, 7);
        data = world.writeData(tmp.resolve("data"));
        encoder = world.writeEncoder(tmp.resolve("encoder"), 11);
        Cli run = Cli.run("train", "--train", data.resolve("train.json").toString(), "--dev", data.resolve("train.json").toString(),
                "--types", data.resolve("types.json").toString(), "--encoder", encoder.toString(), "--variant", "spert",
                "--epochs", "40", "--lr", "1e-3", "--backend", "java", "--quiet", "--eval-last-only", "--out", tmp.resolve("run").toString());
        assertThat(run.rc).as(run.err).isZero();
        model = tmp.resolve("run/final");
        extractor = Extractor.load(model, Backends.java(), null);
    }

    @AfterAll
    static void close() {
        extractor.close();
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    /** One CLI run: exit code, standard output and standard error. */
    record Cli(int rc, String out, String err) {
        static Cli run(String... args) {
            PrintStream savedOut = System.out, savedErr = System.err;
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                return new Cli(Main.execute(args), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
            } finally {
                System.setOut(savedOut);
                System.setErr(savedErr);
            }
        }

        /** Failed with a message that names each fragment, and no stack trace. */
        Cli failsNaming(String... fragments) {
            assertThat(rc).as("exit code; stderr: %s", err).isEqualTo(1);
            assertThat(err).contains(fragments).doesNotContain("\tat ");
            return this;
        }
    }

    static Path write(String name, String content) throws IOException {
        return Files.writeString(tmp.resolve(name), content, StandardCharsets.UTF_8);
    }

    static Path write(String name, byte[]... parts) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) all.writeBytes(p);
        return Files.write(tmp.resolve(name), all.toByteArray());
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** predict --input FILE --out FILE.out; returns the run and the output lines. */
    static Cli predict(Path input, String... extra) {
        List<String> args = new ArrayList<>(List.of("predict", "--model", model.toString(), "--input", input.toString(),
                "--out", input + ".out", "--backend", "java"));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    static List<JsonNode> outputLines(Path input) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(input + ".out"))) out.add(JSON.readTree(line));
        return out;
    }

    static Cli eval(Path dataFile) {
        return Cli.run("eval", "--model", model.toString(), "--data", dataFile.toString(), "--backend", "java");
    }

    /** Every entity's character span is in the text and cuts out exactly the entity's text. */
    static void offsetsMapBack(Extraction e) {
        for (Extraction.Entity en : e.entities()) {
            assertThat(e.text().substring(en.charStart(), en.charEnd())).isEqualTo(en.text());
            assertThat(en.text()).startsWith(e.tokens().get(en.start())).endsWith(e.tokens().get(en.end() - 1));
        }
    }

    /** (type, first word, end word) of each entity: what must not change under harmless noise. */
    static List<String> spans(Extraction e) {
        return e.entities().stream().map(en -> en.type() + "[" + en.start() + "," + en.end() + ")").toList();
    }

    static Path copyModel(String name) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(model)) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }

    static final String GOOD_DOC = "{\"tokens\": [\"Bob\", \"lives\", \"in\", \"Paris\", \".\"], "
            + "\"entities\": [{\"type\": \"Peop\", \"start\": 0, \"end\": 1}, {\"type\": \"Loc\", \"start\": 3, \"end\": 4}], "
            + "\"relations\": [{\"type\": \"Live_In\", \"head\": 0, \"tail\": 1}]}";

    // ---------------------------------------------------------------------------------------------
    // The matrix

    @Nested
    class MalformedJson {
        @Test
        void aMalformedJsonArrayInputNamesTheFileAndPosition() throws IOException {
            Path in = write("broken.json", "[\"Bob lives in Paris .\", {\"tokens\": [\"Bob\"");
            predict(in).failsNaming("broken.json", "malformed JSON at line 1");
        }

        @Test
        void aMalformedDataFileInEvalNamesTheFileAndPosition() throws IOException {
            eval(write("broken-data.json", "[" + GOOD_DOC + ",\n {\"tokens\": [\"a\" \"b\"]}]"))
                    .failsNaming("broken-data.json", "malformed JSON at line 2");
        }
    }

    @Nested
    class WrongFieldTypes {
        @Test
        void aJsonLinesItemOfTheWrongShapeIsSkippedAndTheOthersProcessed() throws IOException {
            Path in = write("shapes.jsonl", String.join("\n", "{\"text\": 5}", "\"" + SENTENCE + "\"", "{\"tokens\": \"Bob\"}",
                    "{\"tokens\": [\"Bob\", null]}", "[\"Bob\", \"lives\", \"in\", \"Paris\", \".\"]", "42"));
            Cli run = predict(in);
            assertThat(run.rc).isEqualTo(3);
            assertThat(run.err).contains("shapes.jsonl: line 1: expected a string", "shapes.jsonl: line 3: expected",
                    "shapes.jsonl: line 4: tokens[1] is not a string", "shapes.jsonl: line 6: expected", "2 lines processed, 4 skipped");
            assertThat(outputLines(in)).extracting(n -> n.path("line").asInt()).containsExactly(2, 5);
        }

        @Test
        void aWrongFieldTypeInAnEvalFileNamesDocumentAndField() throws IOException {
            eval(write("types-wrong.json", "[" + GOOD_DOC + ", {\"tokens\": [\"Bob\"], \"entities\": [{\"type\": \"Peop\", "
                    + "\"start\": \"0\", \"end\": 1}], \"relations\": []}]"))
                    .failsNaming("types-wrong.json: document 1: entities[0].start: expected an integer, found string");
        }
    }

    @Nested
    class SpansOutOfRangeOrReversed {
        @Test
        void evalNamesTheDocumentAndTheSpan() throws IOException {
            eval(write("reversed.json", "[{\"tokens\": [\"Bob\", \"lives\"], \"entities\": [{\"type\": \"Peop\", \"start\": 1, \"end\": 0}],"
                    + " \"relations\": []}]")).failsNaming("reversed.json: document 0: entities[0].end");
            eval(write("outside.json", "[{\"tokens\": [\"Bob\"], \"entities\": [{\"type\": \"Peop\", \"start\": 0, \"end\": 9}],"
                    + " \"relations\": []}]")).failsNaming("outside.json: document 0: entities[0].end");
        }
    }

    @Nested
    class EmptyDocumentsAndTokenLists {
        @Test
        void anEmptyTokenListPredictsNothingAndIsNotAnError() throws IOException {
            assertThat(extractor.extractTokens(List.of())).isEqualTo(new Extraction(null, List.of(), List.of(), List.of()));
            Path in = write("empty-tokens.jsonl", "[]\n{\"tokens\": []}\n\"" + SENTENCE + "\"\n");
            Cli run = predict(in);
            assertThat(run.rc).as(run.err).isZero();
            List<JsonNode> out = outputLines(in);
            assertThat(out).extracting(n -> n.path("line").asInt()).containsExactly(1, 2, 3);
            assertThat(out.get(0).path("entities")).isEmpty();
        }

        @Test
        void anEmptyDatasetIsAnErrorForTrainingAndEvaluation() throws IOException {
            Path empty = write("no-docs.json", "[]");
            Cli.run("train", "--train", empty.toString(), "--types", data.resolve("types.json").toString(), "--encoder", encoder.toString(),
                    "--epochs", "1", "--backend", "java", "--quiet", "--out", tmp.resolve("empty-run").toString())
                    .failsNaming("no-docs.json", "no documents");
            eval(empty).failsNaming("no-docs.json", "no documents");
        }

        @Test
        void aDocumentWithNoTokensNamesTheDocument() throws IOException {
            eval(write("no-tokens.json", "[" + GOOD_DOC + ", {\"tokens\": [], \"entities\": [], \"relations\": []}]"))
                    .failsNaming("no-tokens.json: document 1: tokens: empty token list");
        }
    }

    @Nested
    class UnknownTypes {
        @Test
        void evalDataWithATypeTheModelDoesNotKnowNamesTypeAndField() throws IOException {
            eval(write("unknown-type.json", "[{\"tokens\": [\"Bob\"], \"entities\": [{\"type\": \"Person\", \"start\": 0, \"end\": 1}],"
                    + " \"relations\": []}]")).failsNaming("unknown-type.json: document 0: entities[0].type: unknown entity type \"Person\"");
            eval(write("unknown-relation.json", "[{\"tokens\": [\"Bob\", \"Paris\"], \"entities\": [{\"type\": \"Peop\", \"start\": 0, "
                    + "\"end\": 1}, {\"type\": \"Loc\", \"start\": 1, \"end\": 2}], \"relations\": [{\"type\": \"Born_In\", \"head\": 0, "
                    + "\"tail\": 1}]}]")).failsNaming("unknown-relation.json: document 0: relations[0].type: unknown relation type \"Born_In\"");
        }
    }

    @Nested
    class FiveThousandTokenDocument {
        /** 5,005 words, far beyond the tiny encoder's 62-piece window: split into windows, nothing cut. */
        @Test
        void isWindowedAndPredictedToTheLastWord() {
            int copies = 715;   // 7 words each
            String text = String.join(" ", java.util.Collections.nCopies(copies, SENTENCE));
            Extraction single = extractor.extract(SENTENCE), all = extractor.extract(text);
            assertThat(single.entities()).extracting(Extraction.Entity::text).contains("Alice Smith");
            assertThat(all.tokens()).hasSize(7 * copies);
            offsetsMapBack(all);
            // every copy, the last included, yields the single sentence's entities at its own position
            for (int copy : new int[] {0, copies / 2, copies - 1}) {
                int first = 7 * copy;
                List<String> found = all.entities().stream().filter(e -> e.start() >= first && e.end() <= first + 7)
                        .map(e -> e.type() + "[" + (e.start() - first) + "," + (e.end() - first) + ")").toList();
                assertThat(found).as("entities of copy %d", copy).containsAll(spans(single).subList(0, 1));
            }
            assertThat(all.entities().get(all.entities().size() - 1).end()).isGreaterThan(7 * copies - 7);
        }
    }

    @Nested
    class ControlCharacters {
        @Test
        void separateWordsLikeSpacesAndChangeNoPrediction() {
            Extraction clean = extractor.extract(SENTENCE);
            Extraction noisy = extractor.extract("Alice\u0000 Smith\u0007 works\u001b for\u0085 Acme\u200b Corp\u0003 .");
            assertThat(noisy.tokens()).isEqualTo(clean.tokens());
            assertThat(spans(noisy)).isEqualTo(spans(clean));
            offsetsMapBack(noisy);
        }

        @Test
        void insideTokensTheyAreDroppedByTheTokenizer() {
            Extraction clean = extractor.extractTokens(List.of("Alice", "Smith", "works", "for", "Acme", "Corp", "."));
            Extraction noisy = extractor.extractTokens(List.of("Alice\u0000", "Smi\u0007th", "works", "for", "Acme", "Corp", "\u0001"));
            assertThat(spans(noisy).subList(0, 1)).isEqualTo(spans(clean).subList(0, 1));
        }
    }

    @Nested
    class InvalidUtf8 {
        @Test
        void aJsonLinesLineWithInvalidUtf8IsReportedAndSkipped() throws IOException {
            Path in = write("bad-bytes.jsonl", utf8("\"" + SENTENCE + "\"\n\"Bob "), new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF},
                    utf8(" lives\"\n\"Globex is based in Tokyo .\"\n"));
            Cli run = predict(in);
            assertThat(run.rc).isEqualTo(3);
            assertThat(run.err).contains("bad-bytes.jsonl: line 2: invalid UTF-8 at byte 5", "2 lines processed, 1 skipped");
            assertThat(outputLines(in)).extracting(n -> n.path("line").asInt()).containsExactly(1, 3);
        }

        @Test
        void invalidUtf8InADataFileNamesFileAndPosition() throws IOException {
            int cut = GOOD_DOC.indexOf("Paris") + 3;   // inside the token "Paris"
            eval(write("bad-bytes.json", utf8("[" + GOOD_DOC.substring(0, cut)), new byte[] {(byte) 0xFF},
                    utf8(GOOD_DOC.substring(cut) + "]"))).failsNaming("bad-bytes.json: document 0: malformed JSON at line 1", "Invalid UTF-8");
        }

        @Test
        void invalidUtf8InAJsonArrayInputNamesTheFile() throws IOException {
            predict(write("bad-bytes-array.json", utf8("[\"Bob "), new byte[] {(byte) 0xFE}, utf8("\"]")))
                    .failsNaming("bad-bytes-array.json", "Invalid UTF-8");
        }

        /** JSON can escape half a surrogate pair, which UTF-8 output cannot carry: that line is skipped. */
        @Test
        void anEscapedUnpairedSurrogateCostsOnlyItsLine() throws IOException {
            Path in = write("surrogate.jsonl", "\"Bob \\ud800 lives in Paris .\"\n[\"Bob\", \"\\udc00\"]\n\"" + SENTENCE
                    + "\"\n\"\\ud83d\\ude00 paired is fine\"\n");
            Cli run = predict(in);
            assertThat(run.rc).isEqualTo(3);
            assertThat(run.err).contains("surrogate.jsonl: line 1: the text holds an unpaired UTF-16 surrogate \\ud800 at character 4",
                    "surrogate.jsonl: line 2: tokens[1] holds an unpaired", "2 lines processed, 2 skipped");
            assertThat(outputLines(in)).extracting(n -> n.path("line").asInt()).containsExactly(3, 4);
        }

        @Test
        void loneSurrogatesInAJavaStringAreWordsLikeAnyOther() {
            Extraction e = extractor.extract("Alice \ud800 Smith works\udc00 for Acme Corp .");
            assertThat(e.tokens()).contains("\ud800", "works\udc00");
            offsetsMapBack(e);
        }
    }

    @Nested
    class ByteOrderMark {
        @Test
        void isIgnoredInJsonLinesJsonArraysAndRawText() throws IOException {
            Path lines = write("bom.jsonl", "\uFEFF\"" + SENTENCE + "\"\n\"Bob lives in Paris .\"\n");
            assertThat(predict(lines).rc).isZero();
            assertThat(outputLines(lines).get(0).path("text").asText()).isEqualTo(SENTENCE);
            Path array = write("bom.json", "\uFEFF [\"" + SENTENCE + "\"]");
            Cli run = predict(array);
            assertThat(run.rc).as(run.err).isZero();
            assertThat(JSON.readTree(Path.of(array + ".out").toFile()).get(0).path("text").asText()).isEqualTo(SENTENCE);
            Extraction e = extractor.extract("\uFEFF" + SENTENCE);
            assertThat(e.tokens()).isEqualTo(extractor.extract(SENTENCE).tokens());
            offsetsMapBack(e);
        }
    }

    @Nested
    class Crlf {
        @Test
        void crlfLineEndsAreAcceptedAndNeverPartOfTheText() throws IOException {
            Path in = write("crlf.jsonl", "\"" + SENTENCE + "\"\r\n\r\n\"Bob lives in Paris .\"\r\n");
            assertThat(predict(in).rc).isZero();
            assertThat(outputLines(in)).extracting(n -> n.path("text").asText()).containsExactly(SENTENCE, "Bob lives in Paris .");
            Extraction e = extractor.extract("Alice Smith\r\nworks for\r\nAcme Corp .");
            assertThat(e.tokens()).isEqualTo(extractor.extract(SENTENCE).tokens());
            offsetsMapBack(e);
        }
    }

    @Nested
    class VeryLongToken {
        /** A 300-character word is kept verbatim and encoded as one [UNK] (BERT's 100-character limit). */
        @Test
        void isOneUnknownWordAndTheRestIsPredicted() throws IOException {
            String longWord = "x".repeat(300);
            Extraction e = extractor.extract("Alice Smith works for " + longWord + " .");
            assertThat(e.tokens()).containsExactly("Alice", "Smith", "works", "for", longWord, ".");
            assertThat(extractor.model().tokenizer().wordPieceIds(longWord)).containsExactly(extractor.model().tokenizer().unkId());
            assertThat(spans(e)).contains(spans(extractor.extract(SENTENCE)).get(0));
            offsetsMapBack(e);
            Path in = write("long-token.json", "[{\"tokens\": [\"Bob\", \"" + longWord + "\"], \"entities\": [{\"type\": \"Peop\", "
                    + "\"start\": 0, \"end\": 1}], \"relations\": []}]");
            Cli run = eval(in);
            assertThat(run.rc).as(run.err).isZero();
        }
    }

    @Nested
    class EmptyText {
        @Test
        void givesAnEmptyExtractionOnEverySurface() throws IOException {
            assertThat(extractor.extract("")).isEqualTo(new Extraction("", List.of(), List.of(), List.of()));
            Cli run = Cli.run("predict", "--model", model.toString(), "--text", "", "--backend", "java");
            assertThat(run.rc).as(run.err).isZero();
            assertThat(JSON.readTree(run.out).path("entities")).isEmpty();
            Path in = write("empty-text.jsonl", "\"\"\n{\"text\": \"\"}\n");
            assertThat(predict(in).rc).isZero();
            assertThat(outputLines(in)).hasSize(2).allSatisfy(n -> assertThat(n.path("tokens")).isEmpty());
        }
    }

    @Nested
    class OnlySpacesOrPunctuation {
        @Test
        void spacesGiveAnEmptyExtraction() {
            for (String blank : new String[] {" ", "   \t\n ", "\u00a0\u3000\u2028", "\r\n\r\n"}) {
                assertThat(extractor.extract(blank)).isEqualTo(new Extraction(blank, List.of(), List.of(), List.of()));
            }
        }

        @Test
        void punctuationIsWordsOfItsOwnAndPredictsWithoutError() {
            Extraction e = extractor.extract("!!! ... ,;:? «»");
            assertThat(e.tokens()).containsExactly("!", "!", "!", ".", ".", ".", ",", ";", ":", "?", "«", "»");
            offsetsMapBack(e);
        }
    }

    @Nested
    class DamagedVocabAndConfiguration {
        /** ModelDirectoryErrorsTest covers the weights file, format version, types and architecture. */
        @Test
        void aTruncatedVocabularyFailsItsChecksum() throws IOException {
            Path dir = copyModel("vocab-truncated");
            Path vocab = dir.resolve(TrainedModel.VOCAB_FILE);
            byte[] bytes = Files.readAllBytes(vocab);
            Files.write(vocab, Arrays.copyOf(bytes, bytes.length - 20));
            assertThatThrownBy(() -> TrainedModel.load(dir, Backends.java())).isInstanceOf(IOException.class)
                    .hasMessageContaining("vocab.txt: checksum mismatch");
            Cli.run("predict", "--model", dir.toString(), "--text", SENTENCE, "--backend", "java").failsNaming("vocab.txt", "checksum mismatch");
        }

        @Test
        void anEditedVocabularyFailsItsChecksum() throws IOException {
            Path dir = copyModel("vocab-edited");
            Path vocab = dir.resolve(TrainedModel.VOCAB_FILE);
            Files.writeString(vocab, Files.readString(vocab).replace("alice", "alicf"));
            assertThatThrownBy(() -> TrainedModel.load(dir, Backends.java())).hasMessageContaining("vocab.txt: checksum mismatch");
        }

        /** Without a recorded checksum (a directory of an older build) the vocabulary is still checked. */
        @Test
        void anUncheckedVocabularyMustBeUtf8HoldTheSpecialsAndFitTheEmbeddings() throws IOException {
            Path dir = copyModel("vocab-unchecked");
            Path config = dir.resolve(TrainedModel.CONFIG_FILE);
            Files.writeString(config, Files.readString(config).replaceFirst("\"vocab_sha256\" : \"[0-9a-f]+\",", ""));
            Path vocab = dir.resolve(TrainedModel.VOCAB_FILE);
            String original = Files.readString(vocab);
            assertThat(TrainedModel.load(dir, Backends.java()).tokenizer().vocab().size()).isEqualTo(original.split("\n").length);

            Files.writeString(vocab, original.replace("[CLS]\n", "[XLS]\n"));
            assertThatThrownBy(() -> TrainedModel.load(dir, Backends.java())).hasMessageContaining("vocab.txt: unusable vocabulary")
                    .hasMessageContaining("[CLS]");
            Files.writeString(vocab, original + "extra1\nextra2\n");
            assertThatThrownBy(() -> TrainedModel.load(dir, Backends.java())).hasMessageContaining("vocab.txt: unusable vocabulary")
                    .hasMessageContaining("embeddings");
            Files.write(vocab, new byte[] {'[', 'U', 'N', 'K', ']', '\n', (byte) 0xFF, '\n'});
            assertThatThrownBy(() -> TrainedModel.load(dir, Backends.java())).hasMessageContaining("vocab.txt: not UTF-8");
            Files.delete(vocab);
            assertThatThrownBy(() -> TrainedModel.load(dir, Backends.java())).hasMessageContaining("vocab.txt");
        }

        @Test
        void aTruncatedModelJsonOrTypesFileIsNamed() throws IOException {
            Path dir = copyModel("json-truncated");
            Path config = dir.resolve(TrainedModel.CONFIG_FILE);
            String json = Files.readString(config);
            Files.writeString(config, json.substring(0, json.length() / 2));
            Cli.run("predict", "--model", dir.toString(), "--text", SENTENCE, "--backend", "java")
                    .failsNaming("model.json", "unreadable model configuration");
            Files.writeString(config, json);
            Path types = dir.resolve(TrainedModel.TYPES_FILE);
            Files.writeString(types, Files.readString(types).substring(0, 40));
            Cli.run("predict", "--model", dir.toString(), "--text", SENTENCE, "--backend", "java").failsNaming("types.json", "malformed JSON");
        }

        @Test
        void aConfigurationThatDoesNotMatchTheCodeIsNamed() throws IOException {
            Path dir = copyModel("config-mismatch");
            Path config = dir.resolve(TrainedModel.CONFIG_FILE);
            String json = Files.readString(config);
            // a field this build does not know (a model from a newer build)
            Files.writeString(config, json.replace("\"variant\" : \"spert\"", "\"variant\" : \"spert\", \"rotary\" : true"));
            assertThatThrownBy(() -> TrainedModel.load(dir, Backends.java())).hasMessageContaining("model.json").hasMessageContaining("rotary");
            // an encoder shape that the weights do not have
            Files.writeString(config, json.replace("\"intermediate\" : 128", "\"intermediate\" : 96"));
            assertThatThrownBy(() -> TrainedModel.load(dir, Backends.java())).hasMessageContaining("model.safetensors: does not match the model")
                    .hasMessageContaining("intermediate");
            // a variant name this build does not have
            Files.writeString(config, json.replace("\"variant\" : \"spert\"", "\"variant\" : \"jerex-9\""));
            assertThatThrownBy(() -> TrainedModel.load(dir, Backends.java())).hasMessageContaining("model.json").hasMessageContaining("jerex-9");
        }
    }

    @Nested
    class UnknownEncoderName {
        @Test
        void trainingNamesTheEncoderAndListsTheCatalog() {
            Cli.run("train", "--train", data.resolve("train.json").toString(), "--types", data.resolve("types.json").toString(),
                    "--encoder", "bert-huge", "--epochs", "1", "--backend", "java", "--quiet", "--out", tmp.resolve("no-encoder").toString())
                    .failsNaming("unknown encoder 'bert-huge'", "minilm-l6");
        }
    }
}
