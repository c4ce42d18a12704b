package dev.jerex.bench;

import ai.onnxruntime.OrtEnvironment;
import dev.jerex.tensor.backend.Backends;
import dev.jerex.tensor.backend.JavaBackend;
import dev.jerex.tensor.backend.OpenBlasBackend;

/**
 * The library versions a benchmark run actually loads, one {@code key=value} a line (read by
 * {@code benchmarks/report/machine_info.py}): the JDK, OpenBLAS's build configuration and core,
 * ONNX Runtime, and whether the pure-Java backend uses the Vector API.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar dev.jerex.bench.Versions</pre>
 */
public final class Versions {
    private Versions() {}

    public static void main(String[] args) {
        System.out.println("jdk=" + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + ")");
        Backends.create("openblas", 1);   // loads the natives
        System.out.println("openblas=" + OpenBlasBackend.config());
        System.out.println("onnxruntime=" + OrtEnvironment.getEnvironment().getVersion());
        System.out.println("vector_api=" + new JavaBackend(1).usesVectorApi());
    }
}
