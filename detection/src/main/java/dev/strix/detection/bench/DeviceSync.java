package dev.strix.detection.bench;

import dev.strix.nn.Device;
import dev.strix.nn.cuda.CudaDevice;

/**
 * What the benchmarks need from an asynchronous device: a wait for the queued work (so that a wall-clock time
 * covers the work and not only its launch) and the device-memory counters. The CPU is synchronous and has no
 * device memory.
 */
final class DeviceSync {
    private DeviceSync() {}

    /** Waits for everything queued on {@code device}: a stream synchronisation on CUDA, nothing on the CPU. */
    static Runnable of(Device device) {
        return device instanceof CudaDevice cuda ? cuda::synchronize : () -> {};
    }

    /** Restarts the device allocator's peak tracking (nothing on the CPU). */
    static void resetPeak(Device device) {
        if (device instanceof CudaDevice cuda) cuda.resetPeakMemory();
    }

    /** Largest device memory in use since the last {@link #resetPeak}, bytes (0 on the CPU). */
    static long peakBytes(Device device) {
        return device instanceof CudaDevice cuda ? cuda.memoryStats().peakBytes() : 0;
    }
}
