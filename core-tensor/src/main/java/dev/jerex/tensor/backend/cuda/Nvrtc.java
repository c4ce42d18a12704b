package dev.jerex.tensor.backend.cuda;

import static org.bytedeco.cuda.global.nvrtc.NVRTC_SUCCESS;
import static org.bytedeco.cuda.global.nvrtc.nvrtcCompileProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcCreateProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcDestroyProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetCUBIN;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetCUBINSize;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetErrorString;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetNumSupportedArchs;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetPTX;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetPTXSize;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLog;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLogSize;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetSupportedArchs;

import java.util.Arrays;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * Run-time compilation of CUDA C with NVRTC. Status codes become {@link CudaException}s naming
 * the call; a failed compilation carries NVRTC's log (file, line and message).
 */
final class Nvrtc {
    private Nvrtc() {}

    static void check(int status, String call) {
        if (status != NVRTC_SUCCESS) {
            throw new CudaException(call + " failed: " + nvrtcGetErrorString(status).getString());
        }
    }

    /** The compilation target for a device of compute capability {@code cc} (e.g. 90). */
    record Target(int arch, boolean cubin) {
        String option() {
            return "--gpu-architecture=" + (cubin ? "sm_" : "compute_") + arch;
        }
    }

    /**
     * Machine code (a cubin) for the device's own architecture when this NVRTC supports it;
     * otherwise PTX for the newest architecture it supports below it, which the driver compiles
     * (a GPU newer than the NVRTC found on the machine).
     */
    static Target targetFor(int cc) {
        int[] n = new int[1];
        check(nvrtcGetNumSupportedArchs(n), "nvrtcGetNumSupportedArchs");
        int[] archs = new int[n[0]];
        check(nvrtcGetSupportedArchs(archs), "nvrtcGetSupportedArchs");
        if (Arrays.stream(archs).anyMatch(a -> a == cc)) return new Target(cc, true);
        int best = Arrays.stream(archs).filter(a -> a <= cc).max()
                .orElseThrow(() -> new CudaException("NVRTC supports none of the architectures up to sm_" + cc
                        + " (it supports " + Arrays.toString(archs) + ")"));
        return new Target(best, false);
    }

    /**
     * Compiles one source with the given headers (name -> text) for {@code target}.
     *
     * @return the cubin or PTX image, ready for cuModuleLoadData (PTX is NUL-terminated)
     */
    static byte[] compile(String name, String source, String[] headerNames, String[] headerSources, Target target) {
        _nvrtcProgram program = new _nvrtcProgram();
        try (BytePointer src = new BytePointer(source); BytePointer file = new BytePointer(name);
             PointerPointer<?> headers = new PointerPointer<>(headerSources);
             PointerPointer<?> includes = new PointerPointer<>(headerNames)) {
            check(nvrtcCreateProgram(program, src, file, headerNames.length, headers, includes), "nvrtcCreateProgram(" + name + ")");
            try {
                // No --use_fast_math: division, sqrt and expf keep IEEE accuracy, close to the Java reference.
                String[] options = {target.option(), "--std=c++17"};
                int status;
                try (PointerPointer<?> opts = new PointerPointer<>(options)) {
                    status = nvrtcCompileProgram(program, options.length, opts);
                }
                if (status != NVRTC_SUCCESS) {
                    throw new CudaException("nvrtcCompileProgram(" + name + ", " + target.option() + ") failed: "
                            + nvrtcGetErrorString(status).getString() + "\n" + log(program));
                }
                return target.cubin() ? cubin(program) : ptx(program);
            } finally {
                nvrtcDestroyProgram(program);
            }
        }
    }

    private static byte[] cubin(_nvrtcProgram program) {
        try (SizeTPointer size = new SizeTPointer(1)) {
            check(nvrtcGetCUBINSize(program, size), "nvrtcGetCUBINSize");
            byte[] image = new byte[(int) size.get()];
            check(nvrtcGetCUBIN(program, image), "nvrtcGetCUBIN");
            return image;
        }
    }

    private static byte[] ptx(_nvrtcProgram program) {
        try (SizeTPointer size = new SizeTPointer(1)) {
            check(nvrtcGetPTXSize(program, size), "nvrtcGetPTXSize");
            byte[] image = new byte[(int) size.get()];   // includes the terminating NUL
            check(nvrtcGetPTX(program, image), "nvrtcGetPTX");
            return image;
        }
    }

    private static String log(_nvrtcProgram program) {
        try (SizeTPointer size = new SizeTPointer(1)) {
            if (nvrtcGetProgramLogSize(program, size) != NVRTC_SUCCESS) return "(no log)";
            byte[] text = new byte[(int) size.get()];
            if (nvrtcGetProgramLog(program, text) != NVRTC_SUCCESS) return "(no log)";
            return new String(text, 0, Math.max(0, text.length - 1), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
