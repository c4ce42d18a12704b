package dev.jerex.tensor.backend;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A caching allocator for direct buffers, by size class. A request for n floats is served by a
 * buffer of the smallest class that holds n; classes step by a quarter of a power of two
 * (..., 1024, 1280, 1536, 1792, 2048, ...) so that at most 25% is wasted. Freed buffers wait in
 * their class for reuse; beyond {@link #MAX_CACHED_BYTES} they are left to the GC instead.
 *
 * <p>Buffers handed out are not cleared: backends overwrite or zero-fill what they allocate.
 */
final class HostBufferPool {
    static final long MAX_CACHED_BYTES = Long.getLong("jerex.pool.maxCachedBytes", 2L << 30);
    private static final int CLASSES = 4 * 32;

    @SuppressWarnings("unchecked")
    private static final ArrayDeque<ByteBuffer>[] FREE = new ArrayDeque[CLASSES];
    private static final AtomicLong cachedBytes = new AtomicLong();
    private static final AtomicLong liveBytes = new AtomicLong();

    static {
        for (int i = 0; i < CLASSES; i++) FREE[i] = new ArrayDeque<>();
    }

    private HostBufferPool() {}

    /** Size class index and its capacity in floats for a request of n floats. */
    static int sizeClass(int n) {
        if (n <= 16) return 0;
        int log = 31 - Integer.numberOfLeadingZeros(n - 1);   // 2^log < n <= 2^(log+1)
        int base = 1 << log;
        int quarter = base >> 2;
        int step = (n - base + quarter - 1) / quarter;           // 1..4
        return 4 * log + step - 1;
    }

    static int classCapacity(int cls) {
        if (cls == 0) return 16;
        int log = (cls + 1) / 4;
        int step = (cls + 1) % 4;
        if (step == 0) { log -= 1; step = 4; }
        int base = 1 << log;
        return base + step * (base >> 2);
    }

    static ByteBuffer take(int n) {
        int cls = sizeClass(Math.max(n, 1));
        ByteBuffer b;
        synchronized (FREE[cls]) {
            b = FREE[cls].pollLast();
        }
        if (b != null) {
            cachedBytes.addAndGet(-b.capacity());
        } else {
            b = HostStorage.allocateDirect(classCapacity(cls));
        }
        liveBytes.addAndGet(b.capacity());
        return b;
    }

    static void give(ByteBuffer b) {
        liveBytes.addAndGet(-b.capacity());
        if (cachedBytes.get() + b.capacity() > MAX_CACHED_BYTES) return;   // let the GC free it
        int cls = sizeClass(b.capacity() / Float.BYTES);
        cachedBytes.addAndGet(b.capacity());
        synchronized (FREE[cls]) {
            FREE[cls].addLast(b);
        }
    }

    /** Bytes held by live storages. */
    static long liveBytes() {
        return liveBytes.get();
    }

    /** Bytes waiting in the pool for reuse. */
    static long cachedBytes() {
        return cachedBytes.get();
    }
}
