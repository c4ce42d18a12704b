package dev.jerex.tensor.backend.cuda;

import dev.jerex.tensor.backend.SizeClasses;

import static org.bytedeco.cuda.global.cudart.cudaErrorMemoryAllocation;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaGetLastError;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;

/**
 * A caching allocator for device memory, by size class (the classes of the host-side
 * {@code HostBufferPool}: quarter steps between powers of two, at most 25% waste). cudaMalloc
 * and cudaFree are slow and synchronise the device; a freed block therefore waits in its class
 * and serves the next request of that class.
 *
 * <p>Why reuse is safe without events: every kernel, copy and cuBLAS call of this backend runs
 * on the one (legacy default) stream, in order. A block handed out again is only written by work
 * queued after the work that last read it.
 *
 * <p>When cudaMalloc runs out of memory, the cache is emptied (cudaFree) and the request retried;
 * then the garbage collector is asked to return unreachable storages, and it is tried once more.
 */
final class DeviceAllocator {
    private static final int CLASSES = SizeClasses.COUNT;

    /** A device allocation: its address and its size class. */
    record Block(long address, int sizeClass) {}

    /** Free blocks' addresses, one deque per size class. */
    private final List<ArrayDeque<Long>> free = new ArrayList<>(CLASSES);
    private final AtomicLong cachedBytes = new AtomicLong();
    private final AtomicLong liveBytes = new AtomicLong();
    private final CudaDevice device;

    DeviceAllocator(CudaDevice device) {
        this.device = device;
        for (int i = 0; i < CLASSES; i++) free.add(new ArrayDeque<>());
    }

    /** A block of at least n floats (contents undefined). */
    Block take(int n) {
        int cls = SizeClasses.of(Math.max(n, 1));
        long bytes = SizeClasses.capacity(cls) * Float.BYTES;
        Long cached;
        synchronized (free.get(cls)) {
            cached = free.get(cls).pollLast();
        }
        long address;
        if (cached != null) {
            cachedBytes.addAndGet(-bytes);
            address = cached;
        } else {
            address = malloc(bytes);
        }
        liveBytes.addAndGet(bytes);
        return new Block(address, cls);
    }

    /** Returns a block to its class. Called from any thread (also the Cleaner's): no CUDA calls here. */
    void give(Block b) {
        long bytes = SizeClasses.capacity(b.sizeClass()) * Float.BYTES;
        liveBytes.addAndGet(-bytes);
        cachedBytes.addAndGet(bytes);
        synchronized (free.get(b.sizeClass())) {
            free.get(b.sizeClass()).addLast(b.address());
        }
    }

    private long malloc(long bytes) {
        device.bind();
        for (int attempt = 0; ; attempt++) {
            Pointer p = new Pointer();
            int status = cudaMalloc(p, bytes);
            if (status == 0) return p.address();
            if (status != cudaErrorMemoryAllocation || attempt == 2) {
                Cudart.check(status, "cudaMalloc(" + bytes + " bytes; " + (liveBytes.get() >> 20) + " MiB live, "
                        + (cachedBytes.get() >> 20) + " MiB cached)");
            }
            cudaGetLastError();
            if (attempt == 1) {
                // Storages that became unreachable without release() return their blocks via the Cleaner.
                System.gc();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            emptyCache();
        }
    }

    /** Frees every cached block (cudaFree); live blocks are untouched. */
    void emptyCache() {
        device.bind();
        for (int cls = 0; cls < CLASSES; cls++) {
            while (true) {
                Long address;
                synchronized (free.get(cls)) {
                    address = free.get(cls).pollLast();
                }
                if (address == null) break;
                cachedBytes.addAndGet(-SizeClasses.capacity(cls) * Float.BYTES);
                Cudart.check(cudaFree(Cudart.at(address)), "cudaFree");
            }
        }
    }

    /** Bytes held by live storages. */
    long liveBytes() {
        return liveBytes.get();
    }

    /** Bytes waiting in the cache for reuse. */
    long cachedBytes() {
        return cachedBytes.get();
    }
}
