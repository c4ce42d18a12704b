package dev.jerex.tensor.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API micro-kernel: a 6 x (2 vectors) tile held in 12 vector accumulators, one broadcast
 * of A and two loads of B per step of p, 12 fused multiply-adds. With 512-bit vectors the tile is
 * 6 x 32. Loaded only when the JVM runs with {@code --add-modules jdk.incubator.vector}.
 */
final class VectorMicroKernel implements MicroKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    static final int MR = 6;

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return 2 * L;
    }

    @Override
    public void multiply(int kc, float[] a, int aOff, float[] b, int bOff, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int ap = aOff, bp = bOff, nr = 2 * L;
        for (int p = 0; p < kc; p++, ap += MR, bp += nr) {
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
        c00.intoArray(tile, 0); c01.intoArray(tile, L);
        c10.intoArray(tile, nr); c11.intoArray(tile, nr + L);
        c20.intoArray(tile, 2 * nr); c21.intoArray(tile, 2 * nr + L);
        c30.intoArray(tile, 3 * nr); c31.intoArray(tile, 3 * nr + L);
        c40.intoArray(tile, 4 * nr); c41.intoArray(tile, 4 * nr + L);
        c50.intoArray(tile, 5 * nr); c51.intoArray(tile, 5 * nr + L);
    }
}
