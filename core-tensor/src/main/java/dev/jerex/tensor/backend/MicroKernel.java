package dev.jerex.tensor.backend;

/**
 * The innermost loop of {@link JavaGemm}: C[MR x NR] += sum over p of the outer product of
 * column p of a packed A panel (MR values) and row p of a packed B panel (NR values).
 */
interface MicroKernel {
    int mr();

    int nr();

    /**
     * c[cOff + i * ldc + j] += sum_p a[aOff + p * MR + i] * b[bOff + p * NR + j] for the whole
     * MR x NR tile: A_panel[kc x MR]^T * B_panel[kc x NR] added to a tile of a heap C block.
     */
    void multiply(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc);

    /** The Vector API kernel when the JVM has jdk.incubator.vector, else the scalar one. */
    static MicroKernel best() {
        return VectorApi.choose(MicroKernel.class, () -> new VectorMicroKernel(), () -> new ScalarMicroKernel());
    }
}
