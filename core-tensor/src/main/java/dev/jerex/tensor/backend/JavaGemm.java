package dev.jerex.tensor.backend;

import java.nio.FloatBuffer;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Single-precision matrix product in pure Java, organised the way BLIS and OpenBLAS organise
 * theirs (Goto's algorithm, "Anatomy of High-Performance Matrix Multiplication", Goto & van de
 * Geijn 2008; BLIS's five loops around the micro-kernel). C is computed in MR x NR tiles by a
 * micro-kernel that keeps the tile in registers, reading A and B from packed copies laid out in
 * the order the kernel consumes them:
 *
 * <pre>
 * for jc in N step NC:                          C strip [m x NC] copied to a heap block once
 *   for ic0 in M step MB:                       (MB = all of m unless the block would be huge)
 *     cBlock = beta * C[ic0:ic0+MB, jc:jc+NC]   bulk row reads; beta = 0 reads nothing
 *     for pc in K step KC:
 *       pack alpha * op(B)[pc:pc+KC, jc:jc+NC] into NR-wide panels        (~ L3: KC x NC)
 *       for ic in MB step MC:
 *         pack op(A)[ic:ic+MC, pc:pc+KC] into MR-tall panels               (L2: MC x KC)
 *         for each NR panel of B:                                          (L1: KC x NR)
 *           for each MR panel of A:
 *             cBlock[MR x NR] += A_panel * B_panel     (micro-kernel, in registers)
 *     C[ic0:ic0+MB, jc:jc+NC] = cBlock                 bulk row writes
 * </pre>
 *
 * Why a heap C block: the operands live in direct {@link FloatBuffer}s (off-heap, shared with
 * OpenBLAS). Element-wise {@code get/put} on them costs a bounds check and an address
 * computation per float; bulk transfers of whole rows cost one call per row. So every operand
 * crosses the buffer boundary in bulk exactly once per use: A and B while packing (which reads
 * them anyway), C once per column strip. The C block is padded to whole MR x NR tiles, so edge
 * tiles need no special case in the kernel: their extra rows and columns see zero-padded A and B
 * and are never written back.
 *
 * <p>Transposed operands are handled while packing, so op(A) and op(B) cost nothing extra. The
 * micro-kernel is {@link VectorMicroKernel} (Vector API, a 6 x 16 tile on AVX2) when the JVM
 * runs with {@code --add-modules jdk.incubator.vector}, else {@link ScalarMicroKernel}.
 */
final class JavaGemm {
    /** Depth of a packed block: a KC x NR B panel (16 KiB with NR = 16) stays in the 32 KiB L1. */
    static final int KC = 256;
    /** Rows of a packed A block: MC x KC floats = 144 KiB with MR = 6, well inside a 512 KiB L2. */
    static final int MC_PANELS = 24;   // MC = 24 * MR
    /** Columns of a C strip and of a packed B block (KC x NC = 1 MiB: shared L3). */
    static final int NC = 1024;
    /** Largest heap C block per thread, in floats (4 MiB); taller C strips are done in parts. */
    static final int MAX_C_BLOCK = 1 << 20;

    private final MicroKernel kernel;
    private final int mr, nr;
    private final int threads;
    private final ForkJoinPool pool;
    private final ThreadLocal<Workspace> workspaces;

    /** Per-thread packing buffers, grown on demand and reused across calls. */
    private static final class Workspace {
        float[] packedA, packedB, cBlock, row;

        float[] packedA(int n) { return packedA != null && packedA.length >= n ? packedA : (packedA = new float[n]); }
        float[] packedB(int n) { return packedB != null && packedB.length >= n ? packedB : (packedB = new float[n]); }
        float[] cBlock(int n) { return cBlock != null && cBlock.length >= n ? cBlock : (cBlock = new float[n]); }
        float[] row(int n) { return row != null && row.length >= n ? row : (row = new float[n]); }
    }

    JavaGemm(int threads, ForkJoinPool pool) {
        this.kernel = MicroKernel.best();
        this.mr = kernel.mr();
        this.nr = kernel.nr();
        this.threads = threads;
        this.pool = pool;
        this.workspaces = ThreadLocal.withInitial(Workspace::new);
    }

    boolean usesVectorApi() {
        return kernel instanceof VectorMicroKernel;
    }

    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              FloatBuffer a, int aOff, int lda, FloatBuffer b, int bOff, int ldb,
              float beta, FloatBuffer c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            scale(c, cOff, ldc, m, n, beta);
            return;
        }
        // Split C into column strips (or row strips when C is tall and narrow), one per thread.
        int parts = pool == null ? 1 : threads;
        long flops = 2L * m * n * k;
        if (parts == 1 || flops < 4_000_000L) {
            blocked(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        boolean splitN = n >= m || n >= parts * nr * 4;
        pool.submit(() -> IntStream.range(0, parts).parallel().forEach(t -> {
            if (splitN) {
                int unit = nr, units = (n + unit - 1) / unit;
                int from = Math.min(n, units * t / parts * unit), to = Math.min(n, units * (t + 1) / parts * unit);
                if (from >= to) return;
                int bShift = transB ? from * ldb : from;
                blocked(transA, transB, m, to - from, k, alpha, a, aOff, lda, b, bOff + bShift, ldb, beta, c, cOff + from, ldc);
            } else {
                int unit = mr, units = (m + unit - 1) / unit;
                int from = Math.min(m, units * t / parts * unit), to = Math.min(m, units * (t + 1) / parts * unit);
                if (from >= to) return;
                int aShift = transA ? from : from * lda;
                blocked(transA, transB, to - from, n, k, alpha, a, aOff + aShift, lda, b, bOff, ldb, beta, c, cOff + from * ldc, ldc);
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

    /** C = alpha * op(A) op(B) + beta * C, single-threaded, blocked as in the class comment. */
    private void blocked(boolean transA, boolean transB, int m, int n, int k, float alpha,
                         FloatBuffer a, int aOff, int lda, FloatBuffer b, int bOff, int ldb,
                         float beta, FloatBuffer c, int cOff, int ldc) {
        Workspace ws = workspaces.get();
        int mc = MC_PANELS * mr;
        int kcMax = Math.min(KC, k);
        float[] packedA = ws.packedA(mc * kcMax);
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int ncPad = roundUp(nc, nr);
            // Rows of C per heap block: all of m when it fits, else a multiple of MC.
            int mb = Math.min(roundUp(m, mr), Math.max(mc, MAX_C_BLOCK / ncPad / mc * mc));
            float[] packedB = ws.packedB(kcMax * ncPad);
            for (int ic0 = 0; ic0 < m; ic0 += mb) {
                int mbCur = Math.min(mb, m - ic0);
                float[] cBlock = ws.cBlock(roundUp(mbCur, mr) * ncPad);
                loadC(c, cOff + ic0 * ldc + jc, ldc, mbCur, nc, beta, cBlock, ncPad, ws);
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    packB(transB, b, bOff, ldb, pc, kc, jc, nc, alpha, packedB, ws);
                    for (int ic = 0; ic < mbCur; ic += mc) {
                        int mcCur = Math.min(mc, mbCur - ic);
                        packA(transA, a, aOff, lda, ic0 + ic, mcCur, pc, kc, packedA, ws);
                        macroKernel(kc, mcCur, nc, packedA, packedB, cBlock, ic * ncPad, ncPad);
                    }
                }
                storeC(cBlock, ncPad, mbCur, nc, c, cOff + ic0 * ldc + jc, ldc);
            }
        }
    }

    /**
     * The two loops around the micro-kernel: every MR x NR tile of an mc x nc block of C, with
     * the B panel (KC x NR) reused from L1 across the MR panels of A.
     */
    private void macroKernel(int kc, int mc, int nc, float[] packedA, float[] packedB, float[] cBlock, int cOff, int ldc) {
        MicroKernel kern = kernel;
        int mr = this.mr, nr = this.nr;
        for (int jr = 0; jr < nc; jr += nr) {
            int bPanel = jr * kc;                     // (jr / nr) * kc * nr
            for (int ir = 0; ir < mc; ir += mr) {
                kern.multiply(kc, packedA, ir * kc, packedB, bPanel, cBlock, cOff + ir * ldc + jr, ldc);
            }
        }
    }

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }

    /** cBlock[0:rows, 0:cols] = beta * C (beta 0: zeros, C not read); padding rows/cols zeroed. */
    private void loadC(FloatBuffer c, int cOff, int ldc, int rows, int cols, float beta, float[] cBlock, int ldb,
                       Workspace ws) {
        int rowsPad = roundUp(rows, mr);
        if (beta == 0f) {
            java.util.Arrays.fill(cBlock, 0, rowsPad * ldb, 0f);
            return;
        }
        for (int i = 0; i < rows; i++) {
            int dst = i * ldb;
            c.get(cOff + i * ldc, cBlock, dst, cols);
            if (beta != 1f) for (int j = 0; j < cols; j++) cBlock[dst + j] *= beta;
            for (int j = cols; j < ldb; j++) cBlock[dst + j] = 0f;
        }
        java.util.Arrays.fill(cBlock, rows * ldb, rowsPad * ldb, 0f);
    }

    /** C[0:rows, 0:cols] = cBlock (bulk row writes; padding is dropped). */
    private static void storeC(float[] cBlock, int ldb, int rows, int cols, FloatBuffer c, int cOff, int ldc) {
        for (int i = 0; i < rows; i++) c.put(cOff + i * ldc, cBlock, i * ldb, cols);
    }

    /**
     * Packs alpha * op(B)[pc:pc+kc, jc:jc+nc] as NR-wide panels: panel q holds, for each p,
     * the NR values op(B)[pc+p, jc+q*NR .. jc+q*NR+NR-1], zero-padded past column nc.
     * Source rows are read in bulk into a scratch row, then scattered into the panels.
     */
    private void packB(boolean transB, FloatBuffer b, int bOff, int ldb, int pc, int kc, int jc, int nc,
                       float alpha, float[] packed, Workspace ws) {
        int nr = this.nr;
        int panels = (nc + nr - 1) / nr;
        if (!transB) {
            // B is [k, n] row-major: row pc+p holds op(B)[pc+p, jc .. jc+nc-1] contiguously.
            float[] row = ws.row(panels * nr);
            java.util.Arrays.fill(row, nc, panels * nr, 0f);
            for (int p = 0; p < kc; p++) {
                b.get(bOff + (pc + p) * ldb + jc, row, 0, nc);
                for (int q = 0; q < panels; q++) {
                    int dst = q * kc * nr + p * nr, src = q * nr;
                    for (int j = 0; j < nr; j++) packed[dst + j] = alpha * row[src + j];
                }
            }
        } else {
            // B is [n, k] row-major: row jc+j holds op(B)[pc .. pc+kc-1, jc+j] contiguously.
            float[] col = ws.row(kc);
            for (int q = 0; q < panels; q++) {
                int base = q * kc * nr, cols = Math.min(nr, nc - q * nr);
                for (int j = 0; j < cols; j++) {
                    b.get(bOff + (jc + q * nr + j) * ldb + pc, col, 0, kc);
                    for (int p = 0; p < kc; p++) packed[base + p * nr + j] = alpha * col[p];
                }
                for (int j = cols; j < nr; j++) {
                    for (int p = 0; p < kc; p++) packed[base + p * nr + j] = 0f;
                }
            }
        }
    }

    /**
     * Packs op(A)[ic:ic+mc, pc:pc+kc] as MR-tall panels: panel q holds, for each p, the MR values
     * op(A)[ic+q*MR .. ic+q*MR+MR-1, pc+p], zero-padded past row mc.
     */
    private void packA(boolean transA, FloatBuffer a, int aOff, int lda, int ic, int mc, int pc, int kc, float[] packed,
                       Workspace ws) {
        int mr = this.mr;
        int panels = (mc + mr - 1) / mr;
        if (!transA) {
            // A is [m, k] row-major: row ic+i holds op(A)[ic+i, pc .. pc+kc-1] contiguously.
            // Read the MR rows of a panel (zeros past mc), then interleave them column by column,
            // so the writes into the panel are sequential.
            float[] rows = ws.row(mr * kc);
            for (int q = 0; q < panels; q++) {
                int base = q * kc * mr, live = Math.min(mr, mc - q * mr);
                for (int i = 0; i < live; i++) a.get(aOff + (ic + q * mr + i) * lda + pc, rows, i * kc, kc);
                java.util.Arrays.fill(rows, live * kc, mr * kc, 0f);
                for (int p = 0; p < kc; p++) {
                    int dst = base + p * mr;
                    for (int i = 0; i < mr; i++) packed[dst + i] = rows[i * kc + p];
                }
            }
        } else {
            // A is [k, m] row-major: row pc+p holds op(A)[ic .. ic+mc-1, pc+p] contiguously.
            float[] row = ws.row(panels * mr);
            java.util.Arrays.fill(row, mc, panels * mr, 0f);
            for (int p = 0; p < kc; p++) {
                a.get(aOff + (pc + p) * lda + ic, row, 0, mc);
                for (int q = 0; q < panels; q++) {
                    int dst = q * kc * mr + p * mr, src = q * mr;
                    for (int i = 0; i < mr; i++) packed[dst + i] = row[src + i];
                }
            }
        }
    }
}
