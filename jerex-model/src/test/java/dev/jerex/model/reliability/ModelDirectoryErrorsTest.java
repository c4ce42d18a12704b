package dev.jerex.model.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jerex.model.TinyWorld;
import dev.jerex.model.api.TrainedModel;
import dev.jerex.model.cli.Main;
import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.Backends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged model directory fails to load with a message naming the file, and never loads wrong. */
class ModelDirectoryErrorsTest {
    @TempDir
    static Path tmp;
    static Path model;
    final Backend java = Backends.java();

    @BeforeAll
    static void train() throws Exception {
        TinyWorld world = new TinyWorld(8, 3);
        Path data = world.writeData(tmp.resolve("data"));
        Path encoder = world.writeEncoder(tmp.resolve("encoder"), 5);
        assertThat(Main.execute("train", "--train", data.resolve("train.json").toString(), "--dev", data.resolve("train.json").toString(),
                "--types", data.resolve("types.json").toString(), "--encoder", encoder.toString(), "--variant", "spert",
                "--epochs", "1", "--backend", "java", "--quiet", "--eval-last-only", "--out", tmp.resolve("run").toString())).isZero();
        model = tmp.resolve("run/final");
    }

    private Path copy(String name) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(model)) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }

    @Test
    void theIntactDirectoryLoads() throws IOException {
        assertThat(TrainedModel.load(model, java).config().variant()).isEqualTo("spert");
    }

    @Test
    void aTruncatedWeightsFileIsRejected() throws IOException {
        Path dir = copy("truncated");
        Path weights = dir.resolve(TrainedModel.WEIGHTS_FILE);
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> TrainedModel.load(dir, java)).isInstanceOf(IOException.class).hasMessageContaining("model.safetensors");
    }

    @Test
    void aFlippedByteInTheWeightsFailsTheChecksum() throws IOException {
        Path dir = copy("corrupt");
        Path weights = dir.resolve(TrainedModel.WEIGHTS_FILE);
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length - 7] ^= 0x40;
        Files.write(weights, bytes);
        assertThatThrownBy(() -> TrainedModel.load(dir, java)).isInstanceOf(IOException.class)
                .hasMessageContaining("model.safetensors").hasMessageContaining("checksum mismatch");
    }

    @Test
    void aConfigurationFromAnotherFormatVersionIsRejected() throws IOException {
        Path dir = copy("version");
        Path config = dir.resolve(TrainedModel.CONFIG_FILE);
        Files.writeString(config, Files.readString(config).replaceFirst("\"format_version\" : 1", "\"format_version\" : 99"));
        assertThatThrownBy(() -> TrainedModel.load(dir, java)).hasMessageContaining("model.json").hasMessageContaining("format_version 99");
    }

    @Test
    void typesThatDoNotMatchTheConfigurationAreRejected() throws IOException {
        Path dir = copy("types");
        Path types = dir.resolve(TrainedModel.TYPES_FILE);
        Files.writeString(types, Files.readString(types).replace("\"Loc\"", "\"Loc\" : {\"short\": \"Loc\", \"verbose\": \"Location\"}, \"Extra\""));
        assertThatThrownBy(() -> TrainedModel.load(dir, java)).hasMessageContaining("types.json");
    }

    @Test
    void weightsOfAnotherArchitectureAreRejectedByName() throws IOException {
        Path dir = copy("arch");
        Path config = dir.resolve(TrainedModel.CONFIG_FILE);
        Files.writeString(config, Files.readString(config).replace("\"variant\" : \"spert\"", "\"variant\" : \"full\""));
        assertThatThrownBy(() -> TrainedModel.load(dir, java)).isInstanceOf(IOException.class)
                .hasMessageContaining("does not match the model").hasMessageContaining("missing [fusion.");
    }

    @Test
    void aMissingDirectoryOrFileIsNamed() throws IOException {
        assertThatThrownBy(() -> TrainedModel.load(tmp.resolve("nope"), java)).hasMessageContaining("nope");
        Path dir = copy("nofile");
        Files.delete(dir.resolve(TrainedModel.CONFIG_FILE));
        assertThatThrownBy(() -> TrainedModel.load(dir, java)).hasMessageContaining("model.json");
    }
}
