package dev.jerex.tensor.backend.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.cublasSgemm_v2;
import static org.bytedeco.cuda.global.cudart.cudaDeviceSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaEventCreate;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventElapsedTime;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaEventSynchronize;

import dev.jerex.tensor.Storage;
import dev.jerex.tensor.backend.JavaBackend;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Row-major sgemm C[M, N] = A[M, K] B[K, N] on the GPU: through our Backend API
 * ({@link CudaBackend#gemm}) against a raw {@code cublasSgemm_v2} call on the same device
 * buffers, for BERT-base shapes and two squares. Each shape is first validated against the
 * pure-Java reference on the host; then both variants are warmed up and timed alternately, each
 * run between two CUDA events (so host-side overhead before the launch counts), and the median of
 * the timed runs is reported.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp ... dev.jerex.tensor.backend.cuda.CudaGemmBench}
 * (gpu/run.sh does). Exit status 2 when there is no usable GPU, 1 when a result is wrong.
 */
public final class CudaGemmBench {
    // Warm-up runs: enough calls that the JIT has compiled the Java side of both paths (an
    // interpreted call costs microseconds, which is the whole gap at M = 128); then timed runs.
    private static final int WARMUP = 2000, RUNS = 50;
    private static final int[][] SHAPES = {   // M, K, N
        {128, 768, 768}, {128, 768, 3072}, {512, 768, 768}, {512, 768, 3072}, {4096, 768, 768}, {4096, 768, 3072},
        {1024, 1024, 1024}, {2048, 2048, 2048},
    };

    private CudaGemmBench() {}

    public static void main(String[] args) {
        String reason = CudaBackend.unavailableReason();
        if (reason != null) {
            System.err.println("CudaGemmBench: no usable GPU: " + reason);
            System.exit(2);
        }
        CudaBackend cuda = new CudaBackend(1);
        JavaBackend host = new JavaBackend(Runtime.getRuntime().availableProcessors());
        System.out.println("CudaGemmBench on " + cuda.device() + ", " + cuda.architecture()
                + "; host reference: java, " + host.threads() + " threads, vector API " + host.usesVectorApi());
        System.out.println("fp32 sgemm, row-major C = A B; median of " + RUNS + " runs after " + WARMUP + " warm-up runs, timed with CUDA events");
        System.out.printf(Locale.ROOT, "%-18s %10s %10s %12s %12s %10s %12s%n",
                "M x K x N", "ours ms", "raw ms", "ours GFLOPS", "raw GFLOPS", "ours/raw", "max rel err");
        boolean allValid = true;
        Random rnd = new Random(7);
        for (int[] s : SHAPES) {
            int m = s[0], k = s[1], n = s[2];
            float[] a = random(rnd, m * k), b = random(rnd, k * n);
            Storage da = cuda.upload(a), db = cuda.upload(b), dc = cuda.allocate(m * n);

            // 1. validate: ours vs the host reference, and raw cuBLAS vs ours
            cuda.gemm(false, false, m, n, k, 1f, da, 0, k, db, 0, n, 0f, dc, 0, n);
            float[] ours = new float[m * n];
            cuda.download(dc, 0, ours, 0, ours.length);
            Storage ha = host.upload(a), hb = host.upload(b), hc = host.allocate(m * n);
            host.gemm(false, false, m, n, k, 1f, ha, 0, k, hb, 0, n, 0f, hc, 0, n);
            float[] expected = new float[m * n];
            host.download(hc, 0, expected, 0, expected.length);
            hc.release();
            double err = maxRelativeError(expected, ours);
            RawGemm raw = new RawGemm(cuda, da, db, dc, m, n, k);
            raw.run();
            float[] rawOut = new float[m * n];
            cuda.download(dc, 0, rawOut, 0, rawOut.length);
            err = Math.max(err, maxRelativeError(expected, rawOut));
            boolean valid = err < 1e-3;
            allValid &= valid;

            // 2. time both, alternating, with events around each call
            double[] oursMs = new double[RUNS], rawMs = new double[RUNS];
            try (Timer t = new Timer()) {
                for (int i = 0; i < WARMUP; i++) {
                    cuda.gemm(false, false, m, n, k, 1f, da, 0, k, db, 0, n, 0f, dc, 0, n);
                    raw.run();
                }
                Cudart.check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
                for (int i = 0; i < RUNS; i++) {
                    oursMs[i] = t.time(() -> cuda.gemm(false, false, m, n, k, 1f, da, 0, k, db, 0, n, 0f, dc, 0, n));
                    rawMs[i] = t.time(raw::run);
                }
            }
            double o = median(oursMs), r = median(rawMs), flop = 2.0 * m * n * k;
            System.out.printf(Locale.ROOT, "%-18s %10.4f %10.4f %12.1f %12.1f %10.3f %12.2e%s%n",
                    m + " x " + k + " x " + n, o, r, flop / o / 1e6, flop / r / 1e6, r / o, err, valid ? "" : "  WRONG RESULT");
            da.release();
            db.release();
            dc.release();
        }
        System.out.println("ours/raw is raw time / our time: 1.000 = no overhead from the Backend API.");
        if (!allValid) {
            System.out.println("CudaGemmBench: some results did not match the host reference");
            System.exit(1);
        }
    }

    /** The same product as CudaBackend.gemm, as one direct cuBLAS call (operand swap for row-major). */
    private static final class RawGemm {
        final CudaBackend cuda;
        final FloatPointer a, b, c, alpha = new FloatPointer(1f), beta = new FloatPointer(0f);
        final int m, n, k;

        RawGemm(CudaBackend cuda, Storage a, Storage b, Storage c, int m, int n, int k) {
            this.cuda = cuda;
            this.a = new FloatPointer(Cudart.at(CudaBackend.at(a, 0)));
            this.b = new FloatPointer(Cudart.at(CudaBackend.at(b, 0)));
            this.c = new FloatPointer(Cudart.at(CudaBackend.at(c, 0)));
            this.m = m;
            this.n = n;
            this.k = k;
        }

        void run() {
            Cublas.check(cublasSgemm_v2(cuda.cublasHandle(), CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, alpha, b, n, a, k, beta, c, n),
                    "cublasSgemm_v2");
        }
    }

    /** Two CUDA events on the default stream; time(run) = GPU time from before the call to after its work. */
    private static final class Timer implements AutoCloseable {
        final CUevent_st start = new CUevent_st(), stop = new CUevent_st();
        final float[] ms = new float[1];

        Timer() {
            Cudart.check(cudaEventCreate(start), "cudaEventCreate");
            Cudart.check(cudaEventCreate(stop), "cudaEventCreate");
        }

        double time(Runnable r) {
            Cudart.check(cudaEventRecord(start, (CUstream_st) null), "cudaEventRecord");
            r.run();
            Cudart.check(cudaEventRecord(stop, (CUstream_st) null), "cudaEventRecord");
            Cudart.check(cudaEventSynchronize(stop), "cudaEventSynchronize");
            Cudart.check(cudaEventElapsedTime(ms, start, stop), "cudaEventElapsedTime");
            return ms[0];
        }

        @Override
        public void close() {
            cudaEventDestroy(start);
            cudaEventDestroy(stop);
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextFloat() * 2 - 1;
        return v;
    }

    private static double maxRelativeError(float[] expected, float[] actual) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double gap = Math.abs(expected[i] - actual[i]) / (1 + Math.abs(expected[i]));
            if (Double.isNaN(gap)) return Double.POSITIVE_INFINITY;
            worst = Math.max(worst, gap);
        }
        return worst;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
