package dev.jerex.tensor.backend.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasSetMathMode;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static org.bytedeco.cuda.global.cudart.cuCtxSetCurrent;
import static org.bytedeco.cuda.global.cudart.cuDeviceGet;
import static org.bytedeco.cuda.global.cudart.cuDeviceGetAttribute;
import static org.bytedeco.cuda.global.cudart.cuDeviceGetName;
import static org.bytedeco.cuda.global.cudart.cuDevicePrimaryCtxRetain;
import static org.bytedeco.cuda.global.cudart.cuDeviceTotalMem;
import static org.bytedeco.cuda.global.cudart.cuInit;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;

import java.nio.charset.StandardCharsets;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * The process-wide state of GPU 0: its primary context, its name and architecture, one cuBLAS
 * handle, the compiled kernels and the caching allocator. Created once, on first use, by
 * {@link #get()}; every {@link CudaBackend} shares it, so storages of different CudaBackend
 * instances are interchangeable.
 *
 * <p>Loading goes in the order a missing piece is most likely: the CUDA runtime and driver
 * (libcudart, libcuda), a device, NVRTC, cuBLAS (not in the Maven jars: it must come from the
 * machine). The first failure is remembered with its reason; JavaCPP classes that failed to load
 * stay unusable for the JVM's life, so nothing is retried.
 */
final class CudaDevice {
    private static final Object LOCK = new Object();
    private static CudaDevice instance;
    private static String failure;

    final int ordinal = 0;
    final String name;
    final int computeCapability;   // e.g. 90 for an H100
    final long totalMemoryBytes;
    final cublasContext cublasHandle;
    final DeviceAllocator allocator;
    final CudaKernels kernels;
    /** GPU time per kernel, or null unless -Djerex.cuda.profile=true. */
    private final KernelTimer timer;
    private final CUctx_st context;
    private final ThreadLocal<Boolean> bound = ThreadLocal.withInitial(() -> false);

    /** The device, initialising it on first use. @throws IllegalStateException with the reason when there is none. */
    static CudaDevice get() {
        synchronized (LOCK) {
            if (instance == null && failure == null) {
                try {
                    instance = new CudaDevice();
                } catch (LinkageError | RuntimeException e) {
                    failure = reason(e);
                }
            }
            if (instance == null) throw new IllegalStateException(failure);
            return instance;
        }
    }

    /** Null when a device is usable, else why not (probes once). */
    static String unavailableReason() {
        try {
            get();
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    private CudaDevice() {
        try {
            Loader.load(cudart.class);
        } catch (LinkageError e) {
            throw new IllegalStateException("the CUDA runtime or driver could not be loaded (" + rootMessage(e)
                    + "); a GPU machine needs libcuda.so.1 (driver) and libcudart.so.13 on LD_LIBRARY_PATH", e);
        }
        int[] count = new int[1];
        int status = cudaGetDeviceCount(count);
        if (status != 0 || count[0] == 0) {
            throw new IllegalStateException("no CUDA device (cudaGetDeviceCount: "
                    + (status != 0 ? cudart.cudaGetErrorName(status).getString() : "0 devices") + ")");
        }
        Cudart.check(cudaSetDevice(ordinal), "cudaSetDevice");   // creates the primary context
        Cudart.checkDriver(cuInit(0), "cuInit");
        int[] dev = new int[1];
        Cudart.checkDriver(cuDeviceGet(dev, ordinal), "cuDeviceGet");
        context = new CUctx_st();
        Cudart.checkDriver(cuDevicePrimaryCtxRetain(context, dev[0]), "cuDevicePrimaryCtxRetain");
        bind();

        byte[] nameBytes = new byte[256];
        Cudart.checkDriver(cuDeviceGetName(nameBytes, nameBytes.length, dev[0]), "cuDeviceGetName");
        int len = 0;
        while (len < nameBytes.length && nameBytes[len] != 0) len++;
        name = new String(nameBytes, 0, len, StandardCharsets.UTF_8);
        int[] major = new int[1], minor = new int[1];
        Cudart.checkDriver(cuDeviceGetAttribute(major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev[0]), "cuDeviceGetAttribute");
        Cudart.checkDriver(cuDeviceGetAttribute(minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev[0]), "cuDeviceGetAttribute");
        computeCapability = major[0] * 10 + minor[0];
        totalMemoryBytes = totalMemory(dev[0]);

        try {
            Loader.load(nvrtc.class);
        } catch (LinkageError e) {
            throw new IllegalStateException("NVRTC could not be loaded (" + rootMessage(e)
                    + "); install the nvidia-cuda-nvrtc wheel or a CUDA toolkit and put libnvrtc.so.13 on LD_LIBRARY_PATH", e);
        }
        try {
            Loader.load(cublas.class);
        } catch (LinkageError e) {
            throw new IllegalStateException("cuBLAS could not be loaded (" + rootMessage(e)
                    + "); cuBLAS is not in the Maven jars: install it (e.g. pip's nvidia-cublas) and put the folder"
                    + " holding libcublas.so.13 and libcublasLt.so.13 on LD_LIBRARY_PATH", e);
        }
        cublasHandle = new cublasContext();
        Cublas.check(cublasCreate_v2(cublasHandle), "cublasCreate_v2");
        // Plain fp32 products (no TF32 tensor-core rounding), to agree with the CPU backends.
        Cublas.check(cublasSetMathMode(cublasHandle, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
        allocator = new DeviceAllocator(this);
        kernels = new CudaKernels(this);
        timer = KernelTimer.ENABLED ? new KernelTimer() : null;
    }

    /** The device's memory in bytes, or 0 where the driver does not say (only sizes workspaces: never fatal). */
    private static long totalMemory(int device) {
        try (SizeTPointer bytes = new SizeTPointer(1)) {
            Cudart.checkDriver(cuDeviceTotalMem(bytes, device), "cuDeviceTotalMem");
            return bytes.get();
        } catch (RuntimeException | LinkageError e) {
            System.getLogger(CudaDevice.class.getName()).log(System.Logger.Level.WARNING,
                    "could not read the GPU's memory size (" + rootMessage(e) + "); workspaces keep the CPU's size");
            return 0;
        }
    }

    /** Starts timing work called {@code name} on the stream (when profiling). */
    void beginTimed(String name) {
        if (timer != null) timer.begin(name);
    }

    /** Ends the timing begun last. */
    void endTimed() {
        if (timer != null) timer.end();
    }

    /** Makes the device's primary context current on the calling thread (once per thread). */
    void bind() {
        if (!bound.get()) {
            Cudart.checkDriver(cuCtxSetCurrent(context), "cuCtxSetCurrent");
            bound.set(true);
        }
    }

    private static String reason(Throwable e) {
        if (e instanceof IllegalStateException && e.getMessage() != null) return e.getMessage();
        return "CUDA initialisation failed: " + rootMessage(e);
    }

    /** The innermost message of a chain: JavaCPP wraps the dlopen error ("libcuda.so.1: cannot open ..."). */
    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage() != null ? t.getMessage() : t.toString();
        int slash = m.lastIndexOf(".so: ");   // drop the long cache path before the library's own message
        return slash >= 0 ? m.substring(slash + 5) : m;
    }
}
