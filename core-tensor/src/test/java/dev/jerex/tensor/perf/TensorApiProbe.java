package dev.jerex.tensor.perf;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.TensorScope;
import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.Backends;
import dev.jerex.tensor.backend.HostStorage;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The Tensor API's overhead around OpenBLAS, measured fairly (not a JUnit test): {@code a.matmul(b)}
 * on the OpenBLAS backend and raw {@code cblas_sgemm} on the same off-heap buffers, interleaved
 * round by round in one process, one thread, so both see the same machine load (JMH runs them in
 * separate forks minutes apart). Prints the median time per call of each and the speed ratio
 * raw / Tensor API.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "core-tensor/target/classes:core-tensor/target/test-classes:$CP" \
 *     dev.jerex.tensor.perf.TensorApiProbe [--rounds 21] [MxKxN ...]
 * </pre>
 */
public final class TensorApiProbe {
    public static void main(String[] args) {
        int rounds = 21;
        java.util.List<String> shapes = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--rounds")) rounds = Integer.parseInt(args[++i]);
            else shapes.add(args[i]);
        }
        if (shapes.isEmpty()) {
            shapes = Arrays.asList("256x256x256", "512x512x512", "1024x1024x1024", "32x768x768", "128x768x768", "512x768x768",
                    "32x768x3072", "128x768x3072", "512x768x3072", "32x384x384", "128x384x384");
        }
        Backend blas = Backends.create("openblas", 1);
        double[] ratios = new double[shapes.size()];
        System.out.printf("%-16s %12s %12s %10s%n", "M x K x N", "tensor ms", "raw ms", "raw/tensor");
        for (int s = 0; s < shapes.size(); s++) {
            String[] p = shapes.get(s).split("x");
            int m = Integer.parseInt(p[0]), k = Integer.parseInt(p[1]), n = Integer.parseInt(p[2]);
            Tensor a = Tensor.rand(blas, new Rng(1), -1f, 1f, m, k), b = Tensor.rand(blas, new Rng(2), -1f, 1f, k, n);
            Tensor c = Tensor.zeros(blas, m, n);
            FloatPointer pa = new FloatPointer(((HostStorage) a.storage()).data), pb = new FloatPointer(((HostStorage) b.storage()).data),
                    pc = new FloatPointer(((HostStorage) c.storage()).data);
            int calls = (int) Math.max(3, Math.min(200, 2e8 / (2.0 * m * n * k)));
            double[] tensor = new double[rounds], raw = new double[rounds];
            for (int r = -3; r < rounds; r++) {   // 3 warm-up rounds
                long t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    try (TensorScope scope = TensorScope.open()) {
                        a.matmul(b);
                    }
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < calls; i++) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1f, pa, k, pb, n, 0f, pc, n);
                long t2 = System.nanoTime();
                if (r >= 0) {
                    tensor[r] = (t1 - t0) / 1e6 / calls;
                    raw[r] = (t2 - t1) / 1e6 / calls;
                }
            }
            double mt = median(tensor), mr = median(raw);
            ratios[s] = mr / mt;
            System.out.printf("%-16s %12.4f %12.4f %10.3f%n", shapes.get(s), mt, mr, ratios[s]);
        }
        System.out.printf("median speed ratio raw / Tensor API: %.3f%n", median(ratios));
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
