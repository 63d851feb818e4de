package dev.strix.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The allocator's policy (buckets, free lists, statistics, out-of-memory handling) on a fake device. */
class CachingAllocatorTest {
    private static final long MIB = 1L << 20;

    @Test
    void bucketsRoundSmallRequestsTo512BytesAndLargeOnesTo2MiB() {
        assertEquals(512, CachingAllocator.bucketSize(0));
        assertEquals(512, CachingAllocator.bucketSize(1));
        assertEquals(512, CachingAllocator.bucketSize(512));
        assertEquals(1024, CachingAllocator.bucketSize(513));
        assertEquals(1536, CachingAllocator.bucketSize(4 * 257));
        assertEquals(MIB, CachingAllocator.bucketSize(MIB));
        assertEquals(2 * MIB, CachingAllocator.bucketSize(MIB + 1));
        assertEquals(4 * MIB, CachingAllocator.bucketSize(3 * MIB));
        assertEquals(6 * MIB, CachingAllocator.bucketSize(4 * MIB + 4));
        assertThrows(IllegalArgumentException.class, () -> CachingAllocator.bucketSize(-1));
    }

    @Test
    void freedBlockServesTheNextRequestOfItsBucket() {
        FakeDeviceMemory device = new FakeDeviceMemory(1L << 40);
        CachingAllocator a = new CachingAllocator("fake", device, () -> {});
        CachingAllocator.Block b1 = a.allocate(1000);
        a.free(b1);
        CachingAllocator.Block b2 = a.allocate(1020); // same 1024-byte bucket
        assertEquals(b1.address(), b2.address());
        assertEquals(1, a.stats().cudaMallocCount());
        CachingAllocator.Block b3 = a.allocate(2000); // another bucket: fresh
        assertNotEquals(b1.address(), b3.address());
        assertEquals(2, a.stats().cudaMallocCount());
        assertEquals(3, a.stats().allocCount());
    }

    /** The shapes of a small training step: parameters persist, activations and gradients come and go. */
    private static final long[] STEP_SIZES = {4 * 7, 4 * 13 * 31, 4 * 65 * 65 * 3, 4L * 3 * 64 * 56 * 56, 4 * 1,
            4 * 1000, 4 * 1000, 4 * 257, 4L * 8 * 3 * 224 * 224, 4 * 31};

    private static void step(CachingAllocator a, int step) {
        List<CachingAllocator.Block> live = new ArrayList<>();
        // forward: allocate everything; backward: free in roughly reverse order with a few early frees
        for (int i = 0; i < STEP_SIZES.length; i++) {
            live.add(a.allocate(STEP_SIZES[i]));
            if (i % 3 == 2) a.free(live.remove((step + i) % live.size()));
        }
        while (!live.isEmpty()) a.free(live.remove(live.size() - 1));
    }

    @Test
    void statisticsStayFixedOverAThousandSteps() {
        FakeDeviceMemory device = new FakeDeviceMemory(1L << 40);
        CachingAllocator a = new CachingAllocator("fake", device, () -> {});
        CachingAllocator.Block weights = a.allocate(4L * 64 * 3 * 3 * 3);
        for (int s = 0; s < 60; s++) step(a, s); // warm up: every free order of the step has been seen
        AllocatorStats warm = a.stats();
        for (int s = 60; s < 1000; s++) step(a, s);
        AllocatorStats end = a.stats();
        assertEquals(warm.cudaMallocCount(), end.cudaMallocCount(), "no cudaMalloc after warm-up: " + end);
        assertEquals(weights.bytes(), end.bytesInUse(), "only the persistent block is in use: " + end);
        assertEquals(1, end.blocksInUse());
        assertEquals(warm.cachedBytes(), end.cachedBytes());
        assertEquals(warm.peakBytes(), end.peakBytes());
        assertEquals(warm.reservedBytes(), device.used(), "the device holds exactly what the allocator reserves");
        assertEquals(1 + 1000L * STEP_SIZES.length, end.allocCount());
    }

    @Test
    void peakTracksTheHighestBytesInUse() {
        CachingAllocator a = new CachingAllocator("fake", new FakeDeviceMemory(1L << 40), () -> {});
        CachingAllocator.Block x = a.allocate(3 * MIB);      // 4 MiB bucket
        CachingAllocator.Block y = a.allocate(1000);         // 1024
        a.free(x);
        CachingAllocator.Block z = a.allocate(100);          // 512
        assertEquals(4 * MIB + 1024, a.stats().peakBytes());
        assertEquals(1024 + 512, a.stats().bytesInUse());
        assertEquals(4 * MIB, a.stats().cachedBytes());
        a.resetPeak();
        assertEquals(1024 + 512, a.stats().peakBytes());
        a.free(y);
        a.free(z);
        assertEquals(0, a.stats().bytesInUse());
        assertEquals(1024 + 512, a.stats().peakBytes());
    }

    @Test
    void outOfMemoryEmptiesTheCacheAndRetriesOnce() {
        FakeDeviceMemory device = new FakeDeviceMemory(10 * MIB);
        AtomicInteger pressure = new AtomicInteger();
        CachingAllocator a = new CachingAllocator("fake", device, pressure::incrementAndGet);
        a.free(a.allocate(4 * MIB));
        a.free(a.allocate(4 * MIB - 1 - 2 * MIB)); // 2 MiB bucket
        assertEquals(6 * MIB, a.stats().cachedBytes());
        CachingAllocator.Block big = a.allocate(5 * MIB); // 6 MiB bucket: only 4 MiB left on the device
        assertEquals(1, pressure.get(), "the pressure hook runs before the cache is emptied");
        assertEquals(0, a.stats().cachedBytes());
        assertEquals(2, a.stats().cudaFreeCount());
        assertEquals(6 * MIB, big.bytes());
        assertEquals(6 * MIB, device.used());
        assertEquals(1, device.failedMallocs(), "one failed attempt; the retry after emptying the cache succeeds");
    }

    @Test
    void blocksReturnedByThePressureHookAreReusedWithoutEmptyingTheCache() {
        FakeDeviceMemory device = new FakeDeviceMemory(8 * MIB);
        List<CachingAllocator.Block> unreachable = new ArrayList<>();
        CachingAllocator[] holder = new CachingAllocator[1];
        // the hook plays the cleaner thread: it returns blocks whose tensors were collected
        holder[0] = new CachingAllocator("fake", device, () -> unreachable.forEach(holder[0]::free));
        CachingAllocator a = holder[0];
        unreachable.add(a.allocate(3 * MIB));
        unreachable.add(a.allocate(3 * MIB));
        CachingAllocator.Block again = a.allocate(4 * MIB - 100);
        assertTrue(unreachable.stream().anyMatch(b -> b.address() == again.address()));
        assertEquals(0, a.stats().cudaFreeCount());
        assertEquals(2, a.stats().cudaMallocCount());
    }

    @Test
    void outOfMemoryAfterTheRetryNamesTheRequestAndTheStatistics() {
        FakeDeviceMemory device = new FakeDeviceMemory(8 * MIB);
        CachingAllocator a = new CachingAllocator("cuda:7", device, () -> {});
        CachingAllocator.Block held = a.allocate(4 * MIB);
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class, () -> a.allocate(6 * MIB));
        String m = e.getMessage();
        assertTrue(m.startsWith("cuda:7 is out of memory"), m);
        assertTrue(m.contains("6.00 MiB (6291456 bytes"), m);
        assertTrue(m.contains("in use 4.00 MiB in 1 blocks"), m);
        assertTrue(m.contains("fake device: 4194304 of 8388608 bytes used"), m);
        assertEquals(6 * MIB, e.requestedBytes());
        assertEquals(4 * MIB, e.stats().bytesInUse());
        a.free(held);
        assertEquals(6 * MIB, a.allocate(6 * MIB).bytes(), "the allocator works again once memory is free");
    }

    @Test
    void returningABlockTwiceFails() {
        CachingAllocator a = new CachingAllocator("fake", new FakeDeviceMemory(MIB), () -> {});
        CachingAllocator.Block b = a.allocate(10);
        a.free(b);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.free(b));
        assertTrue(e.getMessage().contains("returned twice"), e.getMessage());
    }

    @Test
    void emptyCacheKeepsBlocksInUse() {
        FakeDeviceMemory device = new FakeDeviceMemory(1L << 30);
        CachingAllocator a = new CachingAllocator("fake", device, () -> {});
        CachingAllocator.Block kept = a.allocate(5000);
        a.free(a.allocate(7000));
        a.emptyCache();
        assertEquals(1, device.liveBlocks());
        assertEquals(kept.bytes(), device.used());
        assertEquals(0, a.stats().cachedBytes());
    }

    @Test
    void concurrentAllocationsAndReturnsKeepTheCountsConsistent() throws Exception {
        FakeDeviceMemory device = new FakeDeviceMemory(1L << 40);
        CachingAllocator a = new CachingAllocator("fake", device, () -> {});
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                done.add(pool.submit(() -> {
                    for (int s = 0; s < 250; s++) step(a, s + seed);
                }));
            }
            for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        AllocatorStats s = a.stats();
        assertEquals(0, s.bytesInUse());
        assertEquals(0, s.blocksInUse());
        assertEquals(device.used(), s.cachedBytes());
        assertEquals(1000L * STEP_SIZES.length, s.allocCount());
        assertFalse(s.cudaMallocCount() > 4L * STEP_SIZES.length, "at most one block per size per thread: " + s);
    }

    @Test
    void storageReturnsItsBlockOnReleaseOrWhenCollected() throws InterruptedException {
        CachingAllocator a = new CachingAllocator("fake", new FakeDeviceMemory(1L << 30), () -> {});
        CudaStorage released = new CudaStorage(null, 100, a, a.allocate(400));
        assertEquals(512, a.stats().bytesInUse());
        released.release();
        released.release(); // harmless
        assertTrue(released.isReleased());
        assertEquals(0, a.stats().bytesInUse());
        assertThrows(IllegalStateException.class, released::address);

        makeGarbage(a);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (a.stats().bytesInUse() != 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(0, a.stats().bytesInUse(), "the cleaner returns the block of an unreachable storage");
        assertEquals(2, a.stats().cudaMallocCount());
    }

    @Test
    void blocksHandedOutDuringACaptureAreKeptFromReuseUntilThePoolCloses() {
        FakeDeviceMemory device = new FakeDeviceMemory(1L << 30);
        CachingAllocator a = new CachingAllocator("fake", device, () -> {});
        CachingAllocator.Block before = a.allocate(1000);
        a.free(before); // free before the capture: may serve the capture
        CachingAllocator.GraphPool pool = a.beginGraphPool();
        assertThrows(IllegalStateException.class, a::beginGraphPool, "one capture at a time");
        CachingAllocator.Block fromCache = a.allocate(1000), fresh = a.allocate(1000);
        assertEquals(before.address(), fromCache.address(), "the capture may take a block that was free before");
        a.free(fromCache); // the owner lets go during the capture ...
        CachingAllocator.Block again = a.allocate(1000);
        assertNotEquals(fromCache.address(), again.address(), "... but the graph still uses it: not handed out again");
        assertNotEquals(fresh.address(), again.address());
        pool.endCapture();
        assertEquals(3, pool.blocks());
        a.free(fresh);
        a.free(again);
        assertThrows(IllegalStateException.class, () -> a.free(again), "a second return is still an error");
        CachingAllocator.Block after = a.allocate(1000);
        for (CachingAllocator.Block b : List.of(fromCache, fresh, again))
            assertNotEquals(b.address(), after.address(), "kept while the graph lives");
        assertEquals(4 * 1024, a.stats().bytesInUse(), "kept blocks count as in use: " + a.stats());
        pool.close();
        pool.close(); // harmless
        assertEquals(1024, a.stats().bytesInUse(), a.stats().toString());
        assertEquals(3 * 1024, a.stats().cachedBytes(), a.stats().toString());
        CachingAllocator.Block reused = a.allocate(1000);
        assertTrue(List.of(fromCache.address(), fresh.address(), again.address()).contains(reused.address()),
                "after the pool closes its blocks serve new requests");
        assertEquals(4, a.stats().cudaMallocCount());
        a.free(after);
        a.free(reused);
        a.emptyCache();
        assertEquals(0, device.used(), "everything went back to the device");
    }

    @Test
    void aBlockStillHeldWhenThePoolClosesIsReturnedNormallyLater() {
        CachingAllocator a = new CachingAllocator("fake", new FakeDeviceMemory(1L << 30), () -> {});
        CachingAllocator.GraphPool pool = a.beginGraphPool();
        CachingAllocator.Block output = a.allocate(4096);
        pool.close();
        assertEquals(4096, a.stats().bytesInUse());
        a.free(output);
        assertEquals(0, a.stats().bytesInUse());
        assertEquals(output.address(), a.allocate(4096).address());
        a.beginGraphPool().close(); // a new capture may start once the previous one ended
    }

    private static void makeGarbage(CachingAllocator a) {
        CudaStorage s = new CudaStorage(null, 10_000, a, a.allocate(40_000));
        assertEquals(40_448, s.blockBytes());
        assertEquals(10_000, s.size());
    }
}
