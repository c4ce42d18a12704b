package dev.jerex.tensor.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jerex.tensor.Gradients;
import dev.jerex.tensor.NnOps;
import dev.jerex.tensor.Storage;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.BinaryOp;
import dev.jerex.tensor.backend.JavaBackend;
import dev.jerex.tensor.backend.ReduceOp;
import dev.jerex.tensor.backend.UnaryOp;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every kernel of the CUDA backend against the pure-Java reference on the same random inputs
 * (skipped without a usable GPU). Each check prints its largest difference, llm.c style.
 *
 * <p>Tolerances: element-wise functions agree to a few float ulps (CUDA's expf, erff, tanhf
 * are not correctly rounded; nvcc fuses a * b + c into one FMA); sums accumulate in double on
 * both sides; matrix products and atomicAdd sums differ in summation order.
 */
class CudaBackendTest {
    private static Backend cuda;
    private static final JavaBackend ref = new JavaBackend(1);
    private final Random rnd = new Random(42);

    private static String unavailable;

    @BeforeAll
    static void device() {
        unavailable = CudaBackend.unavailableReason();
        if (unavailable != null) return;
        cuda = new CudaBackend(1);
        System.out.println("[CudaBackendTest] " + cuda.device() + ", " + ((CudaBackend) cuda).architecture());
    }

    @BeforeEach
    void needsAGpu() {
        assumeTrue(unavailable == null, () -> "no usable GPU: " + unavailable);
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private float[] random(int n, float lo, float hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rnd.nextFloat();
        return v;
    }

    private float[] random(int n) {
        return random(n, -2f, 2f);
    }

    /** The same values on both backends. */
    private record Pair(Storage java, Storage cuda) {}

    private static Pair both(float[] values) {
        return new Pair(ref.upload(values), cuda.upload(values));
    }

    private static float[] read(Backend b, Storage s) {
        float[] out = new float[s.size()];
        b.download(s, 0, out, 0, out.length);
        return out;
    }

    /** |expected - actual| <= tol * (1 + |expected|) everywhere (NaN matches NaN); prints the largest gap. */
    private static void assertClose(String what, Pair p, double tol) {
        assertClose(what, read(ref, p.java()), read(cuda, p.cuda()), tol);
    }

    private static void assertClose(String what, float[] expected, float[] actual, double tol) {
        assertThat(actual.length).as(what + ": length").isEqualTo(expected.length);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i], a = actual[i];
            if (Float.isNaN(e) || Float.isNaN(a)) {
                if (Float.isNaN(e) != Float.isNaN(a)) fail(what + ": at " + i + " expected " + e + " but got " + a);
                continue;
            }
            if (Float.isInfinite(e) || Float.isInfinite(a)) {
                if (e != a) fail(what + ": at " + i + " expected " + e + " but got " + a);
                continue;
            }
            double gap = Math.abs(e - a) / (1 + Math.abs(e));
            if (gap > worst) {
                worst = gap;
                at = i;
            }
        }
        System.out.printf("[CudaBackendTest] %-48s max rel diff %.3g%n", what, worst);
        if (worst > tol) {
            fail(what + ": at " + at + " expected " + expected[at] + " but got " + actual[at] + " (relative gap " + worst + " > " + tol + ")");
        }
    }

    private static final double ELEMENTWISE = 2e-6, SUMS = 1e-5, PRODUCTS = 1e-4;

    // ---- memory ------------------------------------------------------------------------------------------

    @Test
    void uploadDownloadAndFill() {
        float[] v = random(1010);
        Storage s = cuda.upload(v);
        float[] back = new float[20];
        cuda.download(s, 995, back, 3, 15);
        for (int i = 0; i < 15; i++) assertThat(back[3 + i]).isEqualTo(v[995 + i]);
        Pair p = both(v);
        ref.fill(p.java(), 5, 1000, 0.25f);
        cuda.fill(p.cuda(), 5, 1000, 0.25f);
        assertClose("fill", p, 0);
        assertThat(cuda.upload(new float[0]).size()).isZero();
    }

    /** A GPU's workspace for chunked work: an eighth of its memory, between the CPU's 64 Mi floats and 1 Gi floats. */
    @Test
    void launchBoundWithAWorkspaceSizedByTheDevice() {
        assertThat(cuda.launchBound()).isTrue();
        assertThat(ref.launchBound()).isFalse();
        assertThat(cuda.workspaceFloats()).isBetween(ref.workspaceFloats(), 1L << 30);
        System.out.printf("[CudaBackendTest] workspace %,d floats on %s%n", cuda.workspaceFloats(), cuda.device());
    }

    @Test
    void releasedBlocksAreReused() {
        CudaBackend c = (CudaBackend) cuda;
        Storage s = c.allocate(123_456);
        long live = c.memoryInUse()[0];
        s.release();
        assertThat(c.memoryInUse()[0]).isLessThan(live);
        long cached = c.memoryInUse()[1];
        Storage again = c.allocate(123_000);   // same size class: served from the cache
        assertThat(c.memoryInUse()[1]).isLessThan(cached);
        again.release();
        assertThatThrownBy(() -> c.fill(s, 0, 1, 0f)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void kernelTimerAddsUpGpuTimeByName() {
        KernelTimer timer = new KernelTimer();
        Storage big = cuda.allocate(1 << 24);
        for (int i = 0; i < 3; i++) {
            timer.begin("fill 16M");
            cuda.fill(big, 0, 1 << 24, 1f);
            timer.end();
        }
        String report = timer.report();
        System.out.print(report);
        assertThat(report).containsPattern("fill 16M\\s+3\\s+\\d+\\.\\d");
        big.release();
    }

    @Test
    void hostStoragesAreRefusedWithAClearMessage() {
        Storage host = ref.upload(new float[4]);
        assertThatThrownBy(() -> cuda.fill(host, 0, 4, 1f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("storage of backend java");
    }

    // ---- copy ----------------------------------------------------------------------------------------------

    private void checkCopy(String what, int[] shape, int srcSize, int srcOffset, int[] srcStrides,
                           int dstSize, int dstOffset, int[] dstStrides) {
        Pair src = both(random(srcSize)), dst = both(random(dstSize));
        ref.copy(shape, src.java(), srcOffset, srcStrides, dst.java(), dstOffset, dstStrides);
        cuda.copy(shape, src.cuda(), srcOffset, srcStrides, dst.cuda(), dstOffset, dstStrides);
        assertClose("copy " + what, dst, 0);
    }

    @Test
    void stridedCopies() {
        checkCopy("contiguous [1000]", new int[] {1000}, 1003, 3, new int[] {1}, 1001, 1, new int[] {1});
        checkCopy("transpose [37, 53]", new int[] {37, 53}, 37 * 53, 0, new int[] {1, 37}, 37 * 53, 0, new int[] {53, 1});
        checkCopy("permute [4, 5, 6] -> (2, 0, 1)", new int[] {6, 4, 5}, 120, 0, new int[] {1, 30, 6}, 125, 5, new int[] {20, 5, 1});
        checkCopy("expand [1000] -> [4, 1000]", new int[] {4, 1000}, 1000, 0, new int[] {0, 1}, 4000, 0, new int[] {1000, 1});
        checkCopy("narrow into a wider row", new int[] {7, 9}, 63, 0, new int[] {9, 1}, 7 * 20, 4, new int[] {20, 1});
        checkCopy("rank 0", new int[0], 5, 2, new int[0], 5, 4, new int[0]);
        checkCopy("empty [3, 0]", new int[] {3, 0}, 4, 0, new int[] {0, 1}, 4, 0, new int[] {0, 1});
        // rank 8 that cannot merge: a reversed-axis permutation of [2, 3, 2, 3, 2, 2, 3, 2]
        int[] shape = {2, 3, 2, 3, 2, 2, 3, 2};
        int[] contiguous = new int[8], reversed = new int[8];
        int n = 1;
        for (int k = 7; k >= 0; k--) {
            contiguous[k] = n;
            n *= shape[k];
        }
        int m = 1;
        for (int k = 0; k < 8; k++) {
            reversed[k] = m;
            m *= shape[k];
        }
        checkCopy("rank 8 reversed axes", shape, n, 0, reversed, n, 0, contiguous);
        // rank 10, contiguous except one transposed pair: merges down to at most 8 axes
        int[] s10 = {2, 1, 3, 2, 1, 2, 2, 3, 1, 2};
        int[] c10 = new int[10];
        int n10 = 1;
        for (int k = 9; k >= 0; k--) {
            c10[k] = n10;
            n10 *= s10[k];
        }
        int[] t10 = c10.clone();
        int[] shape10 = s10.clone();
        shape10[6] = s10[7];
        shape10[7] = s10[6];
        t10[6] = c10[7];
        t10[7] = c10[6];
        checkCopy("rank 10, merged", shape10, n10, 0, t10, n10, 0, contiguousStrides(shape10));
    }

    private static int[] contiguousStrides(int[] shape) {
        int[] s = new int[shape.length];
        int n = 1;
        for (int k = shape.length - 1; k >= 0; k--) {
            s[k] = n;
            n *= shape[k];
        }
        return s;
    }

    // ---- element-wise ---------------------------------------------------------------------------------

    private float[] inputsFor(UnaryOp op, int n) {
        switch (op) {
            case LOG: case SQRT: case POW: return random(n, 0.05f, 4f);
            default: return random(n, -6f, 6f);
        }
    }

    @Test
    void everyUnaryOpAndItsDerivative() {
        int n = 1003;
        for (UnaryOp op : UnaryOp.values()) {
            float p = op == UnaryOp.POW ? 2.5f : 0.75f;
            Pair x = both(inputsFor(op, n + 3));
            Pair y = both(new float[n + 5]);
            ref.unary(op, p, x.java(), 3, y.java(), 5, n);
            cuda.unary(op, p, x.cuda(), 3, y.cuda(), 5, n);
            assertClose("unary " + op, y, op == UnaryOp.GELU || op == UnaryOp.TANH || op == UnaryOp.SOFTPLUS ? 1e-5 : ELEMENTWISE);

            // backward from the same saved output (the reference's) on both sides
            float[] yRef = read(ref, y.java());
            Pair ySaved = both(yRef), gy = both(random(n)), gx = both(new float[n + 2]);
            ref.unaryBackward(op, p, x.java(), 3, ySaved.java(), 5, gy.java(), 0, gx.java(), 2, n);
            cuda.unaryBackward(op, p, x.cuda(), 3, ySaved.cuda(), 5, gy.cuda(), 0, gx.cuda(), 2, n);
            assertClose("unaryBackward " + op, gx, 1e-5);
        }
        // without a saved output (y == null) for derivatives that do not need it
        Pair x = both(random(100)), gy = both(random(100)), gx = both(new float[100]);
        ref.unaryBackward(UnaryOp.RELU, 0f, x.java(), 0, null, 0, gy.java(), 0, gx.java(), 0, 100);
        cuda.unaryBackward(UnaryOp.RELU, 0f, x.cuda(), 0, null, 0, gy.cuda(), 0, gx.cuda(), 0, 100);
        assertClose("unaryBackward RELU, y == null", gx, 0);
    }

    /** Values on a coarse grid, so that EQ, MAX and GT see ties; masks are 0/1. */
    private float[] coarse(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (rnd.nextInt(9) - 4) * 0.5f;
        return v;
    }

    private void checkBinary(String what, BinaryOp op, int[] shape, int aSize, int aOffset, int[] aStrides,
                             int bSize, int bOffset, int[] bStrides) {
        float[] av = op == BinaryOp.DIV ? random(aSize) : coarse(aSize);
        float[] bv = op == BinaryOp.DIV ? random(bSize, 0.5f, 2f) : coarse(bSize);
        if (op == BinaryOp.MASKED_FILL) for (int i = 0; i < bv.length; i++) bv[i] = bv[i] > 0 ? 1f : 0f;
        Pair a = both(av), b = both(bv);
        int n = 1;
        for (int s : shape) n *= s;
        Pair out = both(random(n + 4));
        ref.binary(op, -7f, shape, a.java(), aOffset, aStrides, b.java(), bOffset, bStrides, out.java(), 4);
        cuda.binary(op, -7f, shape, a.cuda(), aOffset, aStrides, b.cuda(), bOffset, bStrides, out.cuda(), 4);
        assertClose("binary " + op + " " + what, out, ELEMENTWISE);
    }

    @Test
    void everyBinaryOpWithBroadcasting() {
        for (BinaryOp op : BinaryOp.values()) {
            checkBinary("same shape [7, 33]", op, new int[] {7, 33}, 231 + 2, 2, new int[] {33, 1}, 231, 0, new int[] {33, 1});
            checkBinary("[7, 33] + [33]", op, new int[] {7, 33}, 231, 0, new int[] {33, 1}, 33, 0, new int[] {0, 1});
            checkBinary("[7, 33] + [7, 1]", op, new int[] {7, 33}, 231, 0, new int[] {33, 1}, 7, 0, new int[] {1, 0});
            checkBinary("[5, 1, 4] + [1, 6, 4]", op, new int[] {5, 6, 4}, 20, 0, new int[] {4, 0, 1}, 24 + 1, 1, new int[] {0, 4, 1});
            checkBinary("transposed a", op, new int[] {9, 11}, 99, 0, new int[] {1, 9}, 99, 0, new int[] {11, 1});
            checkBinary("scalar (rank 0)", op, new int[0], 3, 1, new int[0], 2, 1, new int[0]);
            checkBinary("empty", op, new int[] {0, 5}, 1, 0, new int[] {5, 1}, 1, 0, new int[] {5, 1});
        }
    }

    @Test
    void reductions() {
        int[][] cases = {{3, 1000, 1}, {4, 17, 33}, {1, 4096, 1}, {2, 0, 3}, {5, 1, 1}, {1, 300, 768}, {6, 3, 2}};
        for (ReduceOp op : ReduceOp.values()) {
            for (int[] c : cases) {
                int outer = c[0], len = c[1], inner = c[2];
                Pair x = both(random(outer * len * inner + 2)), y = both(random(outer * inner + 1));
                ref.reduce(op, x.java(), 2, outer, len, inner, y.java(), 1);
                cuda.reduce(op, x.cuda(), 2, outer, len, inner, y.cuda(), 1);
                assertClose("reduce " + op + " [" + outer + ", " + len + ", " + inner + "]", y, SUMS);
            }
        }
    }

    @Test
    void sumOfSquaresOverSeveralParts() {
        // Parts from a few elements to several blocks' worth, one empty, at offsets.
        int[] counts = {1, 0, 255, 4097, 300_000, 70_001};
        Storage[] onJava = new Storage[counts.length], onCuda = new Storage[counts.length];
        int[] offsets = new int[counts.length];
        for (int p = 0; p < counts.length; p++) {
            offsets[p] = p % 3;
            Pair x = both(random(counts[p] + offsets[p]));
            onJava[p] = x.java();
            onCuda[p] = x.cuda();
        }
        double expected = ref.sumOfSquares(onJava, offsets, counts), actual = cuda.sumOfSquares(onCuda, offsets, counts);
        System.out.printf("[CudaBackendTest] %-48s rel diff %.3g%n", "sumOfSquares", Math.abs(expected - actual) / expected);
        assertThat(actual).isCloseTo(expected, within(SUMS * expected));   // the reference adds blocks of 4096 in float
        assertThat(cuda.sumOfSquares(new Storage[0], new int[0], new int[0])).isZero();
    }

    // ---- matrix products -------------------------------------------------------------------------------

    private void checkGemm(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta, int extraLd) {
        int lda = (ta ? m : k) + extraLd, ldb = (tb ? k : n) + extraLd, ldc = n + extraLd;
        int aRows = ta ? k : m, bRows = tb ? n : k;
        Pair a = both(random(3 + aRows * lda)), b = both(random(5 + bRows * ldb)), c = both(random(7 + m * ldc));
        ref.gemm(ta, tb, m, n, k, alpha, a.java(), 3, lda, b.java(), 5, ldb, beta, c.java(), 7, ldc);
        cuda.gemm(ta, tb, m, n, k, alpha, a.cuda(), 3, lda, b.cuda(), 5, ldb, beta, c.cuda(), 7, ldc);
        assertClose("gemm " + (ta ? "T" : "N") + (tb ? "T" : "N") + " " + m + "x" + n + "x" + k + " alpha " + alpha
                + " beta " + beta + " ld+" + extraLd, c, PRODUCTS);
    }

    @Test
    void gemmWithEveryTransposeFlagAndOffset() {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                checkGemm(ta, tb, 17, 23, 31, 1f, 0f, 0);
                checkGemm(ta, tb, 17, 23, 31, 0.7f, 1.3f, 3);
                checkGemm(ta, tb, 1, 40, 64, 1f, 0f, 0);      // one row
                checkGemm(ta, tb, 40, 1, 64, 1f, 1f, 0);      // one column
                checkGemm(ta, tb, 5, 6, 0, 1f, 0.5f, 0);      // k = 0: C = beta C
                checkGemm(ta, tb, 128, 96, 256, 1f, 0f, 0);
            }
        }
        checkGemm(false, false, 0, 5, 5, 1f, 0f, 0);          // nothing to do
    }

    @Test
    void batchedGemm() {
        int m = 9, n = 13, k = 21, batch = 4;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (boolean shareB : new boolean[] {false, true}) {
                    int lda = ta ? m : k, ldb = tb ? k : n;
                    long sa = (long) m * k + 2, sb = shareB ? 0 : (long) k * n + 1, sc = (long) m * n + 3;
                    Pair a = both(random((int) (1 + sa * batch))), b = both(random((int) (2 + k * n + sb * batch)));
                    Pair c = both(random((int) (3 + sc * batch)));
                    ref.gemmBatched(ta, tb, m, n, k, 1.5f, a.java(), 1, lda, sa, b.java(), 2, ldb, sb, 0.5f, c.java(), 3, n, sc, batch);
                    cuda.gemmBatched(ta, tb, m, n, k, 1.5f, a.cuda(), 1, lda, sa, b.cuda(), 2, ldb, sb, 0.5f, c.cuda(), 3, n, sc, batch);
                    assertClose("gemmBatched " + (ta ? "T" : "N") + (tb ? "T" : "N") + (shareB ? " shared B" : ""), c, PRODUCTS);
                }
            }
        }
    }

    // ---- fused rows --------------------------------------------------------------------------------------

    @Test
    void softmaxAndLogSoftmaxWithBackward() {
        int[][] cases = {{3, 1}, {5, 1000}, {2, 257}, {1, 4096}, {0, 8}};
        for (boolean log : new boolean[] {false, true}) {
            for (int[] c : cases) {
                int rows = c[0], cols = c[1];
                float[] xv = random(rows * cols + 1, -8f, 8f);
                if (rows > 1) {   // a fully masked row, and a partly masked one
                    for (int j = 0; j < cols; j++) xv[1 + j] = Float.NEGATIVE_INFINITY;
                    xv[1 + cols] = Float.NEGATIVE_INFINITY;
                }
                Pair x = both(xv), y = both(new float[rows * cols + 2]);
                ref.softmax(log, x.java(), 1, y.java(), 2, rows, cols);
                cuda.softmax(log, x.cuda(), 1, y.cuda(), 2, rows, cols);
                String what = (log ? "logSoftmax" : "softmax") + " [" + rows + ", " + cols + "]";
                assertClose(what, y, SUMS);

                float[] yRef = random(rows * cols, -1f, 0f);   // finite saved outputs for the backward
                if (!log) for (int i = 0; i < yRef.length; i++) yRef[i] = -yRef[i];
                Pair ys = both(yRef), gy = both(random(rows * cols + 3)), gx = both(new float[rows * cols]);
                ref.softmaxBackward(log, ys.java(), 0, gy.java(), 3, gx.java(), 0, rows, cols);
                cuda.softmaxBackward(log, ys.cuda(), 0, gy.cuda(), 3, gx.cuda(), 0, rows, cols);
                assertClose(what + " backward", gx, SUMS);
            }
        }
    }

    @Test
    void layerNormAndBackward() {
        int[][] cases = {{4, 1}, {6, 1000}, {3, 768}, {100, 33}, {1, 1}, {70, 5}};
        for (int[] c : cases) {
            int rows = c[0], cols = c[1];
            Pair x = both(random(rows * cols + 3, -3f, 5f)), gamma = both(random(cols + 1)), beta = both(random(cols + 2));
            Pair y = both(new float[rows * cols + 4]), mean = both(new float[rows]), rstd = both(new float[rows]);
            ref.layerNorm(x.java(), 3, gamma.java(), 1, beta.java(), 2, y.java(), 4, mean.java(), rstd.java(), rows, cols, 1e-5f);
            cuda.layerNorm(x.cuda(), 3, gamma.cuda(), 1, beta.cuda(), 2, y.cuda(), 4, mean.cuda(), rstd.cuda(), rows, cols, 1e-5f);
            String what = "layerNorm [" + rows + ", " + cols + "]";
            assertClose(what + " y", y, SUMS);
            assertClose(what + " mean", mean, SUMS);
            assertClose(what + " rstd", rstd, SUMS);

            // backward from the reference's saved statistics; ggamma / gbeta accumulate onto random values
            Pair m = both(read(ref, mean.java())), r = both(read(ref, rstd.java()));
            Pair gy = both(random(rows * cols + 1)), gx = both(new float[rows * cols + 2]);
            Pair gg = both(random(cols)), gb = both(random(cols));
            ref.layerNormBackward(x.java(), 3, gamma.java(), 1, m.java(), r.java(), gy.java(), 1, gx.java(), 2, gg.java(), gb.java(), rows, cols);
            cuda.layerNormBackward(x.cuda(), 3, gamma.cuda(), 1, m.cuda(), r.cuda(), gy.cuda(), 1, gx.cuda(), 2, gg.cuda(), gb.cuda(), rows, cols);
            assertClose(what + " gx", gx, 1e-4);
            assertClose(what + " ggamma", gg, SUMS);
            assertClose(what + " gbeta", gb, SUMS);
        }
    }

    @Test
    void gruCellAndBackward() {
        for (int[] c : new int[][] {{4, 3}, {64, 192}, {1, 1}, {37, 50}}) {
            int rows = c[0], hidden = c[1], stride = 3 * hidden + 5;   // strided rows of xt
            Pair xt = both(random(2 + rows * stride, -3f, 3f)), hh = both(random(1 + rows * 3 * hidden, -3f, 3f)), h = both(random(3 + rows * hidden));
            Pair next = both(new float[1 + rows * hidden]), gates = both(new float[2 + rows * 3 * hidden]);   // written from offsets 1, 2
            ref.gruCell(xt.java(), 2, stride, hh.java(), 1, h.java(), 3, next.java(), 1, gates.java(), 2, rows, hidden);
            cuda.gruCell(xt.cuda(), 2, stride, hh.cuda(), 1, h.cuda(), 3, next.cuda(), 1, gates.cuda(), 2, rows, hidden);
            String what = "gruCell [" + rows + ", " + hidden + "]";
            assertClose(what + " h'", next, 1e-5);
            assertClose(what + " gates", gates, 1e-5);

            Pair saved = both(read(ref, gates.java())), gNext = both(random(4 + rows * hidden));
            // gxt written from offset 1 with xt's row stride, ghh from 2, gh from 1
            Pair gxt = both(new float[1 + rows * stride]), ghh = both(new float[2 + rows * 3 * hidden]), gh = both(new float[1 + rows * hidden]);
            ref.gruCellBackward(saved.java(), 2, hh.java(), 1, h.java(), 3, gNext.java(), 4, gxt.java(), 1, stride, ghh.java(), 2, gh.java(), 1, rows, hidden);
            cuda.gruCellBackward(saved.cuda(), 2, hh.cuda(), 1, h.cuda(), 3, gNext.cuda(), 4, gxt.cuda(), 1, stride, ghh.cuda(), 2, gh.cuda(), 1, rows, hidden);
            assertClose(what + " gxt", gxt, 1e-5);
            assertClose(what + " ghh", ghh, 1e-5);
            assertClose(what + " gh", gh, 1e-5);
        }
    }

    @Test
    void lstmCellAndBackward() {
        for (int[] c : new int[][] {{4, 3}, {64, 192}, {1, 1}, {37, 50}}) {
            int rows = c[0], hidden = c[1], stride = 4 * hidden + 3, cStride = 2 * hidden;   // strided rows of xt; c as in a sequence's (h, c)
            Pair xt = both(random(2 + rows * stride, -3f, 3f)), hh = both(random(1 + rows * 4 * hidden, -3f, 3f)), cell = both(random(3 + rows * cStride));
            Pair out = both(new float[5 + rows * 2 * hidden]), act = both(new float[6 + rows * 5 * hidden]);
            ref.lstmCell(xt.java(), 2, stride, hh.java(), 1, cell.java(), 3, cStride, out.java(), 5, act.java(), 6, rows, hidden);
            cuda.lstmCell(xt.cuda(), 2, stride, hh.cuda(), 1, cell.cuda(), 3, cStride, out.cuda(), 5, act.cuda(), 6, rows, hidden);
            String what = "lstmCell [" + rows + ", " + hidden + "]";
            assertClose(what + " (h', c')", out, 1e-5);
            assertClose(what + " activations", act, 1e-5);

            int gcStride = 2 * hidden + 1;
            Pair saved = both(read(ref, act.java())), gOut = both(random(4 + rows * 2 * hidden));
            Pair gGates = both(new float[7 + rows * 4 * hidden]), gc = both(new float[1 + rows * gcStride]);
            ref.lstmCellBackward(saved.java(), 6, cell.java(), 3, cStride, gOut.java(), 4, gGates.java(), 7, gc.java(), 1, gcStride, rows, hidden);
            cuda.lstmCellBackward(saved.cuda(), 6, cell.cuda(), 3, cStride, gOut.cuda(), 4, gGates.cuda(), 7, gc.cuda(), 1, gcStride, rows, hidden);
            assertClose(what + " gGates", gGates, 1e-5);
            assertClose(what + " gc", gc, 1e-5);
        }
    }

    // ---- attention with a span hidden ------------------------------------------------------------------

    @Test
    void spanHiddenAttentionAndBackward() {
        int heads = 3, len = 7, width = 5;
        // every key hidden, the first, the last, the middle, and [1, 3) whose hidden key 1 scores +200
        int[] start = {0, 0, len - 1, 2, 1};
        int[] end = {len, 1, len, 5, 3};
        int spans = start.length;
        float[] sv = random(2 + heads * len * len, -3f, 3f);   // scores [H, L, L] from offset 2
        for (int h = 0; h < heads; h++) sv[2 + (h * len + 2) * len + 1] += 200f;   // scores[h, 2, 1]: lse != row max
        Pair scores = both(sv), values = both(random(3 + heads * len * width));
        Pair out = both(random(spans * len * width)), lse = both(random(spans * heads * len));
        ref.spanHiddenAttention(scores.java(), 2, values.java(), 3, heads, len, width, start, end, out.java(), lse.java());
        cuda.spanHiddenAttention(scores.cuda(), 2, values.cuda(), 3, heads, len, width, start, end, out.cuda(), lse.cuda());
        String what = "spanHiddenAttention [" + heads + ", " + len + ", " + width + "] x " + spans + " spans";
        assertClose(what + " out", out, PRODUCTS);
        assertClose(what + " lse", lse, SUMS);

        // backward from the reference's saved lse (-inf for the span that hides every key);
        // gScores and gValues start random: both must be written everywhere
        Pair saved = both(read(ref, lse.java())), gOut = both(random(1 + spans * len * width));
        Pair gScores = both(random(heads * len * len)), gValues = both(random(heads * len * width));
        ref.spanHiddenAttentionBackward(scores.java(), 2, values.java(), 3, saved.java(), gOut.java(), 1, heads, len, width,
                start, end, gScores.java(), gValues.java());
        cuda.spanHiddenAttentionBackward(scores.cuda(), 2, values.cuda(), 3, saved.cuda(), gOut.cuda(), 1, heads, len, width,
                start, end, gScores.cuda(), gValues.cuda());
        assertClose(what + " gScores", gScores, PRODUCTS);
        assertClose(what + " gValues", gValues, PRODUCTS);

        for (int[][] bad : new int[][][] {{{0, 2}, {1}}, {{3}, {3}}, {{-1}, {2}}, {{2}, {len + 1}}}) {
            assertThatThrownBy(() -> cuda.spanHiddenAttention(scores.cuda(), 2, values.cuda(), 3, heads, len, width,
                    bad[0], bad[1], out.cuda(), lse.cuda())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("spanHiddenAttention");
        }
    }

    // ---- indexing ----------------------------------------------------------------------------------------

    @Test
    void gatherAndScatterRows() {
        for (int len : new int[] {7, 1, 1000}) {
            int rows = 10;
            int[] index = {3, 0, 9, 3, 3, 5};
            Pair src = both(random(2 + rows * len)), dst = both(random(1 + index.length * len));
            ref.gatherRows(src.java(), 2, len, index, dst.java(), 1);
            cuda.gatherRows(src.cuda(), 2, len, index, dst.cuda(), 1);
            assertClose("gatherRows len " + len, dst, 0);

            Pair from = both(random(index.length * len + 4)), into = both(random(3 + rows * len));
            ref.scatterAddRows(from.java(), 4, len, index, into.java(), 3);
            cuda.scatterAddRows(from.cuda(), 4, len, index, into.cuda(), 3);
            assertClose("scatterAddRows len " + len + " (repeated rows)", into, ELEMENTWISE);
        }
        Pair src = both(random(10)), dst = both(random(5));
        ref.gatherRows(src.java(), 0, 5, new int[0], dst.java(), 0);
        cuda.gatherRows(src.cuda(), 0, 5, new int[0], dst.cuda(), 0);
        assertClose("gatherRows, no rows", dst, 0);
        assertThatThrownBy(() -> cuda.gatherRows(src.cuda(), 0, 5, new int[] {2}, dst.cuda(), 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void rangeMaxAndBackward() {
        int rows = 20, cols = 9;
        int[] start = {0, 4, 7, 19, 3, 12, 0};
        int[] end = {20, 5, 7, 20, 11, 10, 1};   // full, length 1, empty, last row, middle, end < start, first
        float[] sv = coarse(3 + rows * cols);    // ties: the first maximum must win
        Pair src = both(sv), dst = both(random(start.length * cols)), arg = both(random(start.length * cols));
        ref.rangeMax(src.java(), 3, cols, start, end, dst.java(), arg.java());
        cuda.rangeMax(src.cuda(), 3, cols, start, end, dst.cuda(), arg.cuda());
        assertClose("rangeMax values", dst, 0);
        assertClose("rangeMax argmax", arg, 0);

        Pair argSaved = both(read(ref, arg.java())), gdst = both(random(start.length * cols)), gsrc = both(random(1 + rows * cols));
        ref.rangeMaxBackward(gdst.java(), argSaved.java(), start.length, cols, gsrc.java(), 1);
        cuda.rangeMaxBackward(gdst.cuda(), argSaved.cuda(), start.length, cols, gsrc.cuda(), 1);
        assertClose("rangeMaxBackward", gsrc, ELEMENTWISE);
    }

    @Test
    void adamwBothDecayConventions() {
        for (boolean before : new boolean[] {true, false}) {
            int n = 1001;
            Pair p = both(random(n + 2)), g = both(random(n + 1)), m = both(random(n, -0.1f, 0.1f)), v = both(random(n, 0f, 0.1f));
            ref.adamw(p.java(), 2, g.java(), 1, 0.7f, m.java(), v.java(), n, 0.9f, 0.999f, 1e-8f, 1e-3f, 1.01f, 1e-4f, before);
            cuda.adamw(p.cuda(), 2, g.cuda(), 1, 0.7f, m.cuda(), v.cuda(), n, 0.9f, 0.999f, 1e-8f, 1e-3f, 1.01f, 1e-4f, before);
            assertClose("adamw p (decay before " + before + ")", p, 1e-5);
            assertClose("adamw m", m, 1e-5);
            assertClose("adamw v", v, 1e-5);
        }
    }

    // ---- through the Tensor API ---------------------------------------------------------------------------

    @Test
    void tensorOpsAndGradientsMatchTheReference() {
        float[] av = random(8 * 16), bv = random(16 * 12), gammaV = random(12), betaV = random(12);
        float[][] results = new float[2][];
        float[][][] grads = new float[2][][];
        Backend[] backends = {ref, cuda};
        for (int i = 0; i < 2; i++) {
            Backend be = backends[i];
            Tensor a = Tensor.of(be, av, 8, 16).requiresGrad(true), b = Tensor.of(be, bv, 16, 12).requiresGrad(true);
            Tensor gamma = Tensor.of(be, gammaV, 12).requiresGrad(true), beta = Tensor.of(be, betaV, 12).requiresGrad(true);
            Tensor h = a.matmul(b);                                  // [8, 12]
            Tensor ln = NnOps.layerNorm(h, gamma, beta, 1e-5f);      // [8, 12]
            Tensor s = ln.softmax(-1).mul(ln.t().matmul(ln).sum());  // softmax and a matmul with a transposed view
            Tensor loss = s.mul(s).sum();
            results[i] = s.toArray();
            Gradients gr = loss.backward();
            grads[i] = new float[][] {gr.get(a).toArray(), gr.get(b).toArray(), gr.get(gamma).toArray(), gr.get(beta).toArray()};
        }
        assertClose("tensor: softmax(layerNorm(a @ b)) * ...", results[0], results[1], 1e-4);
        String[] names = {"a", "b", "gamma", "beta"};
        for (int j = 0; j < 4; j++) assertClose("tensor: gradient of " + names[j], grads[0][j], grads[1][j], 1e-3);
    }
}
