package dev.jerex.tensor.perf;

import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.Backends;
import dev.jerex.tensor.backend.JavaBackend;
import java.util.Arrays;

/**
 * A quick side-by-side sgemm timing (not a JUnit test): OpenBLAS vs the pure-Java backend on the
 * same buffers, interleaved round by round so both see the same machine load; prints medians.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp core-tensor/target/classes:core-tensor/target/test-classes:$CP \
 *     dev.jerex.tensor.perf.GemmProbe 512x512x512 128x768x768 [--rounds 15] [--nt]
 * </pre>
 * --nt / --tn time op(B) = B^T / op(A) = A^T (the backward-pass layouts).
 */
public final class GemmProbe {
    public static void main(String[] args) {
        int rounds = 15, rounds0;
        boolean transA = false, transB = false;
        java.util.List<String> shapes = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds": rounds = Integer.parseInt(args[++i]); break;
                case "--nt": transB = true; break;
                case "--tn": transA = true; break;
                default: shapes.add(args[i]);
            }
        }
        if (shapes.isEmpty()) shapes = Arrays.asList("256x256x256", "512x512x512", "1024x1024x1024", "128x768x768", "128x768x3072");
        Backend blas = Backends.create("openblas", 1);
        JavaBackend java = new JavaBackend(1);
        System.out.printf("# vectorApi=%s transA=%s transB=%s rounds=%d%n", java.usesVectorApi(), transA, transB, rounds);
        rounds0 = rounds;
        for (String s : shapes) {
            rounds = rounds0;
            String[] p = s.split("x");
            int m = Integer.parseInt(p[0]), k = Integer.parseInt(p[1]), n = Integer.parseInt(p[2]);
            Tensor a = Tensor.rand(java, new Rng(1), -1f, 1f, transA ? k * m : m * k);
            Tensor b = Tensor.rand(java, new Rng(2), -1f, 1f, transB ? n * k : k * n);
            Tensor c1 = Tensor.zeros(java, m * n), c2 = Tensor.zeros(java, m * n);
            int lda = transA ? m : k, ldb = transB ? k : n;
            double flops = 2.0 * m * n * k;
            // One call of each, alternating, per round: both see the same load; medians per call.
            int calls = Math.max(rounds, (int) Math.min(400, 3e10 / flops));
            double[] tb = new double[calls], tj = new double[calls];
            for (int r = 0; r < calls; r++) {
                long t0 = System.nanoTime();
                blas.gemm(transA, transB, m, n, k, 1f, a.storage(), 0, lda, b.storage(), 0, ldb, 0f, c1.storage(), 0, n);
                long t1 = System.nanoTime();
                java.gemm(transA, transB, m, n, k, 1f, a.storage(), 0, lda, b.storage(), 0, ldb, 0f, c2.storage(), 0, n);
                long t2 = System.nanoTime();
                tb[r] = (t1 - t0) / 1e6;
                tj[r] = (t2 - t1) / 1e6;
            }
            rounds = calls;
            float[] x = c1.toArray(), y = c2.toArray();
            double maxDiff = 0;
            for (int i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]) / Math.max(1, Math.abs(x[i])));
            // drop the first third as warm-up
            double mb = median(Arrays.copyOfRange(tb, rounds / 3, rounds)), mj = median(Arrays.copyOfRange(tj, rounds / 3, rounds));
            System.out.printf("%-16s openblas %8.3f ms %6.1f GF | java %8.3f ms %6.1f GF | ratio(blas/java) %.3f  spread java %.0f%%  maxdiff %.1e%n",
                    s, mb, flops / mb / 1e6, mj, flops / mj / 1e6, mb / mj, spread(Arrays.copyOfRange(tj, rounds / 3, rounds)) * 100, maxDiff);
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** (max - min) / median: how noisy the rounds were. */
    static double spread(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return (s[s.length - 1] - s[0]) / median(v);
    }
}
