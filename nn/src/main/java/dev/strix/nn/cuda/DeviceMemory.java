package dev.strix.nn.cuda;

/**
 * Raw device memory, the layer under {@link CachingAllocator}: one call per fresh block, no caching.
 * The real implementation is {@link CudaMemory} ({@code cudaMalloc}/{@code cudaFree}); tests substitute an
 * in-process fake so that the allocator's policy can be checked without a GPU.
 */
public interface DeviceMemory {
    /**
     * Allocates {@code bytes} of device memory.
     *
     * @param bytes size in bytes (> 0)
     * @return the device address, or 0 when the device is out of memory (other failures throw)
     */
    long tryMalloc(long bytes);

    /**
     * Gives a block obtained from {@link #tryMalloc} back to the device.
     *
     * @param address a device address returned by {@link #tryMalloc}
     */
    void free(long address);

    /** One line about the device's memory for error messages (e.g. free and total bytes), or "". */
    String describe();
}
