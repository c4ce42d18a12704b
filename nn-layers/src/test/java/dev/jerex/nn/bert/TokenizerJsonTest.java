package dev.jerex.nn.bert;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading the Hugging Face tokenizer.json format and vocab.txt. */
class TokenizerJsonTest {

    private static final String VOCAB = "\"vocab\": {\"[PAD]\": 0, \"[UNK]\": 1, \"[CLS]\": 2, \"[SEP]\": 3, \"[MASK]\": 4,"
            + " \"cafe\": 5, \"Café\": 6, \"##s\": 7}";

    private static BertTokenizer parse(String json) throws IOException {
        return BertTokenizer.fromTokenizerJson(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test.json");
    }

    private static String tokenizerJson(String normalizer) {
        return "{\"normalizer\": " + normalizer + ", \"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\","
                + " \"continuing_subword_prefix\": \"##\", \"max_input_chars_per_word\": 100, " + VOCAB + "}}";
    }

    @Test
    void readsVocabularyAndNormaliserFlags() throws IOException {
        BertTokenizer t = parse(tokenizerJson("{\"type\": \"BertNormalizer\", \"clean_text\": true, "
                + "\"handle_chinese_chars\": true, \"strip_accents\": null, \"lowercase\": true}"));
        assertThat(t.options()).isEqualTo(BasicTokenizer.Options.UNCASED); // strip_accents null follows lowercase
        assertThat(t.vocab().size()).isEqualTo(8);
        assertThat(t.unkId()).isEqualTo(1);
        assertThat(t.clsId()).isEqualTo(2);
        assertThat(t.wordPieces("Cafés")).containsExactly("cafe", "##s");
    }

    @Test
    void casedNormaliserKeepsAccents() throws IOException {
        BertTokenizer t = parse(tokenizerJson("{\"type\": \"BertNormalizer\", \"lowercase\": false, \"strip_accents\": null,"
                + " \"handle_chinese_chars\": false}"));
        assertThat(t.options()).isEqualTo(new BasicTokenizer.Options(false, false, false, false));
        assertThat(t.wordPieces("Café")).containsExactly("Café");
    }

    @Test
    void explicitStripAccentsWithoutLowercasing() throws IOException {
        BertTokenizer t = parse(tokenizerJson("{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"BertNormalizer\","
                + " \"lowercase\": false, \"strip_accents\": true}]}"));
        assertThat(t.options().stripAccents()).isTrue();
        assertThat(t.options().lowercase()).isFalse();
    }

    @Test
    void rejectsOtherModelTypes() {
        assertThatThrownBy(() -> parse("{\"model\": {\"type\": \"BPE\", \"vocab\": {}}}"))
                .isInstanceOf(IOException.class).hasMessageContaining("test.json").hasMessageContaining("WordPiece");
        assertThatThrownBy(() -> parse("{not json"))
                .isInstanceOf(IOException.class).hasMessageContaining("test.json");
    }

    @Test
    void vocabularyWithoutRequiredSpecialTokenIsRejected() {
        String json = "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[UNK]\": 0, \"a\": 1}}}";
        assertThatThrownBy(() -> parse(json)).hasMessageContaining("[CLS]");
    }

    @Test
    void vocabTxtRoundTrip() throws IOException {
        WordPieceVocab vocab = BertTokenizerTest.tinyVocab();
        StringWriter out = new StringWriter();
        vocab.writeVocabTxt(out);
        WordPieceVocab again = WordPieceVocab.fromVocabTxt(new ByteArrayInputStream(out.toString().getBytes(StandardCharsets.UTF_8)));
        assertThat(again.size()).isEqualTo(vocab.size());
        for (int id = 0; id < vocab.size(); id++) {
            assertThat(again.token(id)).isEqualTo(vocab.token(id));
        }
    }
}
