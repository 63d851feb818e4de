package dev.strix.nn.cuda;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Device memory with PyTorch-style caching: a block returned by a tensor goes onto a free list of its size and
 * serves the next request of that size, so a training loop that repeats the same shapes stops calling
 * {@code cudaMalloc} after its first step.
 *
 * <p>Policy. A request is rounded up to a bucket: to a multiple of {@value #SMALL_ROUND} bytes up to
 * {@value #SMALL_LIMIT} bytes, to a multiple of {@value #LARGE_ROUND} bytes above that (a request of 0 bytes
 * gets the smallest bucket). Free blocks are kept per bucket and only serve requests of exactly that bucket;
 * blocks are never split or merged. When the device cannot provide a fresh block the allocator first runs its
 * pressure hook (for the real device: a garbage collection, so that unreachable tensors return their blocks),
 * tries the free list again, then gives every cached block back to the device and retries once; when that
 * fails too it throws {@link DeviceOutOfMemoryException}.
 *
 * <p>Blocks are returned with {@link #free(Block)}; {@link CudaStorage} does this when its tensor becomes
 * unreachable or on an explicit {@link CudaStorage#release()}. All methods are thread-safe (returns arrive
 * from the cleaner thread). All work on a device runs on one stream, so a block returned while kernels that
 * use it are still queued is only handed to work queued after them: reuse needs no synchronisation.
 */
public final class CachingAllocator {
    /** Requests up to this size (1 MiB) are rounded to {@link #SMALL_ROUND}. */
    public static final long SMALL_LIMIT = 1L << 20;
    /** Rounding of small requests: 512 bytes. */
    public static final long SMALL_ROUND = 512;
    /** Rounding of large requests: 2 MiB. */
    public static final long LARGE_ROUND = 2L << 20;

    /** One device allocation: its address and rounded size. */
    public static final class Block {
        private final long address;
        private final long bytes;
        private boolean inUse;
        /** The graph pool that keeps this block from reuse, or null. */
        private GraphPool pool;
        /** True when the owner returned the block while its pool still kept it. */
        private boolean returnedToPool;

        Block(long address, long bytes) {
            this.address = address;
            this.bytes = bytes;
        }

        /** Device address of the first byte. */
        public long address() {
            return address;
        }

        /** Size of the block in bytes (the bucket size, at least the requested size). */
        public long bytes() {
            return bytes;
        }
    }

    private final String deviceName;
    private final DeviceMemory memory;
    private final Runnable pressureHook;
    private final Map<Long, ArrayDeque<Block>> freeLists = new HashMap<>();
    private GraphPool capturing;
    private long bytesInUse, peakBytes, cachedBytes, blocksInUse, allocCount, mallocCount, freeCount;

    /**
     * @param deviceName   the device's name for messages
     * @param memory       where fresh blocks come from
     * @param pressureHook run once when the device is out of memory, before the cache is emptied (may free blocks)
     */
    public CachingAllocator(String deviceName, DeviceMemory memory, Runnable pressureHook) {
        this.deviceName = deviceName;
        this.memory = memory;
        this.pressureHook = pressureHook;
    }

    /**
     * The bucket a request falls into.
     *
     * @param bytes requested size (>= 0)
     * @return the block size that serves it
     */
    public static long bucketSize(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative allocation size " + bytes);
        if (bytes == 0) return SMALL_ROUND;
        long round = bytes <= SMALL_LIMIT ? SMALL_ROUND : LARGE_ROUND;
        return Math.ceilDiv(bytes, round) * round;
    }

    /**
     * A block of at least {@code bytes}, from the cache when one of its bucket is free.
     *
     * @param bytes requested size (>= 0)
     * @return the block, marked in use
     * @throws DeviceOutOfMemoryException when the device cannot provide it even after emptying the cache
     */
    public Block allocate(long bytes) {
        long size = bucketSize(bytes);
        synchronized (this) {
            Block cached = takeCached(size);
            if (cached != null) return handOut(cached);
            long address = memory.tryMalloc(size);
            if (address != 0) return handOut(fresh(address, size));
        }
        // out of memory: let unreachable tensors return their blocks (outside the lock: the hook may wait for
        // the cleaner thread, which needs it), then retry from the cache, then from an emptied cache
        pressureHook.run();
        synchronized (this) {
            Block cached = takeCached(size);
            if (cached != null) return handOut(cached);
            emptyCache();
            long address = memory.tryMalloc(size);
            if (address != 0) return handOut(fresh(address, size));
            throw new DeviceOutOfMemoryException(deviceName, bytes, size, stats(), memory.describe());
        }
    }

    /**
     * Returns a block to its free list (the device keeps it until {@link #emptyCache()}).
     *
     * @param block a block from {@link #allocate} that is no longer used
     */
    public synchronized void free(Block block) {
        if (!block.inUse || block.returnedToPool) throw new IllegalStateException("block at 0x"
                + Long.toHexString(block.address) + " of " + block.bytes + " bytes is returned twice");
        if (block.pool != null) {
            block.returnedToPool = true; // a captured graph still reads or writes it: reuse waits for the pool
            return;
        }
        block.inUse = false;
        bytesInUse -= block.bytes;
        blocksInUse--;
        cachedBytes += block.bytes;
        freeLists.computeIfAbsent(block.bytes, k -> new ArrayDeque<>()).push(block);
    }

    /** Gives every cached (free) block back to the device. Blocks in use are not touched. */
    public synchronized void emptyCache() {
        for (ArrayDeque<Block> list : freeLists.values()) {
            for (Block b : list) {
                memory.free(b.address);
                freeCount++;
                cachedBytes -= b.bytes;
            }
            list.clear();
        }
        freeLists.clear();
    }

    /**
     * Starts a pool for a CUDA graph capture: every block handed out until {@link GraphPool#endCapture()} is
     * kept from reuse, even after its owner returns it, until the pool is closed; a captured graph replays its
     * kernels on exactly those addresses, so no other tensor may get them while the graph can still run. Until
     * then such a block counts as in use.
     *
     * @throws IllegalStateException when another capture is in progress
     */
    public synchronized GraphPool beginGraphPool() {
        if (capturing != null) throw new IllegalStateException("a graph capture is already in progress on " + deviceName);
        capturing = new GraphPool();
        return capturing;
    }

    /** The blocks of one captured graph (see {@link #beginGraphPool()}). */
    public final class GraphPool implements AutoCloseable {
        private final List<Block> blocks = new ArrayList<>();
        private boolean closed;

        private GraphPool() {}

        /** Stops adding blocks (the capture has ended); the blocks stay reserved until {@link #close()}. */
        public void endCapture() {
            synchronized (CachingAllocator.this) {
                if (capturing == this) capturing = null;
            }
        }

        /** Blocks handed out during the capture. */
        public int blocks() {
            synchronized (CachingAllocator.this) {
                return blocks.size();
            }
        }

        /** Releases the blocks: those their owners already returned go to the free lists now. */
        @Override
        public void close() {
            synchronized (CachingAllocator.this) {
                if (closed) return;
                closed = true;
                if (capturing == this) capturing = null;
                for (Block b : blocks) {
                    b.pool = null;
                    if (b.returnedToPool) {
                        b.returnedToPool = false;
                        free(b);
                    }
                }
                blocks.clear();
            }
        }
    }

    /** The counters now. */
    public synchronized AllocatorStats stats() {
        return new AllocatorStats(bytesInUse, peakBytes, cachedBytes, blocksInUse, allocCount, mallocCount, freeCount);
    }

    /** Restarts peak tracking from the bytes in use now. */
    public synchronized void resetPeak() {
        peakBytes = bytesInUse;
    }

    private Block takeCached(long size) {
        ArrayDeque<Block> list = freeLists.get(size);
        if (list == null || list.isEmpty()) return null;
        Block b = list.pop();
        cachedBytes -= b.bytes;
        return b;
    }

    private Block fresh(long address, long size) {
        mallocCount++;
        return new Block(address, size);
    }

    private Block handOut(Block b) {
        b.inUse = true;
        if (capturing != null) {
            b.pool = capturing;
            capturing.blocks.add(b);
        }
        allocCount++;
        blocksInUse++;
        bytesInUse += b.bytes;
        peakBytes = Math.max(peakBytes, bytesInUse);
        return b;
    }

    /** "1.50 GiB"-style size for messages. */
    static String formatBytes(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.2f %s", v, units[u]);
    }
}
