package dev.jerex.tensor.backend;

import dev.jerex.tensor.backend.cuda.CudaBackend;

/**
 * Detection of the CUDA backend ({@link CudaBackend}). The probe runs once per process and its
 * answer is cached: it loads the CUDA runtime and driver, looks for a device, loads NVRTC and
 * cuBLAS and compiles the kernels. Every failure on the way (no driver, no GPU, no cuBLAS on
 * LD_LIBRARY_PATH, even the cuda jar missing from the class path) becomes a readable reason,
 * never a crash: JavaCPP throws {@link LinkageError}s for missing natives, caught here.
 */
final class CudaSupport {
    private static final Object LOCK = new Object();
    private static String reason;      // null until probed; "" when available
    private CudaSupport() {}

    /** Why the CUDA backend cannot run here, or "" when it can. */
    static String reason() {
        synchronized (LOCK) {
            if (reason == null) {
                try {
                    String r = CudaBackend.unavailableReason();
                    reason = r == null ? "" : r;
                } catch (LinkageError | RuntimeException e) {
                    reason = "the CUDA classes could not be loaded: " + e;
                }
            }
            return reason;
        }
    }

    static boolean available() {
        return reason().isEmpty();
    }

    /** @throws IllegalArgumentException with the reason when no usable GPU is found */
    static Backend create(int threads) {
        String r = reason();
        if (!r.isEmpty()) throw new IllegalArgumentException("backend cuda: no usable GPU: " + r);
        try {
            return new CudaBackend(threads);
        } catch (LinkageError | IllegalStateException e) {
            throw new IllegalArgumentException("backend cuda: " + e.getMessage(), e);
        }
    }
}
