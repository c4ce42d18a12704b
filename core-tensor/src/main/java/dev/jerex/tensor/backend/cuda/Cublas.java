package dev.jerex.tensor.backend.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cublas.cublasGetStatusName;

/** Status checks for cuBLAS: a non-zero status becomes a {@link CudaException} naming the call. */
final class Cublas {
    private Cublas() {}

    static void check(int status, String call) {
        if (status != CUBLAS_STATUS_SUCCESS) {
            throw new CudaException(call + " failed: " + cublasGetStatusName(status).getString());
        }
    }
}
