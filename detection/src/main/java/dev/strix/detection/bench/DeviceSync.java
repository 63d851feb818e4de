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
        CudaDevice cuda = cuda(device);
        return cuda != null ? cuda::synchronize : () -> {};
    }

    /** {@code device} as a CUDA device, or null for the CPU. */
    private static CudaDevice cuda(Device device) {
        return CudaDevice.class.isInstance(device) ? CudaDevice.class.cast(device) : null;
    }

    /** Restarts the device allocator's peak tracking (nothing on the CPU). */
    static void resetPeak(Device device) {
        CudaDevice cuda = cuda(device);
        if (cuda != null) cuda.resetPeakMemory();
    }

    /** Largest device memory in use since the last {@link #resetPeak}, bytes (0 on the CPU). */
    static long peakBytes(Device device) {
        CudaDevice cuda = cuda(device);
        return cuda != null ? cuda.memoryStats().peakBytes() : 0;
    }

    /**
     * Live memory: {Java heap bytes of live objects, device bytes in use (0 on the CPU)}. The heap figure comes
     * from the JVM's class histogram (which collects first) without the filler arrays the collector leaves in
     * uncompacted dead space, else from the heap in use after a collection. Device tensors go back to the
     * allocator when the collector finds them unreachable, so a collection and a pause for the cleaners come first.
     */
    static long[] liveBytes(Device device) {
        of(device).run();
        System.gc();
        try {
            Thread.sleep(30);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long heap = liveHeapBytes();
        CudaDevice cuda = cuda(device);
        long dev = cuda != null ? cuda.memoryStats().bytesInUse() : 0;
        return new long[] {heap, dev};
    }

    /** Bytes of live Java objects (see {@link #liveBytes}). */
    static long liveHeapBytes() {
        try {
            javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            Object out = server.invoke(new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram", new Object[] {null}, new String[] {String[].class.getName()});
            long histogram = histogramBytes(String.valueOf(out));
            if (histogram >= 0) return histogram;
        } catch (javax.management.JMException | RuntimeException e) {
            // no diagnostic command on this JVM: fall back to the heap in use
        }
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** The bytes column of a class histogram summed over every class but the collector's fillers; -1 when none. */
    static long histogramBytes(String histogram) {
        long total = 0;
        boolean any = false;
        for (String line : histogram.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4 || !f[0].endsWith(":") || f[3].contains("FillerElement") || f[3].contains("FillerObject"))
                continue;
            try {
                total += Long.parseLong(f[2]);
                any = true;
            } catch (NumberFormatException e) {
                // a header or a malformed line
            }
        }
        return any ? total : -1;
    }
}
