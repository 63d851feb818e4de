package dev.strix.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strix.cuda.CudaCheck;
import dev.strix.cuda.CudaRuntime;
import dev.strix.nn.Tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** The caching allocator on a real GPU: no growth and no cudaMalloc over 1,000 training-like steps. */
class CudaAllocatorGpuTest {
    /** Tensor sizes (floats) of a small training step: activations, gradients, workspaces. */
    private static final int[] STEP = {7, 3 * 64 * 56 * 56, 64 * 3 * 3 * 3, 1, 1000, 1000, 257 * 13, 8 * 3 * 224 * 224,
            31, 65 * 65};

    @Test
    void aThousandStepsOnADedicatedAllocatorKeepItsStatisticsFixed() {
        CudaDevice device = Backend.cuda();
        CudaContext ctx = device.context();
        CachingAllocator a = new CachingAllocator("cuda:0 (test)", new CudaMemory(ctx), () -> {});
        CachingAllocator.Block weights = a.allocate(4L * 64 * 3 * 3 * 3);
        AllocatorStats warm = null;
        for (int step = 0; step < 1000; step++) {
            List<CachingAllocator.Block> live = new ArrayList<>();
            for (int i = 0; i < STEP.length; i++) {
                CachingAllocator.Block b = a.allocate(4L * STEP[i]);
                // touch the memory on the stream, as a kernel would
                CudaCheck.runtime("cudaMemsetAsync", CudaRuntime.cudaMemsetAsync(MemorySegment.ofAddress(b.address()),
                        step & 0xff, 4L * STEP[i], ctx.stream()));
                live.add(b);
                if (i % 4 == 3) a.free(live.remove(step % live.size()));
            }
            while (!live.isEmpty()) a.free(live.remove(live.size() - 1));
            if (step == 2) warm = a.stats();
        }
        ctx.synchronize();
        AllocatorStats end = a.stats();
        assertEquals(warm.cudaMallocCount(), end.cudaMallocCount(), "no cudaMalloc after warm-up: " + end);
        assertEquals(weights.bytes(), end.bytesInUse(), end.toString());
        assertEquals(warm.cachedBytes(), end.cachedBytes(), end.toString());
        assertEquals(warm.peakBytes(), end.peakBytes(), end.toString());
        assertEquals(1 + 1000L * STEP.length, end.allocCount());
        a.free(weights);
        a.emptyCache();
        assertEquals(0, a.stats().reservedBytes());
        assertEquals(end.cudaMallocCount(), a.stats().cudaFreeCount(), "every block went back to the device");
    }

    @Test
    void tensorsReleasedEachStepAreServedFromTheCache() {
        CudaDevice d = Backend.cuda();
        AllocatorStats warm = null;
        for (int step = 0; step < 1000; step++) {
            List<Tensor> live = new ArrayList<>();
            for (int n : STEP) {
                Tensor t = Tensor.zeros(d, n);
                d.fill(t, step);
                if (!live.isEmpty()) d.axpy(t, 1f, live.get(0).numel() == n ? live.get(0) : t);
                live.add(t);
            }
            for (Tensor t : live) ((CudaStorage) t.storage()).release();
            if (step == 2) warm = d.memoryStats();
        }
        d.synchronize();
        AllocatorStats end = d.memoryStats();
        assertEquals(warm.cudaMallocCount(), end.cudaMallocCount(), "no cudaMalloc after warm-up: " + end);
        // blocks of tensors from other tests may come back through the cleaner meanwhile: never more in use
        assertTrue(end.bytesInUse() <= warm.bytesInUse(), warm + " -> " + end);
    }
}
