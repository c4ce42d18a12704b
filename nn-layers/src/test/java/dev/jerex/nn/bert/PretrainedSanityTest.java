package dev.jerex.nn.bert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End-to-end proof that the readers name and lay out real pretrained weights correctly: run them
 * through {@link ReferenceBertForward} and check behaviour only correct weights can have. Skipped
 * when the jar is not in the local Maven repository.
 */
class PretrainedSanityTest {
    @TempDir
    Path cache;

    private EncoderArtifacts load(String name) throws IOException {
        RealArtifacts.jarOrSkip(name);
        return new EncoderCatalog(MavenArtifactFetcher.defaultLocalRepo(), cache, URI.create("http://127.0.0.1:9/"), s -> { })
                .load(name);
    }

    private static float[] embed(EncoderArtifacts a, ReferenceBertForward bert, String text) {
        return ReferenceBertForward.meanPoolNormalized(bert.encode(a.tokenizer().encode(text).ids()));
    }

    @Test
    void minilmRanksAParaphraseAboveAnUnrelatedSentence() throws IOException {
        EncoderArtifacts a = load("minilm-l6");
        ReferenceBertForward bert = new ReferenceBertForward(a.config(), a.weights());
        float[] cat = embed(a, bert, "A cat is sitting on the mat.");
        float[] paraphrase = embed(a, bert, "There is a kitten resting on a rug.");
        float[] unrelated = embed(a, bert, "The central bank raised interest rates again.");
        double similar = ReferenceBertForward.dot(cat, paraphrase);
        double different = ReferenceBertForward.dot(cat, unrelated);
        System.out.printf("minilm-l6 cosine: paraphrase %.3f, unrelated %.3f%n", similar, different);
        assertThat(similar).isGreaterThan(0.4).isGreaterThan(different + 0.3);
    }

    @Test
    void bgeSmallZhRanksAParaphraseAboveAnUnrelatedSentence() throws IOException {
        EncoderArtifacts a = load("bge-small-zh");
        ReferenceBertForward bert = new ReferenceBertForward(a.config(), a.weights());
        // bge uses the normalised [CLS] vector as the sentence embedding
        float[] sick = ReferenceBertForward.normalize(bert.encode(a.tokenizer().encode("患者患有2型糖尿病").ids())[0]);
        float[] paraphrase = ReferenceBertForward.normalize(bert.encode(a.tokenizer().encode("这个病人得了糖尿病").ids())[0]);
        float[] unrelated = ReferenceBertForward.normalize(bert.encode(a.tokenizer().encode("今天的股票市场大涨").ids())[0]);
        double similar = ReferenceBertForward.dot(sick, paraphrase);
        double different = ReferenceBertForward.dot(sick, unrelated);
        System.out.printf("bge-small-zh cosine: paraphrase %.3f, unrelated %.3f%n", similar, different);
        assertThat(similar).isGreaterThan(different + 0.1);
    }

    @Test
    void bertBaseCasedFillsTheMaskWithParisAndHonolulu() throws IOException {
        EncoderArtifacts a = load("bert-base-cased");
        assertThat(a.config()).isEqualTo(new BertConfig(12, 768, 12, 3072, 28996, 512, 2, 1e-12, "gelu"));
        // encoder, plus pooler (2) and MLM head (transform dense 2, LayerNorm 2, output bias 1)
        assertThat(a.weights()).hasSize(a.config().expectedShapes().size() + 7)
                .containsKeys("pooler.dense.weight", "cls.predictions.transform.dense.weight", "cls.predictions.bias");
        assertThat(a.tokenizer().options()).isEqualTo(BasicTokenizer.Options.CASED);
        assertThat(a.tokenizer().encode("Hello world").tokens()).containsExactly("[CLS]", "Hello", "world", "[SEP]");
        ReferenceBertForward bert = new ReferenceBertForward(a.config(), a.weights());
        assertThat(fillMask(a, bert, "The capital of France is [MASK].")).isEqualTo("Paris");
        assertThat(fillMask(a, bert, "Barack Obama was born in [MASK], Hawaii.")).isEqualTo("Honolulu");
    }

    @Test
    void multilingualBertFillsTheMaskInChinese() throws IOException {
        EncoderArtifacts a = load("mbert-cased");
        ReferenceBertForward bert = new ReferenceBertForward(a.config(), a.weights());
        assertThat(fillMask(a, bert, "北京是中国的[MASK]都。")).isEqualTo("首");
    }

    private static String fillMask(EncoderArtifacts a, ReferenceBertForward bert, String text) {
        Encoding e = a.tokenizer().encode(text);
        int maskAt = -1;
        for (int i = 0; i < e.length(); i++) {
            if (e.ids()[i] == a.tokenizer().maskId()) {
                maskAt = i;
            }
        }
        float[] logits = bert.mlmLogits(bert.encode(e.ids())[maskAt]);
        int best = 0;
        for (int v = 1; v < logits.length; v++) {
            if (logits[v] > logits[best]) {
                best = v;
            }
        }
        String token = a.tokenizer().vocab().token(best);
        System.out.println(text + " -> " + token);
        return token;
    }
}
