package dev.jerex.tensor.backend;

/**
 * Plain-Java micro-kernel, used when the Vector API is not enabled: a 4 x 4 tile of C in 16
 * local float accumulators, which C2 keeps in 16 of the 16 xmm registers (with 4 B values and one
 * A value loaded per step from L1). One multiply-add per accumulator per step of p. C2 does not
 * vectorise this, so it reaches scalar speed only (a few GFLOPS), about 4x the naive tile loop
 * over a float[] that it replaces.
 */
final class ScalarMicroKernel implements MicroKernel {
    static final int MR = 4, NR = 4;

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
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kc; p++) {
            int ap = aOff + p * MR, bp = bOff + p * NR;
            float b0 = b[bp], b1 = b[bp + 1], b2 = b[bp + 2], b3 = b[bp + 3];
            float x = a[ap];
            c00 += x * b0; c01 += x * b1; c02 += x * b2; c03 += x * b3;
            x = a[ap + 1];
            c10 += x * b0; c11 += x * b1; c12 += x * b2; c13 += x * b3;
            x = a[ap + 2];
            c20 += x * b0; c21 += x * b1; c22 += x * b2; c23 += x * b3;
            x = a[ap + 3];
            c30 += x * b0; c31 += x * b1; c32 += x * b2; c33 += x * b3;
        }
        int r = cOff;
        c[r] += c00; c[r + 1] += c01; c[r + 2] += c02; c[r + 3] += c03;
        r += ldc;
        c[r] += c10; c[r + 1] += c11; c[r + 2] += c12; c[r + 3] += c13;
        r += ldc;
        c[r] += c20; c[r + 1] += c21; c[r + 2] += c22; c[r + 3] += c23;
        r += ldc;
        c[r] += c30; c[r + 1] += c31; c[r + 2] += c32; c[r + 3] += c33;
    }
}
