package dev.jerex.nn.bert;

import static dev.jerex.testing.RandomText.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jerex.testing.RandomText;
import dev.jerex.testing.RandomText.CharClass;
import dev.jerex.testing.SeededCases;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@link BertTokenizer#encode} on random Unicode text (CJK, accents, combining
 * marks, hangul, control and format characters, emoji and lone surrogates, whitespace,
 * punctuation): it never throws, and every piece's offsets lie inside the text, in order, without
 * overlap, and the piece's word index never decreases. Inputs come from seeded generators
 * ({@link SeededCases}); a failure names the case and its input.
 */
class TokenizerPropertiesTest {
    private static final long SEED = 20261126L;

    private static final CharClass[] MESSY = {
            range('a', 'z'), range('A', 'Z'), range('0', '9'),
            RandomText.anyOf(" \t\n\r\u3000\u00a0\u2028"),
            range('!', '/'), range('\u00c0', '\u017f'),
            range('\u0300', '\u036f'),          // combining marks
            range('\u4e00', '\u9fff'),          // CJK
            range('\uac00', '\ud7a3'),          // hangul syllables
            range('\u0000', '\u001f'),          // C0 controls
            RandomText.anyOf("\u200b\u200d\u00ad\ufeff\ufffd\u0130\u1fef\uf900"),
            range('\ud800', '\udfff'),          // surrogates, paired or not
            RandomText.ANY};
    private static final String[] SPECIALS = {"[MASK]", "[CLS]", "😀", "👨‍👩‍👧", "x".repeat(120), "Café"};

    /** Ranges of the long run: ASCII, Latin-1, combining marks, CJK, hangul, controls, general punctuation, surrogates, CJK compatibility, anything. */
    private static final CharClass[] BLOCKS = {
            range('a', 'z'), range('A', 'Z'), range('0', '9'), range(' ', '/'), range(0x00C0, 0x017F), range(0x0300, 0x036F),
            range(0x4E00, 0x9FFF), range(0xAC00, 0xD7A3), range(0x0000, 0x001F), range(0x2000, 0x206F), range(0xD800, 0xDFFF),
            range(0xF900, 0xFAFF), RandomText.ANY};

    private final BertTokenizer uncased;
    private final BertTokenizer cased;
    private final BertTokenizer asciiOnly;

    TokenizerPropertiesTest() throws IOException {
        WordPieceVocab vocab = BertTokenizerTest.tinyVocab();
        uncased = new BertTokenizer(vocab, BasicTokenizer.Options.UNCASED);
        cased = new BertTokenizer(vocab, BasicTokenizer.Options.CASED);
        asciiOnly = new BertTokenizer(vocab, BasicTokenizer.Options.LOWERCASE_ASCII_ONLY);
    }

    /** Characters of the messy classes, any UTF-16 string, or up to four such pieces and special tokens joined. */
    private static String messyText(Random random) {
        return switch (random.nextInt(4)) {
            case 0, 1 -> RandomText.chars(random, 40, MESSY);
            case 2 -> RandomText.anyChars(random, 60);
            default -> String.join("", RandomText.listOf(random, 4,
                    r -> r.nextBoolean() ? RandomText.chars(r, 40, MESSY) : RandomText.oneOf(r, SPECIALS)));
        };
    }

    /** Up to 39 characters from {@link #BLOCKS}, with a [MASK] or an emoji after one character in 30. */
    private static String blockText(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(40);
        for (int i = 0; i < length; i++) {
            text.append(BLOCKS[random.nextInt(BLOCKS.length)].draw(random));
            if (random.nextInt(30) == 0) {
                text.append(random.nextBoolean() ? "[MASK]" : "\uD83D\uDE00"); // a special token, an emoji
            }
        }
        return text.toString();
    }

    @Test
    void offsetsAreInsideOrderedAndDisjoint() {
        SeededCases.check(SEED, 600, TokenizerPropertiesTest::messyText, this::checkOffsetInvariantsOfEveryTokenizer);
    }

    /** The same invariants on more and longer runs of characters from every block, with specials inside words. */
    @Test
    void offsetsAreInsideOrderedAndDisjointOnCharactersOfEveryBlock() {
        SeededCases.check(SEED, 5000, TokenizerPropertiesTest::blockText, this::checkOffsetInvariantsOfEveryTokenizer);
    }

    private void checkOffsetInvariantsOfEveryTokenizer(String text) {
        for (BertTokenizer tokenizer : new BertTokenizer[] {uncased, cased, asciiOnly}) {
            checkOffsetInvariants(tokenizer, text);
        }
    }

    private static void checkOffsetInvariants(BertTokenizer tokenizer, String text) {
        Encoding e = tokenizer.encode(text);
        assertThat(e.ids()[0]).isEqualTo(tokenizer.clsId());
        assertThat(e.ids()[e.length() - 1]).isEqualTo(tokenizer.sepId());
        int previousEnd = 0;
        int previousWord = -1;
        for (int i = 1; i < e.length() - 1; i++) {
            int start = e.starts()[i];
            int end = e.ends()[i];
            assertThat(start).as("piece %d start", i).isBetween(previousEnd, text.length());
            assertThat(end).as("piece %d end", i).isBetween(start, text.length());
            assertThat(e.wordIndices()[i]).isGreaterThanOrEqualTo(previousWord);
            assertThat(e.originalText(i)).isEqualTo(text.substring(start, end));
            previousEnd = end;
            previousWord = e.wordIndices()[i];
        }
    }

    @Test
    void everyWordYieldsAtLeastOneId() {
        SeededCases.check(SEED, 300, TokenizerPropertiesTest::messyText, word -> {
            assertThat(uncased.wordPieceIds(word)).isNotEmpty();
            assertThat(cased.wordPieces(word)).isNotEmpty();
        });
    }

    @Test
    void asciiTextSurvivesDecodeUpToSpacing() {
        SeededCases.check(SEED, 300, TokenizerPropertiesTest::asciiWords, text -> {
            // every piece of these words is in the vocabulary, so decoding gives the lowercased words back
            Encoding e = uncased.encodeWithoutSpecials(text);
            assertThat(uncased.decode(e.ids()).replace(" ", "")).isEqualTo(text.toLowerCase().replace(" ", ""));
        });
    }

    private static String asciiWords(Random random) {
        return String.join(" ", RandomText.listOf(random, 8,
                r -> RandomText.oneOf(r, "hello", "World", "unaffable", "tokenization", "don't", "x", "xxxx", "cafe", "!", ",")));
    }
}
