package dev.jerex.tensor.backend;

import dev.jerex.tensor.Storage;
import dev.jerex.tensor.TensorScope;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Host memory for the CPU backends: a direct (off-heap) buffer in native byte order.
 *
 * <p>Why off-heap: JavaCPP copies a heap {@code float[]} on every native call (PERF.md: 81 vs
 * 142 GFLOPS at 64^3), while a direct buffer's address is handed to OpenBLAS as it is. The
 * pure-Java backend reads the same buffer through {@link FloatBuffer} with plain Java code, so
 * both CPU backends share one storage type and tensors move between them without copies.
 *
 * <p>Buffers are recycled through {@link HostBufferPool}: allocating a direct buffer costs
 * milliseconds (zeroing, mmap, page faults), recycling one costs nanoseconds.
 */
public final class HostStorage extends Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Backend backend;
    private final ByteBuffer bytes;
    /** The float view used by every kernel; absolute get(i)/put(i) index from 0. */
    public final FloatBuffer data;
    private final Cleaner.Cleanable cleanable;
    /** Per-backend cache of a native view of this buffer (e.g. a JavaCPP pointer), or null. */
    public volatile Object nativeView;

    HostStorage(Backend backend, int size) {
        super(size);
        this.backend = backend;
        this.bytes = HostBufferPool.take(size);
        this.data = bytes.asFloatBuffer();
        // Return the buffer to the pool when this storage becomes unreachable without release().
        ByteBuffer b = bytes;
        this.cleanable = CLEANER.register(this, () -> HostBufferPool.give(b));
        TensorScope.register(this);
    }

    @Override
    public Backend backend() {
        return backend;
    }

    /** The raw bytes (native order), for native libraries that take a direct buffer. */
    public ByteBuffer bytes() {
        return bytes;
    }

    @Override
    protected void onRelease() {
        nativeView = null;
        cleanable.clean();
    }

    /** A fresh float buffer view, positioned at {@code offset}, for bulk transfers. */
    public FloatBuffer viewAt(int offset, int length) {
        return data.duplicate().position(offset).limit(offset + length).slice();
    }

    static ByteBuffer allocateDirect(int floats) {
        return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder());
    }
}
