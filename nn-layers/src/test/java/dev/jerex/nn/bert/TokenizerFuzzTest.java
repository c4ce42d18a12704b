package dev.jerex.nn.bert;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Random;

/**
 * The offset invariants of {@link TokenizerPropertiesTest} again, on 5,000 texts from a seeded
 * {@link Random}, run by JUnit Jupiter alone: reproducible, and independent of the jqwik engine.
 */
class TokenizerFuzzTest {

    /** Ranges to draw characters from: ASCII, Latin-1, combining marks, CJK, hangul, controls, surrogates, anything. */
    private static final int[][] RANGES = {
            {'a', 'z'}, {'A', 'Z'}, {'0', '9'}, {' ', '/'}, {0x00C0, 0x017F}, {0x0300, 0x036F}, {0x4E00, 0x9FFF},
            {0xAC00, 0xD7A3}, {0x0000, 0x001F}, {0x2000, 0x206F}, {0xD800, 0xDFFF}, {0xF900, 0xFAFF}, {0x0000, 0xFFFF}};

    @Test
    void offsetsAreInsideOrderedAndDisjointOnSeededRandomText() throws IOException {
        WordPieceVocab vocab = BertTokenizerTest.tinyVocab();
        BertTokenizer[] tokenizers = {new BertTokenizer(vocab, BasicTokenizer.Options.UNCASED),
                new BertTokenizer(vocab, BasicTokenizer.Options.CASED),
                new BertTokenizer(vocab, BasicTokenizer.Options.LOWERCASE_ASCII_ONLY)};
        Random random = new Random(20261126);
        for (int n = 0; n < 5000; n++) {
            StringBuilder sb = new StringBuilder();
            int length = random.nextInt(40);
            for (int i = 0; i < length; i++) {
                int[] range = RANGES[random.nextInt(RANGES.length)];
                sb.append((char) (range[0] + random.nextInt(range[1] - range[0] + 1)));
                if (random.nextInt(30) == 0) {
                    sb.append(random.nextBoolean() ? "[MASK]" : "\uD83D\uDE00"); // a special token, an emoji
                }
            }
            for (BertTokenizer t : tokenizers) {
                TokenizerPropertiesTest.checkOffsetInvariants(t, sb.toString());
            }
        }
    }
}
