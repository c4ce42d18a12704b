package dev.jerex.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jerex.tensor.backend.Backends;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole-model parity with the PyTorch twin on a real CoNLL04 batch, end to end: ModelParity
 * writes the model, batch, outputs and gradients of the full variant at batch size 2, and
 * {@code twin.py parity} must find every output and gradient within its tolerance. Skipped
 * unless PyTorch imports and ../shared/data/conll04 exists (so CI, without PyTorch, skips it).
 */
class ModelParityTest {

    /** A Python 3 that imports torch: Debian's /usr/bin/python3 first, then python3 on the PATH. */
    private static Optional<String> pythonWithTorch() {
        for (String python : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) return Optional.of(python);
            } catch (IOException e) {
                // not installed: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** {@code name} in this directory or one above it (the module runs from benchmarks/). */
    private static Optional<Path> upwards(String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(name))) return Optional.of(dir.resolve(name));
        }
        return Optional.empty();
    }

    @Test
    void fullVariantMatchesTheTwinOnARealBatch(@TempDir Path out) throws Exception {
        Optional<String> python = pythonWithTorch();
        assumeTrue(python.isPresent(), "PyTorch is not importable");
        Optional<Path> data = upwards("shared/data/conll04/conll04_train.json");
        assumeTrue(data.isPresent(), "shared data absent: ../shared/data/conll04");
        Path twin = upwards("benchmarks/python/twin/twin.py").orElseThrow();

        ModelParity.run("full", 2, data.get().getParent(), "minilm-l6", 42, Backends.java(), out);
        Process p = new ProcessBuilder(python.get(), twin.toString(), "parity", out.toString()).redirectErrorStream(true).start();
        String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("twin.py parity finished").isTrue();
        System.out.println(report);
        assertThat(p.exitValue()).as("twin.py parity exit status; its report:%n%s", report).isZero();
        assertThat(report).contains("all within");
    }
}
