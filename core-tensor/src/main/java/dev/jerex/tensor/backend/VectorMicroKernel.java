package dev.jerex.tensor.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API micro-kernel: a 6 x (2 vectors) tile of C held in 12 vector accumulators. Each step
 * of p loads two vectors of the B panel, broadcasts the 6 values of the A panel one at a time, and
 * issues 12 fused multiply-adds: the BLIS "haswell" sgemm kernel shape (6 x 16 on AVX2).
 *
 * <p>Register budget on AVX2 (16 ymm registers): 12 accumulators + 2 B vectors + 1 broadcast
 * = 15. The FMA latency (4-5 cycles) times the two FMA ports needs at least 8-10 independent
 * accumulators to keep both ports busy; 12 leave headroom. With 512-bit vectors the tile is
 * 6 x 32 and the same 15 of 32 registers are used.
 *
 * <p>For the JIT: the loop indexes the arrays through one induction variable (p) so C2 can
 * eliminate the range checks of {@code fromArray} and of the broadcast loads; the body is
 * unrolled by 2 in the source (C2 unrolls further). Loaded only when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}.
 */
final class VectorMicroKernel implements MicroKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    static final int MR = 6;
    private static final int NR = 2 * L;

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public void multiply(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ap = aOff + p * MR, bp = bOff + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ap + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ap + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ap + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ap + 4]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ap + 5]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        // C tile += accumulators, row by row.
        int r = cOff;
        FloatVector.fromArray(S, c, r).add(c00).intoArray(c, r); FloatVector.fromArray(S, c, r + L).add(c01).intoArray(c, r + L);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c10).intoArray(c, r); FloatVector.fromArray(S, c, r + L).add(c11).intoArray(c, r + L);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c20).intoArray(c, r); FloatVector.fromArray(S, c, r + L).add(c21).intoArray(c, r + L);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c30).intoArray(c, r); FloatVector.fromArray(S, c, r + L).add(c31).intoArray(c, r + L);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c40).intoArray(c, r); FloatVector.fromArray(S, c, r + L).add(c41).intoArray(c, r + L);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c50).intoArray(c, r); FloatVector.fromArray(S, c, r + L).add(c51).intoArray(c, r + L);
    }
}
