package dev.jerex.tensor.backend.cuda;

import static org.bytedeco.cuda.global.cudart.CUDA_SUCCESS;
import static org.bytedeco.cuda.global.cudart.cuGetErrorName;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorName;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaGetLastError;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Status checks for the CUDA runtime ({@code cuda*}) and driver ({@code cu*}) APIs, both in
 * JavaCPP's {@code cudart} class: a non-zero status becomes a {@link CudaException} naming the
 * call. Nothing here exits the process.
 */
final class Cudart {
    private Cudart() {}

    /** Throws unless a runtime-API call ({@code cudaMalloc}, {@code cudaMemcpy}, ...) succeeded. */
    static void check(int status, String call) {
        if (status != cudaSuccess) {
            cudaGetLastError();   // clear the (non-sticky) error so that later calls start clean
            throw new CudaException(call + " failed: " + cudaGetErrorName(status).getString()
                    + " (" + cudaGetErrorString(status).getString() + ")");
        }
    }

    /** Throws unless a driver-API call ({@code cuLaunchKernel}, {@code cuModuleLoadData}, ...) succeeded. */
    static void checkDriver(int status, String call) {
        if (status != CUDA_SUCCESS) {
            BytePointer name = new BytePointer();
            String text = cuGetErrorName(status, name) == CUDA_SUCCESS && !name.isNull() ? name.getString() : "CUresult " + status;
            throw new CudaException(call + " failed: " + text);
        }
    }

    /** A JavaCPP pointer holding a raw device or host address (no memory of its own). */
    static Pointer at(long address) {
        return new RawAddress(address);
    }

    private static final class RawAddress extends Pointer {
        RawAddress(long address) {
            this.address = address;
        }
    }
}
