package dev.strix.nn.cuda;

import java.util.HashMap;
import java.util.Map;

/** A {@link DeviceMemory} with a fixed capacity that hands out made-up addresses, for allocator tests. */
final class FakeDeviceMemory implements DeviceMemory {
    private final long capacity;
    private final Map<Long, Long> live = new HashMap<>();
    private long used, next = 0x7000_0000_0000L, mallocCalls, failedMallocs;

    FakeDeviceMemory(long capacity) {
        this.capacity = capacity;
    }

    @Override
    public synchronized long tryMalloc(long bytes) {
        mallocCalls++;
        if (used + bytes > capacity) {
            failedMallocs++;
            return 0;
        }
        long address = next;
        next += bytes + 4096;
        live.put(address, bytes);
        used += bytes;
        return address;
    }

    @Override
    public synchronized void free(long address) {
        Long bytes = live.remove(address);
        if (bytes == null) throw new AssertionError("free of unknown address 0x" + Long.toHexString(address));
        used -= bytes;
    }

    @Override
    public String describe() {
        return "fake device: " + used + " of " + capacity + " bytes used";
    }

    synchronized long used() {
        return used;
    }

    synchronized int liveBlocks() {
        return live.size();
    }

    synchronized long mallocCalls() {
        return mallocCalls;
    }

    synchronized long failedMallocs() {
        return failedMallocs;
    }
}
