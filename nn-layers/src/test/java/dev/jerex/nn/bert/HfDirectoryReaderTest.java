package dev.jerex.nn.bert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HfDirectoryReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsAHuggingFaceDirectoryWithBertPrefixedNames() throws IOException {
        Map<String, NamedArray> prefixed = new LinkedHashMap<>();
        TinyBert.weights().forEach((name, a) -> prefixed.put("bert." + name, a.withName("bert." + name)));
        prefixed.put("cls.predictions.bias", new NamedArray("cls.predictions.bias", new int[] {10}, new float[10]));
        SafetensorsFormat.write(dir.resolve("model.safetensors"), prefixed, Map.of());
        Files.write(dir.resolve("config.json"), TinyBert.CONFIG.toJsonBytes());
        Files.write(dir.resolve("vocab.txt"), String.join("\n", TinyBert.VOCAB).getBytes(StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": false}");

        EncoderArtifacts a = HfDirectoryReader.read(dir);
        assertThat(a.config()).isEqualTo(TinyBert.CONFIG);
        assertThat(a.weights()).containsKeys("embeddings.word_embeddings.weight", "cls.predictions.bias");
        assertThat(a.weights().get("encoder.layer.0.intermediate.dense.weight")
                .contentEquals(TinyBert.weights().get("encoder.layer.0.intermediate.dense.weight"))).isTrue();
        assertThat(a.tokenizer().options()).isEqualTo(BasicTokenizer.Options.CASED);
        assertThat(a.tokenizer().encode("hello world!").tokens()).containsExactly("[CLS]", "hello", "world", "!", "[SEP]");
    }

    @Test
    void skipsIntegerBuffersAndRenamesGammaBeta() throws IOException {
        // position_ids (I64) as transformers saves it, and an old-style LayerNorm.gamma
        ByteBuffer data = ByteBuffer.allocate(16 + 8).order(ByteOrder.LITTLE_ENDIAN);
        data.putLong(0).putLong(1).putFloat(1).putFloat(2);
        byte[] json = ("{\"bert.embeddings.position_ids\":{\"dtype\":\"I64\",\"shape\":[1,2],\"data_offsets\":[0,16]},"
                + "\"bert.embeddings.LayerNorm.gamma\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + json.length + 24).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(json.length).put(json).put(data.array());
        Path st = dir.resolve("model.safetensors");
        Files.write(st, file.array());
        assertThat(HfDirectoryReader.readWeights(st)).containsOnlyKeys("embeddings.LayerNorm.weight");
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        assertThatThrownBy(() -> HfDirectoryReader.read(dir)).hasMessageContaining("model.safetensors");
        SafetensorsFormat.write(dir.resolve("model.safetensors"), TinyBert.weights(), Map.of());
        assertThatThrownBy(() -> HfDirectoryReader.read(dir)).hasMessageContaining("config.json");
    }
}
