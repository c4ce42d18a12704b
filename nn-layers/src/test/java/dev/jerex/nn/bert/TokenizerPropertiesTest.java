package dev.jerex.nn.bert;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of {@link BertTokenizer#encode} on random Unicode text (CJK, accents, combining
 * marks, hangul, control and format characters, emoji and lone surrogates, whitespace,
 * punctuation): it never throws, and every piece's offsets lie inside the text, in order, without
 * overlap, and the piece's word index never decreases.
 */
class TokenizerPropertiesTest {

    private final BertTokenizer uncased;
    private final BertTokenizer cased;
    private final BertTokenizer asciiOnly;

    TokenizerPropertiesTest() throws IOException {
        WordPieceVocab vocab = BertTokenizerTest.tinyVocab();
        uncased = new BertTokenizer(vocab, BasicTokenizer.Options.UNCASED);
        cased = new BertTokenizer(vocab, BasicTokenizer.Options.CASED);
        asciiOnly = new BertTokenizer(vocab, BasicTokenizer.Options.LOWERCASE_ASCII_ONLY);
    }

    @Provide
    Arbitrary<String> messyText() {
        Arbitrary<Character> chars = Arbitraries.oneOf(
                Arbitraries.chars().range('a', 'z'), Arbitraries.chars().range('A', 'Z'), Arbitraries.chars().range('0', '9'),
                Arbitraries.of(' ', '\t', '\n', '\r', '\u3000', '\u00a0', '\u2028'),
                Arbitraries.chars().range('!', '/'), Arbitraries.chars().range('\u00c0', '\u017f'),
                Arbitraries.chars().range('\u0300', '\u036f'),          // combining marks
                Arbitraries.chars().range('\u4e00', '\u9fff'),          // CJK
                Arbitraries.chars().range('\uac00', '\ud7a3'),          // hangul syllables
                Arbitraries.chars().range('\u0000', '\u001f'),          // C0 controls
                Arbitraries.of('\u200b', '\u200d', '\u00ad', '\ufeff', '\ufffd', '\u0130', '\u1fef', '\uf900'),
                Arbitraries.chars().range('\ud800', '\udfff'),          // surrogates, paired or not
                Arbitraries.chars().all());
        Arbitrary<String> pieces = chars.list().ofMaxSize(40).map(list -> {
            StringBuilder sb = new StringBuilder();
            list.forEach(sb::append);
            return sb.toString();
        });
        Arbitrary<String> specials = Arbitraries.of("[MASK]", "[CLS]", "😀", "👨‍👩‍👧", "x".repeat(120), "Café");
        return Arbitraries.oneOf(pieces, pieces, Arbitraries.strings().all().ofMaxLength(60),
                        Arbitraries.oneOf(pieces, specials).list().ofMaxSize(4).map(l -> String.join("", l)));
    }

    @Property(tries = 600)
    void offsetsAreInsideOrderedAndDisjoint(@ForAll("messyText") String text) {
        for (BertTokenizer tokenizer : new BertTokenizer[] {uncased, cased, asciiOnly}) {
            checkOffsetInvariants(tokenizer, text);
        }
    }

    /** The invariants, shared with the seeded JUnit fuzz test in {@link TokenizerFuzzTest}. */
    static void checkOffsetInvariants(BertTokenizer tokenizer, String text) {
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

    @Property(tries = 300)
    void everyWordYieldsAtLeastOneId(@ForAll("messyText") String word) {
        assertThat(uncased.wordPieceIds(word)).isNotEmpty();
        assertThat(cased.wordPieces(word)).isNotEmpty();
    }

    @Property(tries = 300)
    void asciiTextSurvivesDecodeUpToSpacing(@ForAll("asciiWords") String text) {
        // every piece of these words is in the vocabulary, so decoding gives the lowercased words back
        Encoding e = uncased.encodeWithoutSpecials(text);
        assertThat(uncased.decode(e.ids()).replace(" ", "")).isEqualTo(text.toLowerCase().replace(" ", ""));
    }

    @Provide
    Arbitrary<String> asciiWords() {
        return Arbitraries.of("hello", "World", "unaffable", "tokenization", "don't", "x", "xxxx", "cafe", "!", ",")
                .list().ofMaxSize(8).map(l -> String.join(" ", l));
    }
}
