package dev.jerex.tensor.backend;

/** Plain-Java micro-kernel (4 x 8 tile): used when the Vector API is not enabled. */
final class ScalarMicroKernel implements MicroKernel {
    static final int MR = 4, NR = 8;

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public void multiply(int kc, float[] a, int aOff, float[] b, int bOff, float[] tile) {
        java.util.Arrays.fill(tile, 0f);
        for (int p = 0; p < kc; p++) {
            int ap = aOff + p * MR, bp = bOff + p * NR;
            for (int i = 0; i < MR; i++) {
                float ai = a[ap + i];
                int t = i * NR;
                for (int j = 0; j < NR; j++) tile[t + j] += ai * b[bp + j];
            }
        }
    }
}
