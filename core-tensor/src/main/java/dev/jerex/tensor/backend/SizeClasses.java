package dev.jerex.tensor.backend;

/**
 * The size classes of the caching allocators (host and device): a request for n floats is served
 * by a buffer of the smallest class that holds it. Classes step by a quarter of a power of two
 * (..., 1024, 1280, 1536, 1792, 2048, ...), so at most 25% of a buffer is wasted.
 */
public final class SizeClasses {
    /** Enough classes for any int-sized request. */
    public static final int COUNT = 4 * 32;

    private SizeClasses() {}

    /** The class of a request of n floats. */
    public static int of(int n) {
        if (n <= 16) return 0;
        int log = 31 - Integer.numberOfLeadingZeros(n - 1);   // 2^log < n <= 2^(log+1)
        int base = 1 << log;
        int quarter = base >> 2;
        int step = (n - base + quarter - 1) / quarter;           // 1..4
        return 4 * log + step - 1;
    }

    /** Capacity in floats of a class. */
    public static long capacity(int cls) {
        if (cls == 0) return 16;
        int log = (cls + 1) / 4;
        int step = (cls + 1) % 4;
        if (step == 0) {
            log -= 1;
            step = 4;
        }
        long base = 1L << log;
        return base + step * (base >> 2);
    }
}
