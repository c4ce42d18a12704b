package dev.jerex.tensor.backend;

import java.nio.FloatBuffer;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Single-precision matrix product in pure Java, organised the way BLIS and OpenBLAS organise
 * theirs (Goto's algorithm): C is computed in MR x NR tiles by a micro-kernel that keeps the
 * tile in registers, reading A and B from packed copies laid out in the order the kernel
 * consumes them:
 *
 * <pre>
 * for jc in N step NC:                      B block [KC x NC] packed once  (L2 / L3)
 *   for pc in K step KC:
 *     pack alpha * B[pc:pc+KC, jc:jc+NC] into NR-wide panels
 *     for ic in M step MC:                  A block [MC x KC] packed        (L2)
 *       pack A[ic:ic+MC, pc:pc+KC] into MR-tall panels
 *       for each NR panel of B:             one B panel [KC x NR]            (L1)
 *         for each MR panel of A:
 *           C[MR x NR] += A_panel * B_panel        (micro-kernel)
 * </pre>
 *
 * Transposed operands are handled while packing, so op(A) and op(B) cost nothing extra. The
 * micro-kernel is {@link VectorMicroKernel} (Vector API, one FMA per lane per cycle) when the JVM
 * runs with {@code --add-modules jdk.incubator.vector}, else {@link ScalarMicroKernel}.
 */
final class JavaGemm {
    static final int KC = 256;
    static final int MC_PANELS = 20;   // MC = 20 * MR
    static final int NC = 1024;

    private final MicroKernel kernel;
    private final int mr, nr;
    private final int threads;
    private final ForkJoinPool pool;
    private final ThreadLocal<float[][]> buffers;

    JavaGemm(int threads, ForkJoinPool pool) {
        this.kernel = MicroKernel.best();
        this.mr = kernel.mr();
        this.nr = kernel.nr();
        this.threads = threads;
        this.pool = pool;
        int ncRounded = (NC + nr - 1) / nr * nr;
        this.buffers = ThreadLocal.withInitial(() -> new float[][] {
            new float[KC * MC_PANELS * mr],      // packed A block
            new float[KC * ncRounded],           // packed B block
            new float[mr * nr],                  // one C tile
        });
    }

    boolean usesVectorApi() {
        return kernel instanceof VectorMicroKernel;
    }

    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              FloatBuffer a, int aOff, int lda, FloatBuffer b, int bOff, int ldb,
              float beta, FloatBuffer c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        scale(c, cOff, ldc, m, n, beta);
        if (k == 0 || alpha == 0f) return;
        // Split C into column strips (or row strips when C is tall and narrow), one per thread.
        int parts = pool == null ? 1 : threads;
        long flops = 2L * m * n * k;
        if (parts == 1 || flops < 4_000_000L) {
            blocked(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            return;
        }
        boolean splitN = n >= m || n >= parts * nr * 4;
        pool.submit(() -> IntStream.range(0, parts).parallel().forEach(t -> {
            if (splitN) {
                int unit = nr, units = (n + unit - 1) / unit;
                int from = Math.min(n, units * t / parts * unit), to = Math.min(n, units * (t + 1) / parts * unit);
                if (from >= to) return;
                int bShift = transB ? from * ldb : from;
                blocked(transA, transB, m, to - from, k, alpha, a, aOff, lda, b, bOff + bShift, ldb, c, cOff + from, ldc);
            } else {
                int unit = mr, units = (m + unit - 1) / unit;
                int from = Math.min(m, units * t / parts * unit), to = Math.min(m, units * (t + 1) / parts * unit);
                if (from >= to) return;
                int aShift = transA ? from : from * lda;
                blocked(transA, transB, to - from, n, k, alpha, a, aOff + aShift, lda, b, bOff, ldb, c, cOff + from * ldc, ldc);
            }
        })).join();
    }

    /** C = beta * C over an m x n block (beta 0 clears, so NaNs in fresh memory do not leak). */
    private static void scale(FloatBuffer c, int cOff, int ldc, int m, int n, float beta) {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) c.put(row + j, beta == 0f ? 0f : beta * c.get(row + j));
        }
    }

    /** C += alpha * op(A) op(B), single-threaded, blocked as in the class comment. */
    private void blocked(boolean transA, boolean transB, int m, int n, int k, float alpha,
                         FloatBuffer a, int aOff, int lda, FloatBuffer b, int bOff, int ldb,
                         FloatBuffer c, int cOff, int ldc) {
        float[][] buf = buffers.get();
        float[] packedA = buf[0], packedB = buf[1], tile = buf[2];
        int mc = MC_PANELS * mr;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(transB, b, bOff, ldb, pc, kc, jc, nc, alpha, packedB);
                for (int ic = 0; ic < m; ic += mc) {
                    int mcCur = Math.min(mc, m - ic);
                    packA(transA, a, aOff, lda, ic, mcCur, pc, kc, packedA);
                    for (int jr = 0; jr < nc; jr += nr) {
                        int nrCur = Math.min(nr, nc - jr);
                        int bPanel = (jr / nr) * kc * nr;
                        for (int ir = 0; ir < mcCur; ir += mr) {
                            int mrCur = Math.min(mr, mcCur - ir);
                            kernel.multiply(kc, packedA, (ir / mr) * kc * mr, packedB, bPanel, tile);
                            addTile(tile, mrCur, nrCur, c, cOff + (ic + ir) * ldc + jc + jr, ldc);
                        }
                    }
                }
            }
        }
    }

    /** C[0:rows, 0:cols] += tile (the tile is MR x NR; edge tiles use part of it). */
    private void addTile(float[] tile, int rows, int cols, FloatBuffer c, int cOff, int ldc) {
        for (int i = 0; i < rows; i++) {
            int row = cOff + i * ldc, t = i * nr;
            for (int j = 0; j < cols; j++) c.put(row + j, c.get(row + j) + tile[t + j]);
        }
    }

    /**
     * Packs alpha * op(B)[pc:pc+kc, jc:jc+nc] as NR-wide panels: panel q holds, for each p,
     * the NR values op(B)[pc+p, jc+q*NR .. jc+q*NR+NR-1], zero-padded past column nc.
     */
    private void packB(boolean transB, FloatBuffer b, int bOff, int ldb, int pc, int kc, int jc, int nc,
                       float alpha, float[] packed) {
        int panels = (nc + nr - 1) / nr;
        for (int q = 0; q < panels; q++) {
            int base = q * kc * nr, col0 = jc + q * nr, cols = Math.min(nr, nc - q * nr);
            for (int p = 0; p < kc; p++) {
                int dst = base + p * nr;
                int row = pc + p;
                if (!transB) {
                    int src = bOff + row * ldb + col0;
                    for (int j = 0; j < cols; j++) packed[dst + j] = alpha * b.get(src + j);
                } else {
                    int src = bOff + col0 * ldb + row;
                    for (int j = 0; j < cols; j++) packed[dst + j] = alpha * b.get(src + j * ldb);
                }
                for (int j = cols; j < nr; j++) packed[dst + j] = 0f;
            }
        }
    }

    /**
     * Packs op(A)[ic:ic+mc, pc:pc+kc] as MR-tall panels: panel q holds, for each p, the MR values
     * op(A)[ic+q*MR .. ic+q*MR+MR-1, pc+p], zero-padded past row mc.
     */
    private void packA(boolean transA, FloatBuffer a, int aOff, int lda, int ic, int mc, int pc, int kc, float[] packed) {
        int panels = (mc + mr - 1) / mr;
        for (int q = 0; q < panels; q++) {
            int base = q * kc * mr, row0 = ic + q * mr, rows = Math.min(mr, mc - q * mr);
            for (int i = 0; i < rows; i++) {
                if (!transA) {
                    int src = aOff + (row0 + i) * lda + pc;
                    for (int p = 0; p < kc; p++) packed[base + p * mr + i] = a.get(src + p);
                } else {
                    int src = aOff + pc * lda + row0 + i;
                    for (int p = 0; p < kc; p++) packed[base + p * mr + i] = a.get(src + p * lda);
                }
            }
            for (int i = rows; i < mr; i++) {
                for (int p = 0; p < kc; p++) packed[base + p * mr + i] = 0f;
            }
        }
    }
}
