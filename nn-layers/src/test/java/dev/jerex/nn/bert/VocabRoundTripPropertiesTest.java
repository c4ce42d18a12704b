package dev.jerex.nn.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jerex.testing.RandomText;
import dev.jerex.testing.SeededCases;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * vocab.txt round trips: any vocabulary written by {@link WordPieceVocab#writeVocabTxt} reads back
 * with every token at its id; a token that cannot survive the line format is refused on writing,
 * never silently renumbered on reading. Inputs come from seeded generators ({@link SeededCases}).
 */
class VocabRoundTripPropertiesTest {
    private static final long SEED = 20261126L;
    private static final RandomText.CharClass LETTER = RandomText.range('a', 'z');

    /** "[UNK]" and up to 40 more distinct tokens, each one the line format can hold. */
    private static List<String> vocabulary(Random random) {
        Set<String> distinct = new LinkedHashSet<>(List.of("[UNK]"));
        distinct.addAll(RandomText.listOf(random, 40, VocabRoundTripPropertiesTest::writableToken));
        return new ArrayList<>(distinct);
    }

    /** Any string, a "##" continuation, or an awkward fixed token; drawn again until it has no line break and encodes as UTF-8. */
    private static String writableToken(Random random) {
        String token;
        do {
            token = switch (random.nextInt(3)) {
                case 0 -> RandomText.anyChars(random, 6);
                case 1 -> "##" + LETTER.draw(random) + RandomText.chars(random, 4, LETTER); // 1-5 letters
                default -> RandomText.oneOf(random, "", " ", "\t", "\ufeff", "😀", "中", "\u0000", "[MASK]");
            };
        } while (token.indexOf('\n') >= 0 || token.indexOf('\r') >= 0 || !StandardCharsets.UTF_8.newEncoder().canEncode(token));
        return token;
    }

    @Test
    void everyTokenKeepsItsId() {
        SeededCases.check(SEED, 300, VocabRoundTripPropertiesTest::vocabulary, tokens -> {
            WordPieceVocab written = new WordPieceVocab(tokens.toArray(String[]::new), "[UNK]", "##", 100);
            StringWriter text = new StringWriter();
            written.writeVocabTxt(text);
            WordPieceVocab read = WordPieceVocab.fromVocabTxt(new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8)));
            assertThat(read.size()).isEqualTo(tokens.size());
            for (int id = 0; id < tokens.size(); id++) {
                assertThat(read.token(id)).isEqualTo(tokens.get(id));
                assertThat(read.id(tokens.get(id))).isEqualTo(id);
            }
        });
    }

    /** A writable vocabulary and then one token "a" + {@code inside} + "b" that is not. */
    private record BrokenVocabulary(List<String> tokens, String inside) {}

    @Test
    void aTokenThatTheLineFormatCannotHoldIsRefused() {
        SeededCases.check(SEED, 50, random -> new BrokenVocabulary(vocabulary(random), unwritable(random)), c -> {
            List<String> broken = new ArrayList<>(c.tokens());
            broken.add("a" + c.inside() + "b");
            WordPieceVocab vocab = new WordPieceVocab(broken.toArray(String[]::new), "[UNK]", "##", 100);
            assertThatThrownBy(() -> vocab.writeVocabTxt(new StringWriter())).isInstanceOf(IOException.class)
                    .hasMessageContaining("id " + (broken.size() - 1) + " cannot be written to vocab.txt");
        });
    }

    /** Line breaks, and unpaired surrogates (which UTF-8 cannot encode). */
    private static String unwritable(Random random) {
        return RandomText.oneOf(random, "\n", "\r", "\r\n", "\ud800", "\udfff");
    }
}
