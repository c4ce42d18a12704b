package dev.jerex.tensor.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jerex.tensor.backend.BinaryOp;
import dev.jerex.tensor.backend.UnaryOp;
import java.io.File;
import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the CUDA kernel sources without a GPU: every {@code .cu} resource compiles with
 * {@code nvcc --ptx} for sm_90 (when nvcc is on the PATH; skipped otherwise), defines the
 * kernels the Java side launches, and lists the op codes in the order of the Java enums.
 */
class CudaKernelSourcesCompileTest {

    @Test
    void everySourceCompilesWithNvcc(@TempDir Path dir) throws Exception {
        Path nvcc = onPath("nvcc");
        assumeTrue(nvcc != null, "nvcc is not on the PATH: kernel sources not compiled");
        Files.writeString(dir.resolve(CudaKernels.HEADER), CudaKernels.source(CudaKernels.HEADER));
        // The Dims struct must have the layout KernelArgs.dims writes.
        Files.writeString(dir.resolve("layout_check.cu"), String.join("\n",
                "#include \"common.cuh\"",
                "#include <cstddef>",
                "static_assert(sizeof(Dims) == 100, \"Dims is 100 bytes\");",
                "static_assert(offsetof(Dims, shape) == 4 && offsetof(Dims, stride_a) == 36 && offsetof(Dims, stride_b) == 68, \"Dims layout\");",
                "static_assert(MAX_RANK == " + KernelArgs.MAX_RANK + ", \"MAX_RANK\");",
                "static_assert(ROW_THREADS == " + CudaKernels.ROW_THREADS + ", \"ROW_THREADS\");", ""));
        List<String> files = new ArrayList<>(CudaKernels.SOURCES.keySet());
        files.add("layout_check.cu");
        for (String file : files) {
            Path src = dir.resolve(file);
            if (!Files.exists(src)) Files.writeString(src, CudaKernels.source(file));
            Path ptx = dir.resolve(file.replace(".cu", ".ptx"));
            List<String> cmd = List.of(nvcc.toString(), "--ptx", "-arch=sm_90", "-std=c++17", "--Werror", "all-warnings",
                    "-I", dir.toString(), src.toString(), "-o", ptx.toString());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("nvcc finished in time").isTrue();
            assertEquals(0, p.exitValue(), () -> "nvcc failed on " + file + ":\n" + out);
            String ptxText = Files.readString(ptx);
            for (String kernel : CudaKernels.SOURCES.getOrDefault(file, List.of())) {
                assertThat(ptxText).as(file + " defines kernel " + kernel).contains(".entry " + kernel + "(");
            }
        }
    }

    @Test
    void everyKernelSourceIsListedAndDefinesItsKernels() throws IOException {
        List<String> onDisk = kernelSourcesOnClassPath();
        assertThat(CudaKernels.SOURCES.keySet()).as("kernel sources listed in CudaKernels.SOURCES")
                .containsExactlyInAnyOrderElementsOf(onDisk);
        for (Map.Entry<String, List<String>> e : CudaKernels.SOURCES.entrySet()) {
            String text = CudaKernels.source(e.getKey());
            for (String kernel : e.getValue()) {
                assertThat(text).as(e.getKey() + " defines " + kernel).containsPattern(
                        "extern \"C\" __global__ void " + kernel + "\\(");
            }
        }
    }

    @Test
    void opCodesFollowTheJavaEnums() {
        String text = CudaKernels.source("elementwise.cu");
        assertThat(enumConstants(text, "UnaryOpCode", "U_"))
                .containsExactlyElementsOf(Arrays.stream(UnaryOp.values()).map(Enum::name).toList());
        assertThat(enumConstants(text, "BinaryOpCode", "B_"))
                .containsExactlyElementsOf(Arrays.stream(BinaryOp.values()).map(Enum::name).toList());
    }

    @Test
    void blockSizeAgreesWithTheHeader() {
        Matcher m = Pattern.compile("#define ROW_THREADS (\\d+)").matcher(CudaKernels.source(CudaKernels.HEADER));
        assertThat(m.find()).isTrue();
        assertThat(Integer.parseInt(m.group(1))).isEqualTo(CudaKernels.ROW_THREADS);
        assertThat(Integer.bitCount(CudaKernels.ROW_THREADS)).as("a power of two (tree reductions)").isEqualTo(1);
    }

    @Test
    void mergeAxesKeepsTheIndexSpace() {
        // a contiguous [2, 3, 4] copy is one axis of 24
        int[][] d = CudaBackend.mergeAxes("copy", new int[] {2, 3, 4}, new int[] {12, 4, 1}, new int[] {12, 4, 1});
        assertThat(d[0]).containsExactly(24);
        // a bias broadcast [B, T, C] + [C]: B and T merge, C stays
        d = CudaBackend.mergeAxes("binary", new int[] {2, 3, 4}, new int[] {12, 4, 1}, new int[] {0, 0, 1});
        assertThat(d[0]).containsExactly(6, 4);
        assertThat(d[2]).containsExactly(0, 1);
        // a transpose does not merge; size-1 axes vanish
        d = CudaBackend.mergeAxes("copy", new int[] {3, 1, 5}, new int[] {1, 7, 3}, new int[] {5, 5, 1});
        assertThat(d[0]).containsExactly(3, 5);
        assertThat(d[1]).containsExactly(1, 3);
        // rank 0 stays rank 0
        assertThat(CudaBackend.mergeAxes("copy", new int[0], new int[0], new int[0])[0]).isEmpty();
    }

    private static List<String> enumConstants(String text, String name, String prefix) {
        Matcher m = Pattern.compile("enum " + name + "\\s*\\{([^}]*)\\}").matcher(text);
        assertThat(m.find()).as("enum " + name + " in elementwise.cu").isTrue();
        List<String> out = new ArrayList<>();
        for (String c : m.group(1).split(",")) {
            c = c.trim();
            if (c.isEmpty()) continue;
            assertThat(c).startsWith(prefix);
            out.add(c.substring(prefix.length()));
        }
        return out;
    }

    /** Names of the .cu files beside common.cuh, from a folder (Maven) or a jar (the GPU bundle). */
    private static List<String> kernelSourcesOnClassPath() throws IOException {
        URL header = CudaKernels.class.getResource(CudaKernels.RESOURCES + CudaKernels.HEADER);
        assertThat(header).as("common.cuh on the class path").isNotNull();
        List<String> names = new ArrayList<>();
        if (header.getProtocol().equals("jar")) {
            String prefix = CudaKernels.RESOURCES.substring(1);
            try (JarFile jar = ((JarURLConnection) header.openConnection()).getJarFile()) {
                jar.stream().map(JarEntry::getName)
                        .filter(n -> n.startsWith(prefix) && n.endsWith(".cu") && n.indexOf('/', prefix.length()) < 0)
                        .forEach(n -> names.add(n.substring(prefix.length())));
            }
        } else {
            try (var files = Files.list(Path.of(URI.create(header.toString())).getParent())) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu")).forEach(names::add);
            }
        }
        return names;
    }

    private static Path onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, exe);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }
}
