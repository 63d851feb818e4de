package dev.strix.nn.cuda;

import dev.strix.nn.Device;
import dev.strix.nn.Storage;

import java.lang.ref.Cleaner;

/**
 * Float32 elements in device memory: a block of the device's {@link CachingAllocator}.
 *
 * <p>Freeing is deferred: the block goes back to the allocator's free list when this storage becomes
 * unreachable and the garbage collector has noticed (through a {@link Cleaner}), or at once on
 * {@link #release()}. Code that churns through large temporaries can call {@code release()} to make reuse
 * immediate; the allocator also triggers a collection by itself before it reports the device out of memory.
 */
public final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaDevice device;
    private final long numel;
    private final CachingAllocator.Block block;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean released;

    CudaStorage(CudaDevice device, long numel, CachingAllocator allocator, CachingAllocator.Block block) {
        this.device = device;
        this.numel = numel;
        this.block = block;
        this.cleanable = CLEANER.register(this, new ReturnBlock(allocator, block));
    }

    /** The cleaning action; must not refer to the storage itself. */
    private record ReturnBlock(CachingAllocator allocator, CachingAllocator.Block block) implements Runnable {
        @Override
        public void run() {
            allocator.free(block);
        }
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public long size() {
        return numel;
    }

    /** Device address ({@code CUdeviceptr}) of element 0. */
    public long address() {
        if (released) throw new IllegalStateException("storage of " + numel + " floats on " + device + " was released");
        return block.address();
    }

    /** Bytes of the underlying block (rounded up from {@code 4 * size()}). */
    public long blockBytes() {
        return block.bytes();
    }

    /** True after {@link #release()}. */
    public boolean isReleased() {
        return released;
    }

    /**
     * Returns the block to the allocator now instead of at garbage collection. The storage must not be used
     * afterwards; calling this twice is harmless.
     */
    public void release() {
        released = true;
        cleanable.clean();
    }
}
