package dev.jerex.model.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jerex.model.TinyWorld;
import dev.jerex.tensor.backend.Backends;
import dev.jerex.testing.RandomText;
import dev.jerex.testing.RandomText.CharClass;
import dev.jerex.testing.SeededCases;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Properties of raw text -> words -> extraction on arbitrary strings (ASCII, CJK, combining marks,
 * control and format characters, byte-order marks, Unicode spaces, emoji, lone surrogates): splitting
 * and extraction never throw; every word and every entity maps back to exactly its substring of the
 * original text; spans and relations stay inside what was returned. The model is the tiny world's
 * untrained one, whose random heads predict entities almost everywhere. Inputs come from seeded
 * generators ({@link SeededCases}); a failure names the case and its input.
 */
class ExtractionPropertiesTest {
    private static final long SEED = 20261126L;

    private static final CharClass[] MESSY = {
            RandomText.range('a', 'z'), RandomText.anyOf("  \t\n\r\u3000\u00a0\u2028\u0085"),
            RandomText.anyOf(".,!(«»-'"),
            RandomText.range('\u0300', '\u036f'),          // combining marks
            RandomText.range('\u4e00', '\u9fff'),          // CJK
            RandomText.range('\u0000', '\u001f'),          // C0 controls
            RandomText.anyOf("\u200b\u200d\u00ad\ufeff\ufffd"),
            RandomText.range('\ud800', '\udfff'),          // surrogates, paired or not
            RandomText.ANY};

    @TempDir
    static Path dir;
    private static Extractor words, characters;

    @BeforeAll
    static void model() throws IOException {
        Path model = new TinyWorld(8, 3).writeUntrainedModel(dir.resolve("model"), "spert", 13);
        words = Extractor.load(model, Backends.java(), TextSplitter.Mode.WORDS);
        characters = Extractor.load(model, Backends.java(), TextSplitter.Mode.CHARACTERS);
    }

    /** Up to four pieces joined by spaces, each a known phrase or up to 12 messy characters. */
    private static String messyText(Random random) {
        return String.join(" ", RandomText.listOf(random, 4, r -> r.nextBoolean()
                ? RandomText.oneOf(r, "Alice Smith", "works for", "Acme Corp", "Paris", "😀", "Café")
                : RandomText.chars(r, 12, MESSY)));
    }

    @Test
    void everyWordIsExactlyItsSubstringInOrder() {
        SeededCases.check(SEED, 300, ExtractionPropertiesTest::messyText, text -> {
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
        });
    }

    /** The properties below are not vacuous: the untrained model does predict entities and relations. */
    @Test
    void theUntrainedModelPredictsEntitiesAndRelations() {
        Extraction e = words.extract("Alice Smith works for Acme Corp in Paris .");
        assertThat(e.entities()).hasSizeGreaterThan(3);
        assertThat(e.relations()).isNotEmpty();
    }

    @Test
    void extractionNeverThrowsAndItsOffsetsMapBack() {
        SeededCases.check(SEED, 40, ExtractionPropertiesTest::messyText, text -> {
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
        });
    }

    @Test
    void tokenListsNeverThrowAndSpansStayInside() {
        SeededCases.check(SEED, 40, ExtractionPropertiesTest::tokenList, tokens -> {
            Extraction e = words.extractTokens(tokens);
            assertThat(e.tokens()).isEqualTo(tokens);
            for (Extraction.Entity en : e.entities()) {
                assertThat(en.end()).isGreaterThan(en.start()).isLessThanOrEqualTo(tokens.size());
                assertThat(en.text()).isEqualTo(String.join(" ", tokens.subList(en.start(), en.end())));
                assertThat(en.charStart()).isEqualTo(-1);
            }
        });
    }

    /** Up to 12 tokens: any strings, including "", " ", control characters and 300-character words. */
    private static List<String> tokenList(Random random) {
        return RandomText.listOf(random, 12, r -> r.nextBoolean()
                ? RandomText.anyChars(r, 8)
                : RandomText.oneOf(r, "", " ", "\u0000", "x".repeat(300), "Bob"));
    }
}
