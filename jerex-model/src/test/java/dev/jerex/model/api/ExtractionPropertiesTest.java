package dev.jerex.model.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jerex.model.TinyWorld;
import dev.jerex.tensor.backend.Backends;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Properties of raw text -> words -> extraction on arbitrary strings (ASCII, CJK, combining marks,
 * control and format characters, byte-order marks, Unicode spaces, emoji, lone surrogates): splitting
 * and extraction never throw; every word and every entity maps back to exactly its substring of the
 * original text; spans and relations stay inside what was returned. The model is the tiny world's
 * untrained one, whose random heads predict entities almost everywhere.
 */
class ExtractionPropertiesTest {
    private static Path dir;
    private static Extractor words, characters;

    @BeforeContainer
    static void model() throws IOException {
        dir = Files.createTempDirectory("jerex-props");
        Path model = new TinyWorld(8, 3).writeUntrainedModel(dir.resolve("model"), "spert", 13);
        words = Extractor.load(model, Backends.java(), TextSplitter.Mode.WORDS);
        characters = Extractor.load(model, Backends.java(), TextSplitter.Mode.CHARACTERS);
    }

    @AfterContainer
    static void delete() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @Provide
    Arbitrary<String> messyText() {
        Arbitrary<Character> chars = Arbitraries.oneOf(
                Arbitraries.chars().range('a', 'z'), Arbitraries.of(' ', ' ', '\t', '\n', '\r', '\u3000', '\u00a0', '\u2028', '\u0085'),
                Arbitraries.of('.', ',', '!', '(', '«', '»', '-', '\''),
                Arbitraries.chars().range('\u0300', '\u036f'),          // combining marks
                Arbitraries.chars().range('\u4e00', '\u9fff'),          // CJK
                Arbitraries.chars().range('\u0000', '\u001f'),          // C0 controls
                Arbitraries.of('\u200b', '\u200d', '\u00ad', '\ufeff', '\ufffd'),
                Arbitraries.chars().range('\ud800', '\udfff'),          // surrogates, paired or not
                Arbitraries.chars().all());
        Arbitrary<String> known = Arbitraries.of("Alice Smith", "works for", "Acme Corp", "Paris", "😀", "Café");
        Arbitrary<String> noise = chars.list().ofMaxSize(12).map(l -> {
            StringBuilder sb = new StringBuilder();
            l.forEach(sb::append);
            return sb.toString();
        });
        return Arbitraries.oneOf(known, noise).list().ofMaxSize(4).map(l -> String.join(" ", l));
    }

    @Property(tries = 300)
    void everyWordIsExactlyItsSubstringInOrder(@ForAll("messyText") String text) {
        for (TextSplitter.Mode mode : TextSplitter.Mode.values()) {
            int previousEnd = 0;
            for (TextSplitter.Word w : TextSplitter.split(text, mode)) {
                assertThat(w.start()).isGreaterThanOrEqualTo(previousEnd);
                assertThat(w.end()).isGreaterThan(w.start()).isLessThanOrEqualTo(text.length());
                assertThat(text.substring(w.start(), w.end())).isEqualTo(w.word());
                assertThat(w.word()).doesNotContainAnyWhitespaces();
                previousEnd = w.end();
            }
        }
    }

    /** The properties below are not vacuous: the untrained model does predict entities and relations. */
    @Example
    void theUntrainedModelPredictsEntitiesAndRelations() {
        Extraction e = words.extract("Alice Smith works for Acme Corp in Paris .");
        assertThat(e.entities()).hasSizeGreaterThan(3);
        assertThat(e.relations()).isNotEmpty();
    }

    @Property(tries = 40)
    void extractionNeverThrowsAndItsOffsetsMapBack(@ForAll("messyText") String text) {
        for (Extractor x : new Extractor[] {words, characters}) {
            Extraction e = x.extract(text);
            List<TextSplitter.Word> split = TextSplitter.split(text, x.splitMode());
            assertThat(e.tokens()).containsExactlyElementsOf(split.stream().map(TextSplitter.Word::word).toList());
            for (Extraction.Entity en : e.entities()) {
                assertThat(en.start()).isGreaterThanOrEqualTo(0);
                assertThat(en.end()).isGreaterThan(en.start()).isLessThanOrEqualTo(e.tokens().size());
                assertThat(en.charStart()).isEqualTo(split.get(en.start()).start());
                assertThat(en.charEnd()).isEqualTo(split.get(en.end() - 1).end());
                assertThat(text.substring(en.charStart(), en.charEnd())).isEqualTo(en.text());
                assertThat(en.score()).isBetween(0.0, 1.0);
            }
            for (Extraction.Relation r : e.relations()) {
                assertThat(r.head()).isBetween(0, e.entities().size() - 1);
                assertThat(r.tail()).isBetween(0, e.entities().size() - 1).isNotEqualTo(r.head());
            }
        }
    }

    @Property(tries = 40)
    void tokenListsNeverThrowAndSpansStayInside(@ForAll("tokenLists") List<String> tokens) {
        Extraction e = words.extractTokens(tokens);
        assertThat(e.tokens()).isEqualTo(tokens);
        for (Extraction.Entity en : e.entities()) {
            assertThat(en.end()).isGreaterThan(en.start()).isLessThanOrEqualTo(tokens.size());
            assertThat(en.text()).isEqualTo(String.join(" ", tokens.subList(en.start(), en.end())));
            assertThat(en.charStart()).isEqualTo(-1);
        }
    }

    @Provide
    Arbitrary<List<String>> tokenLists() {
        // any strings as tokens, including "", " ", control characters and 300-character words
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(8), Arbitraries.of("", " ", "\u0000", "x".repeat(300), "Bob"))
                .list().ofMaxSize(12);
    }
}
