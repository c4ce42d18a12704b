package dev.jerex.nn.bert;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One test per BERT tokenization rule, on a tiny hand-made vocabulary (tiny-vocab.txt). */
class BertTokenizerTest {

    static WordPieceVocab tinyVocab() throws IOException {
        try (InputStream in = BertTokenizerTest.class.getResourceAsStream("/bert/tiny-vocab.txt")) {
            return WordPieceVocab.fromVocabTxt(in);
        }
    }

    private final BertTokenizer uncased = new BertTokenizer(tinyVocab(), BasicTokenizer.Options.UNCASED);
    private final BertTokenizer cased = new BertTokenizer(tinyVocab(), BasicTokenizer.Options.CASED);

    BertTokenizerTest() throws IOException {
    }

    @Test
    void specialIdsComeFromTheVocabularyNotFromConstants() {
        // tiny-vocab.txt deliberately puts [UNK] first and [CLS] at line 4.
        assertThat(uncased.unkId()).isZero();
        assertThat(uncased.padId()).isEqualTo(1);
        assertThat(uncased.clsId()).isEqualTo(3);
        assertThat(uncased.sepId()).isEqualTo(4);
        assertThat(uncased.maskId()).isEqualTo(5);
    }

    @Test
    void encodeAddsClsAndSepWithOffsetsMinusOne() {
        Encoding e = uncased.encode("Hello world!");
        assertThat(e.tokens()).containsExactly("[CLS]", "hello", "world", "!", "[SEP]");
        assertThat(e.ids()).containsExactly(3, 2, 7, 8, 4);
        assertThat(e.starts()).containsExactly(-1, 0, 6, 11, -1);
        assertThat(e.ends()).containsExactly(-1, 5, 11, 12, -1);
        assertThat(e.wordIndices()).containsExactly(-1, 0, 1, 2, -1);
        assertThat(e.originalText(1)).isEqualTo("Hello");
    }

    @Test
    void casedKeepsCaseAndUncasedLowercases() {
        assertThat(cased.wordPieces("Hello")).containsExactly("Hello");
        assertThat(uncased.wordPieces("Hello")).containsExactly("hello");
        assertThat(cased.wordPieces("HELLO")).containsExactly("[UNK]");
    }

    @Test
    void uncasedStripsAccentsAndOffsetsPointAtTheOriginal() {
        Encoding e = uncased.encode("Café");
        assertThat(e.tokens()).containsExactly("[CLS]", "cafe", "[SEP]");
        assertThat(e.originalText(1)).isEqualTo("Café");
        // decomposed input: e + U+0301, a non-spacing mark that stripping removes. A removed character
        // belongs to no piece, so a trailing one is not inside the piece's span (as in HF tokenizers).
        Encoding decomposed = uncased.encode("Cafe\u0301!");
        assertThat(decomposed.tokens()).containsExactly("[CLS]", "cafe", "!", "[SEP]");
        assertThat(decomposed.originalText(1)).isEqualTo("Cafe");
        assertThat(decomposed.originalText(2)).isEqualTo("!");
    }

    @Test
    void casedKeepsAccents() {
        assertThat(cased.wordPieces("Café")).containsExactly("Café");
    }

    @Test
    void lowercaseAsciiOnlyLeavesOtherLettersAlone() throws IOException {
        BertTokenizer asciiOnly = new BertTokenizer(tinyVocab(), BasicTokenizer.Options.LOWERCASE_ASCII_ONLY);
        assertThat(asciiOnly.wordPieces("HELLO")).containsExactly("hello");
        assertThat(asciiOnly.wordPieces("Café")).containsExactly("[UNK]"); // "café" is not in the vocab, "Café" is not produced
        assertThat(asciiOnly.wordPieces("STRASSE")).containsExactly("strasse");
        assertThat(asciiOnly.wordPieces("ß")).containsExactly("ß");
    }

    @Test
    void chineseCharactersAreOnePieceEach() {
        Encoding e = uncased.encode("患者高");
        assertThat(e.tokens()).containsExactly("[CLS]", "患", "者", "高", "[SEP]");
        assertThat(e.wordIndices()).containsExactly(-1, 0, 1, 2, -1);
        assertThat(e.starts()).containsExactly(-1, 0, 1, 2, -1);
    }

    @Test
    void mixedChineseLatinAndDigits() {
        String text = "患者2型糖尿病HbA1c升高";
        Encoding e = uncased.encode(text);
        assertThat(e.tokens()).containsExactly("[CLS]", "患", "者", "2", "型", "糖", "尿", "病",
                "h", "##ba", "##1", "##c", "升", "高", "[SEP]");
        // "2" is glued to no CJK character: the CJK characters split it off
        assertThat(e.originalText(3)).isEqualTo("2");
        assertThat(e.originalText(8)).isEqualTo("H");
        assertThat(e.originalText(9)).isEqualTo("bA");
        assertThat(e.originalText(11)).isEqualTo("c");
        assertThat(e.wordIndices()).containsExactly(-1, 0, 1, 2, 3, 4, 5, 6, 7, 7, 7, 7, 8, 9, -1);
    }

    @Test
    void punctuationIsSplitOff() {
        assertThat(uncased.wordPieces("don't")).containsExactly("don", "'", "t");
        assertThat(uncased.encode("hello,world.").tokens()).containsExactly("[CLS]", "hello", ",", "world", ".", "[SEP]");
        // ASCII symbols that Unicode does not call punctuation ($ is Sc) still split
        assertThat(BasicTokenizer.isPunctuation('$')).isTrue();
        assertThat(BasicTokenizer.isPunctuation('`')).isTrue();
        assertThat(BasicTokenizer.isPunctuation('、')).isTrue(); // Po
        assertThat(BasicTokenizer.isPunctuation('€')).isFalse(); // Sc outside ASCII
    }

    @Test
    void controlCharactersAreDroppedWithoutSplittingWords() {
        Encoding e = uncased.encode("hel\u0000lo\u200b \uFFFDworld\u0007");
        assertThat(e.tokens()).containsExactly("[CLS]", "hello", "world", "[SEP]");
        assertThat(e.originalText(1)).isEqualTo("hel\u0000lo");
        assertThat(e.originalText(2)).isEqualTo("world");
    }

    @Test
    void tabsNewlinesAndUnicodeSpacesSeparateWords() {
        assertThat(uncased.encode("hello\tworld\nhello\u3000world\u2028x").tokens())
                .containsExactly("[CLS]", "hello", "world", "hello", "world", "x", "[SEP]");
    }

    @Test
    void wordLongerThan100CharactersIsUnknown() {
        String word200 = "x".repeat(200);
        Encoding e = uncased.encode(word200);
        assertThat(e.tokens()).containsExactly("[CLS]", "[UNK]", "[SEP]");
        assertThat(e.originalText(1)).isEqualTo(word200);
        assertThat(uncased.wordPieces("x".repeat(101))).containsExactly("[UNK]");
        assertThat(uncased.wordPieces("x".repeat(100))).hasSize(100).startsWith("x", "##x");
    }

    @Test
    void wordWithAnUnmatchablePartIsOneUnknown() {
        // "unaffable" -> un ##aff ##able; "unaffablez" cannot finish, so the WHOLE word is [UNK]
        assertThat(uncased.wordPieces("unaffable")).containsExactly("un", "##aff", "##able");
        assertThat(uncased.wordPieces("unaffablez")).containsExactly("[UNK]");
        assertThat(uncased.wordPieces("tokenization")).containsExactly("token", "##ization");
    }

    @Test
    void emptyAndWhitespaceOnlyInputGiveOnlyTheSpecials() {
        assertThat(uncased.encode("").tokens()).containsExactly("[CLS]", "[SEP]");
        assertThat(uncased.encode(" \t\n\r\u3000 ").tokens()).containsExactly("[CLS]", "[SEP]");
        assertThat(uncased.encodeWithoutSpecials("").length()).isZero();
    }

    @Test
    void aWordThatYieldsNoPiecesBecomesUnk() {
        assertThat(uncased.wordPieces("\u0000\u0007")).containsExactly("[UNK]");
        assertThat(uncased.wordPieceIds("  ")).containsExactly(uncased.unkId());
        assertThat(uncased.wordPieceIds("Hello")).containsExactly(2);
    }

    @Test
    void specialTokensWrittenInTheTextAreKept() {
        Encoding e = uncased.encode("hello [MASK]!");
        assertThat(e.tokens()).containsExactly("[CLS]", "hello", "[MASK]", "!", "[SEP]");
        assertThat(e.originalText(2)).isEqualTo("[MASK]");
        assertThat(e.wordIndices()).containsExactly(-1, 0, 1, 2, -1);
        // only the exact spelling is special
        assertThat(uncased.encode("[mask]").tokens()).containsExactly("[CLS]", "[UNK]", "[UNK]", "[UNK]", "[SEP]");
    }

    @Test
    void decodeJoinsContinuationPieces() {
        Encoding e = uncased.encode("unaffable tokenization!");
        assertThat(uncased.decode(e.ids())).isEqualTo("[CLS] unaffable tokenization ! [SEP]");
        assertThat(uncased.decode(e.ids(), true)).isEqualTo("unaffable tokenization !");
    }

    @Test
    void wordPiecesOfOneWordMatchSpertsPerWordEncoding() {
        List<String> pieces = uncased.wordPieces("Tokenization");
        assertThat(pieces).containsExactly("token", "##ization");
        assertThat(uncased.wordPieceIds("Tokenization")).containsExactly(18, 19);
    }

    @Test
    void hangulDecomposesUnderAccentStrippingAndOffsetsStayDisjoint() {
        // NFD turns one syllable into three jamo; pieces inside one original character get empty spans
        Encoding e = uncased.encodeWithoutSpecials("한국");
        for (int i = 1; i < e.length(); i++) {
            assertThat(e.starts()[i]).isGreaterThanOrEqualTo(e.ends()[i - 1]);
        }
    }
}
