package dev.strix.nn.cuda;

/**
 * A snapshot of {@link CachingAllocator}'s counters. Byte counts are of rounded block sizes (what the device
 * really holds), not of the requested sizes.
 *
 * @param bytesInUse      bytes in blocks handed out and not yet returned
 * @param peakBytes       the largest {@code bytesInUse} seen since creation or {@link CachingAllocator#resetPeak()}
 * @param cachedBytes     bytes in free blocks kept for reuse (returned by {@link CachingAllocator#emptyCache()})
 * @param blocksInUse     blocks handed out and not yet returned
 * @param allocCount      allocation requests served, from the cache or fresh
 * @param cudaMallocCount fresh blocks obtained from the device
 * @param cudaFreeCount   blocks given back to the device (by emptying the cache)
 */
public record AllocatorStats(long bytesInUse, long peakBytes, long cachedBytes, long blocksInUse, long allocCount,
                             long cudaMallocCount, long cudaFreeCount) {

    /** Bytes held from the device: in use plus cached. */
    public long reservedBytes() {
        return bytesInUse + cachedBytes;
    }

    @Override
    public String toString() {
        return "in use " + CachingAllocator.formatBytes(bytesInUse) + " in " + blocksInUse + " blocks, peak "
                + CachingAllocator.formatBytes(peakBytes) + ", cached " + CachingAllocator.formatBytes(cachedBytes)
                + ", " + allocCount + " allocations, " + cudaMallocCount + " cudaMalloc, " + cudaFreeCount + " cudaFree";
    }
}
