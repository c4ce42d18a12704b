package dev.jerex.nn.bert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks against the real langchain4j jars; each test is skipped (not failed) when its jar is not
 * in the local Maven repository.
 */
class RealEncoderArtifactsTest {
    @TempDir
    Path cache;

    private final List<String> progress = new ArrayList<>();

    private EncoderCatalog catalog() {
        // downloads are never attempted: the jar is known to be present when these tests run
        return new EncoderCatalog(MavenArtifactFetcher.defaultLocalRepo(), cache, URI.create("http://127.0.0.1:9/"), progress::add);
    }

    private static long countLinearWeights(Map<String, NamedArray> weights) {
        return weights.values().stream().filter(a -> a.name().startsWith("encoder.layer.") && a.name().endsWith(".weight")
                && a.rank() == 2).count();
    }

    @Test
    void minilmL6() throws IOException {
        RealArtifacts.jarOrSkip("minilm-l6");
        EncoderArtifacts a = catalog().load("minilm-l6");
        assertThat(a.config()).isEqualTo(new BertConfig(6, 384, 12, 1536, 30522, 512, 2, 1e-12, "gelu"));
        assertThat(countLinearWeights(a.weights())).isEqualTo(36);
        a.config().checkWeights(a.weights(), "minilm-l6"); // every tensor present with its HF shape
        assertThat(a.weights()).hasSize(a.config().expectedShapes().size()); // no pooler in the graph

        BertTokenizer t = a.tokenizer();
        assertThat(t.clsId()).isEqualTo(101);
        assertThat(t.sepId()).isEqualTo(102);
        assertThat(t.padId()).isZero();
        assertThat(t.unkId()).isEqualTo(100);
        assertThat(t.maskId()).isEqualTo(103);
        assertThat(t.encode("Hello world").ids()).containsExactly(101, 7592, 2088, 102);
        assertThat(t.encode("HELLO   World").ids()).containsExactly(101, 7592, 2088, 102);
        assertThat(t.encode("Hello world!").ids()).containsExactly(101, 7592, 2088, 999, 102);
        assertThat(t.encode("Café").tokens()).containsExactly("[CLS]", "cafe", "[SEP]");
        assertThat(t.wordPieces("unaffable")).containsExactly("una", "##ffa", "##ble"); // as HF tokenizers gives
        assertThat(t.decode(t.encode("Tokenization rocks").ids(), true)).isEqualTo("tokenization rocks");

        // a second load comes from the safetensors cache with identical content
        EncoderArtifacts cached = catalog().load("minilm-l6");
        assertThat(cached.fromCache()).isTrue();
        for (NamedArray w : a.weights().values()) {
            assertThat(cached.weights().get(w.name()).contentEquals(w)).as(w.name()).isTrue();
        }
        progress.forEach(System.out::println);
    }

    @Test
    void bgeSmallZh() throws IOException {
        RealArtifacts.jarOrSkip("bge-small-zh");
        EncoderArtifacts a = catalog().load("bge-small-zh");
        assertThat(a.config()).isEqualTo(new BertConfig(4, 512, 8, 2048, 21128, 512, 2, 1e-12, "gelu"));
        assertThat(countLinearWeights(a.weights())).isEqualTo(24);
        a.config().checkWeights(a.weights(), "bge-small-zh");

        BertTokenizer t = a.tokenizer();
        Encoding e = t.encode("患者2型糖尿病HbA1c升高");
        assertThat(e.tokens()).containsExactly("[CLS]", "患", "者", "2", "型", "糖", "尿", "病", "h", "##ba", "##1", "##c", "升", "高", "[SEP]");
        assertThat(e.ids()).doesNotContain(t.unkId());
        // lowercase-ASCII-only: English inside Chinese text is found, not [UNK]
        assertThat(t.encode("The COVID-19 vaccine").ids()).doesNotContain(t.unkId());
        progress.forEach(System.out::println);
    }
}
