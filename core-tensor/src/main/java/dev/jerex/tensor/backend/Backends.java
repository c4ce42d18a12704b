package dev.jerex.tensor.backend;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * Creates backends by name: {@code java}, {@code openblas}, {@code cuda}, or {@code auto}
 * (CUDA when a GPU, driver and cuBLAS are present, else OpenBLAS when its natives load, else
 * pure Java). Probing happens once per process; the choice is logged in one line. With
 * {@code -Djerex.backend.countCalls=true} the backend comes behind a {@link CallCounter}.
 */
public final class Backends {
    private static final Logger LOG = System.getLogger(Backends.class.getName());
    private static volatile Boolean openBlasLoads;

    private Backends() {}

    /** The pure-Java reference backend on one thread. */
    public static JavaBackend java() {
        return new JavaBackend(1);
    }

    /**
     * @param name    auto | java | openblas | cuda
     * @param threads kernel threads (1 in tests and benchmarks unless threading is the point)
     * @throws IllegalArgumentException for an unknown name, or a named backend that cannot load
     */
    public static Backend create(String name, int threads) {
        Backend backend = createUncounted(name, threads);
        return CallCounter.ENABLED ? CallCounter.wrap(backend) : backend;
    }

    private static Backend createUncounted(String name, int threads) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "java":
                return new JavaBackend(threads);
            case "openblas":
                try {
                    return new OpenBlasBackend(threads);
                } catch (LinkageError e) {
                    throw new IllegalArgumentException("backend openblas: the OpenBLAS natives could not be loaded: " + e, e);
                }
            case "cuda":
                return CudaSupport.create(threads);
            case "auto": {
                Backend b = auto(threads);
                LOG.log(Level.INFO, "backend auto -> " + b.name() + " (" + b.device() + ", " + threads + " thread" + (threads == 1 ? "" : "s") + ")");
                return b;
            }
            default:
                throw new IllegalArgumentException("unknown backend '" + name + "' (expected auto, java, openblas or cuda)");
        }
    }

    private static Backend auto(int threads) {
        if (CudaSupport.available()) {
            try {
                return CudaSupport.create(threads);
            } catch (RuntimeException | LinkageError e) {
                LOG.log(Level.WARNING, "CUDA was detected but could not start (" + e.getMessage() + "); using the CPU");
            }
        }
        if (openBlasAvailable()) return new OpenBlasBackend(threads);
        return new JavaBackend(threads);
    }

    /** Whether the OpenBLAS natives load on this machine (probed once). */
    public static boolean openBlasAvailable() {
        Boolean ok = openBlasLoads;
        if (ok == null) {
            try {
                new OpenBlasBackend(1);
                ok = true;
            } catch (LinkageError | RuntimeException e) {
                LOG.log(Level.WARNING, "OpenBLAS natives unavailable (" + e + "); falling back to the pure-Java backend");
                ok = false;
            }
            openBlasLoads = ok;
        }
        return ok;
    }
}
