package dev.jerex.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.Backends;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Missing native libraries: in a JVM whose class path lacks the OpenBLAS and CUDA natives jars (as
 * on a platform the presets do not cover), {@code auto} falls back to the pure-Java backend with one
 * warning, and computing works; naming {@code openblas} explicitly fails with a message that says so.
 */
class MissingNativesTest {

    /** Runs in the child JVM: prints the backend auto picks and a product computed on it. */
    public static void main(String[] args) {
        Backend auto = Backends.create("auto", 1);
        Tensor a = Tensor.of(auto, new float[] {1, 2, 3, 4}, 2, 2);
        System.out.println("auto=" + auto.name() + " product=" + Arrays.toString(a.matmul(a).toArray()));
        try {
            Backends.create("openblas", 1);
            System.out.println("openblas=loaded");
        } catch (IllegalArgumentException e) {
            System.out.println("openblas=" + e.getMessage());
        }
    }

    @Test
    void autoFallsBackToJavaWithOneWarningWhenTheOpenBlasNativesAreMissing(@TempDir Path tmp) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> entries = Arrays.asList(classPath.split(File.pathSeparator));
        // the natives jars of the openblas and cuda presets, e.g. openblas-0.3.31-1.5.13-linux-x86_64.jar
        List<String> withoutNatives = entries.stream()
                .filter(e -> !Path.of(e).getFileName().toString().matches("(openblas|cuda)-.*-[a-z]+-[a-z0-9_]+\\.jar"))
                .collect(Collectors.toList());
        int natives = entries.size() - withoutNatives.size();
        // A launcher with a class loader of its own (gpu/run.sh's JUnit console) leaves
        // java.class.path without the presets: nothing to take away there.
        assumeTrue(natives > 0, "no presets natives jars on java.class.path: " + classPath);
        assertThat(natives).as("natives jars on the class path").isEqualTo(2);

        Path out = tmp.resolve("out.txt"), err = tmp.resolve("err.txt");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.bytedeco.javacpp.cachedir=" + tmp.resolve("javacpp-cache"),   // no natives extracted earlier
                "--add-modules", "jdk.incubator.vector",
                "-cp", String.join(File.pathSeparator, withoutNatives), MissingNativesTest.class.getName())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        String stdout = Files.readString(out, StandardCharsets.UTF_8), stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as("exit code; stderr: %s", stderr).isZero();
        assertThat(stdout).contains("auto=java product=[7.0, 10.0, 15.0, 22.0]")
                .contains("openblas=backend openblas: the OpenBLAS natives could not be loaded");
        long warnings = stderr.lines().filter(l -> l.contains("OpenBLAS natives unavailable")).count();
        assertThat(warnings).as("warnings in %s", stderr).isEqualTo(1);
        assertThat(stderr).contains("falling back to the pure-Java backend").doesNotContain("\tat ");
    }
}
