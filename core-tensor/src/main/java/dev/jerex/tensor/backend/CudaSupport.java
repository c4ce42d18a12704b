package dev.jerex.tensor.backend;

/**
 * Detection of the CUDA backend. Filled in by the CUDA backend; until then no GPU is reported
 * and asking for one fails with a clear message.
 */
final class CudaSupport {
    private CudaSupport() {}

    static boolean available() {
        return false;
    }

    static Backend create(int threads) {
        throw new IllegalArgumentException("backend cuda: no usable GPU (CUDA backend not available in this build)");
    }
}
