package dev.strix.nn.cuda;

/**
 * The device could not provide a block even after the allocator returned every cached block to it. The
 * message names the requested size, the allocator's statistics and, when known, the device's free memory.
 */
public final class DeviceOutOfMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long requestedBytes;
    private final transient AllocatorStats stats;

    /**
     * @param device         the device's name, e.g. {@code cuda:0}
     * @param requestedBytes bytes the caller asked for
     * @param blockBytes     the rounded block size that was tried
     * @param stats          the allocator's statistics after emptying its cache
     * @param deviceMemory   the device's own account of its memory, or ""
     */
    public DeviceOutOfMemoryException(String device, long requestedBytes, long blockBytes, AllocatorStats stats,
                                      String deviceMemory) {
        super(device + " is out of memory: could not allocate " + CachingAllocator.formatBytes(requestedBytes) + " ("
                + requestedBytes + " bytes, block of " + blockBytes + " bytes) even after emptying the cache; allocator: "
                + stats + (deviceMemory == null || deviceMemory.isEmpty() ? "" : "; device: " + deviceMemory)
                + ". Use a smaller batch or image size.");
        this.requestedBytes = requestedBytes;
        this.stats = stats;
    }

    /** Bytes the failed request asked for. */
    public long requestedBytes() {
        return requestedBytes;
    }

    /** The allocator's statistics at the time of failure. */
    public AllocatorStats stats() {
        return stats;
    }
}
