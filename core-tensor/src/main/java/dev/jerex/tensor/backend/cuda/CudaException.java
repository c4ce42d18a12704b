package dev.jerex.tensor.backend.cuda;

/**
 * A failed call into CUDA, cuBLAS or NVRTC. The message names the call and the library's own
 * status name, e.g. {@code cublasSgemm_v2 failed: CUBLAS_STATUS_INVALID_VALUE}.
 */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CudaException(String message) {
        super(message);
    }
}
