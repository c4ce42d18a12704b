package dev.jerex.tensor.backend;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A caching allocator for direct buffers, by {@link SizeClasses size class}. Freed buffers wait
 * in their class for reuse; beyond {@link #MAX_CACHED_BYTES} they are left to the GC instead.
 *
 * <p>Buffers handed out are not cleared: backends overwrite or zero-fill what they allocate.
 */
final class HostBufferPool {
    static final long MAX_CACHED_BYTES = Long.getLong("jerex.pool.maxCachedBytes", 2L << 30);
    private static final int CLASSES = SizeClasses.COUNT;

    @SuppressWarnings("unchecked")
    private static final ArrayDeque<ByteBuffer>[] FREE = new ArrayDeque[CLASSES];
    private static final AtomicLong cachedBytes = new AtomicLong();
    private static final AtomicLong liveBytes = new AtomicLong();
    private static final AtomicLong peakLiveBytes = new AtomicLong();

    static {
        for (int i = 0; i < CLASSES; i++) FREE[i] = new ArrayDeque<>();
    }

    private HostBufferPool() {}

    static ByteBuffer take(int n) {
        int cls = SizeClasses.of(Math.max(n, 1));
        ByteBuffer b;
        synchronized (FREE[cls]) {
            b = FREE[cls].pollLast();
        }
        if (b != null) {
            cachedBytes.addAndGet(-b.capacity());
        } else {
            b = HostStorage.allocateDirect((int) SizeClasses.capacity(cls));
        }
        long live = liveBytes.addAndGet(b.capacity());
        if (live > peakLiveBytes.get()) peakLiveBytes.accumulateAndGet(live, Math::max);
        return b;
    }

    static void give(ByteBuffer b) {
        liveBytes.addAndGet(-b.capacity());
        if (cachedBytes.get() + b.capacity() > MAX_CACHED_BYTES) return;   // let the GC free it
        int cls = SizeClasses.of(b.capacity() / Float.BYTES);
        cachedBytes.addAndGet(b.capacity());
        synchronized (FREE[cls]) {
            FREE[cls].addLast(b);
        }
    }

    /** Bytes held by live storages. */
    static long liveBytes() {
        return liveBytes.get();
    }

    /** The most bytes live storages held at once since the last {@link #resetPeak()}. */
    static long peakLiveBytes() {
        return peakLiveBytes.get();
    }

    /** Starts a new peak from what is live now. */
    static void resetPeak() {
        peakLiveBytes.set(liveBytes.get());
    }

    /** Bytes waiting in the pool for reuse. */
    static long cachedBytes() {
        return cachedBytes.get();
    }
}
