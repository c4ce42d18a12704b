package dev.jerex.nn.bert;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BertConfigTest {

    @Test
    void parsesHuggingFaceConfigJson() throws IOException {
        String json = "{\"architectures\": [\"BertModel\"], \"hidden_act\": \"gelu\", \"hidden_size\": 384,"
                + " \"intermediate_size\": 1536, \"layer_norm_eps\": 1e-12, \"max_position_embeddings\": 512,"
                + " \"model_type\": \"bert\", \"num_attention_heads\": 12, \"num_hidden_layers\": 6,"
                + " \"type_vocab_size\": 2, \"vocab_size\": 30522}";
        BertConfig c = BertConfig.fromJson(new ObjectMapper().readTree(json), "config.json");
        assertThat(c).isEqualTo(new BertConfig(6, 384, 12, 1536, 30522, 512, 2, 1e-12, "gelu"));
        assertThat(c.headDim()).isEqualTo(32);
        assertThat(BertConfig.fromJson(c.toJson(), "again")).isEqualTo(c);
    }

    @Test
    void missingOrInvalidFieldsAreReportedWithTheSource() {
        assertThatThrownBy(() -> BertConfig.fromJson(new ObjectMapper().readTree("{\"hidden_size\": 384}"), "my/config.json"))
                .isInstanceOf(IOException.class).hasMessageContaining("my/config.json").hasMessageContaining("num_hidden_layers");
        assertThatThrownBy(() -> new BertConfig(6, 384, 7, 1536, 30522, 512, 2, 1e-12, "gelu"))
                .hasMessageContaining("not a multiple");
        assertThatThrownBy(() -> new BertConfig(0, 384, 12, 1536, 30522, 512, 2, 1e-12, "gelu"))
                .hasMessageContaining("num_hidden_layers");
    }

    @Test
    void infersTheArchitectureFromWeightShapes() throws IOException {
        Map<String, NamedArray> w = TinyBert.weights();
        assertThat(BertConfig.inferFromWeights(w, 12, "tiny")).isEqualTo(TinyBert.CONFIG);
        // heads unknown: head_dim 64 rule, at least one head
        assertThat(BertConfig.inferFromWeights(w, 0, "tiny").heads()).isEqualTo(1);
    }

    @Test
    void checkWeightsListsMissingAndMisShapedTensorsByName() {
        Map<String, NamedArray> w = TinyBert.weights();
        w.remove("encoder.layer.0.attention.self.key.bias");
        w.put("encoder.layer.0.output.dense.weight", new NamedArray("x", new int[] {48, 24}, new float[48 * 24]));
        assertThatThrownBy(() -> TinyBert.CONFIG.checkWeights(w, "tiny"))
                .hasMessageContaining("missing encoder.layer.0.attention.self.key.bias")
                .hasMessageContaining("encoder.layer.0.output.dense.weight has shape [48, 24], expected [24, 48]");
    }
}
