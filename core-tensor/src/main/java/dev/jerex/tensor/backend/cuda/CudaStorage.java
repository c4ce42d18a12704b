package dev.jerex.tensor.backend.cuda;

import dev.jerex.tensor.Storage;
import dev.jerex.tensor.TensorScope;
import dev.jerex.tensor.backend.Backend;
import java.lang.ref.Cleaner;

/**
 * Device memory for the CUDA backend: a block of the {@link DeviceAllocator}'s cache.
 * {@link #release()} (or the garbage collector, through a Cleaner, when the storage becomes
 * unreachable) returns the block to the cache, not to the driver.
 */
public final class CudaStorage extends Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaBackend backend;
    private final long address;
    private final Cleaner.Cleanable cleanable;

    CudaStorage(CudaBackend backend, DeviceAllocator allocator, int size) {
        super(size);
        this.backend = backend;
        DeviceAllocator.Block block = allocator.take(size);
        this.address = block.address();
        // The cleaning action must not reference this storage, or it would never become unreachable.
        this.cleanable = CLEANER.register(this, () -> allocator.give(block));
        TensorScope.register(this);
    }

    @Override
    public Backend backend() {
        return backend;
    }

    /** The device address of element {@code offset} (checks that the storage is still live). */
    long address(int offset) {
        checkLive();
        return address + (long) offset * Float.BYTES;
    }

    @Override
    protected void onRelease() {
        cleanable.clean();
    }
}
