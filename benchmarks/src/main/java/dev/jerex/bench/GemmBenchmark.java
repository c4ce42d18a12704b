package dev.jerex.bench;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.TensorScope;
import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.Backends;
import dev.jerex.tensor.backend.HostStorage;
import dev.jerex.tensor.backend.JavaBackend;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * sgemm C[M,N] = A[M,K] B[K,N], one thread, three ways side by side in one run:
 * <ul>
 *   <li>{@code tensorOpenBlas}: {@code a.matmul(b)} through the Tensor API on the OpenBLAS backend
 *       (graph bookkeeping, output allocation from the pool, the cblas call);</li>
 *   <li>{@code rawCblas}: {@code cblas_sgemm} called directly on the same off-heap buffers into a
 *       preallocated C — the ceiling for the first;</li>
 *   <li>{@code tensorJava}: {@code a.matmul(b)} on the pure-Java backend (Vector API kernel when
 *       the fork runs with {@code --add-modules jdk.incubator.vector}, as configured here).</li>
 * </ul>
 * Every setup first checks the result of the path it times against the pure-Java backend.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@Threads(1)
public class GemmBenchmark {

    /** M x K x N. */
    @Param({"256x256x256", "512x512x512", "1024x1024x1024",
            "32x768x768", "128x768x768", "512x768x768",
            "32x768x3072", "128x768x3072", "512x768x3072",
            "32x384x384", "128x384x384"})
    public String shape;

    private int m, k, n;
    private Tensor aBlas, bBlas, aJava, bJava;
    private FloatPointer pa, pb, pc;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = shape.split("x");
        m = Integer.parseInt(p[0]);
        k = Integer.parseInt(p[1]);
        n = Integer.parseInt(p[2]);
        Backend blas = Backends.create("openblas", 1);
        JavaBackend java = new JavaBackend(1);
        aJava = Tensor.rand(java, new Rng(1), -1f, 1f, m, k);
        bJava = Tensor.rand(java, new Rng(2), -1f, 1f, k, n);
        aBlas = aJava.to(blas);
        bBlas = bJava.to(blas);
        Tensor cBlas = Tensor.zeros(blas, m, n);
        pa = new FloatPointer(((HostStorage) aBlas.storage()).data);
        pb = new FloatPointer(((HostStorage) bBlas.storage()).data);
        pc = new FloatPointer(((HostStorage) cBlas.storage()).data);

        float[] reference = aJava.matmul(bJava).toArray();
        Check.close("tensorOpenBlas " + shape, reference, aBlas.matmul(bBlas).toArray(), 1e-3f);
        rawCblas();
        Check.close("rawCblas " + shape, reference, cBlas.toArray(), 1e-3f);
        if (!java.usesVectorApi()) System.out.println("# note: pure-Java backend without the Vector API");
    }

    @Benchmark
    public float tensorOpenBlas() {
        try (TensorScope scope = TensorScope.open()) {
            Tensor c = aBlas.matmul(bBlas);
            return c.numel();
        }
    }

    @Benchmark
    public FloatPointer rawCblas() {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1f, pa, k, pb, n, 0f, pc, n);
        return pc;
    }

    @Benchmark
    public float tensorJava() {
        try (TensorScope scope = TensorScope.open()) {
            Tensor c = aJava.matmul(bJava);
            return c.numel();
        }
    }
}
