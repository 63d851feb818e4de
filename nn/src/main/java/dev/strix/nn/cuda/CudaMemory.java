package dev.strix.nn.cuda;

import dev.strix.cuda.CTypes;
import dev.strix.cuda.CudaCheck;
import dev.strix.cuda.CudaRuntime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** {@link DeviceMemory} through {@code cudaMalloc} and {@code cudaFree} on one context. */
final class CudaMemory implements DeviceMemory {
    private final CudaContext context;

    CudaMemory(CudaContext context) {
        this.context = context;
    }

    @Override
    public long tryMalloc(long bytes) {
        context.makeCurrent();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(CTypes.C_POINTER);
            int status = CudaRuntime.cudaMalloc(out, bytes);
            if (status == CudaRuntime.cudaErrorMemoryAllocation) {
                CudaRuntime.cudaGetLastError(); // clear the error so later calls do not report it again
                return 0;
            }
            CudaCheck.runtime("cudaMalloc", status);
            return out.get(CTypes.C_POINTER, 0).address();
        }
    }

    @Override
    public void free(long address) {
        context.makeCurrent();
        CudaCheck.runtime("cudaFree", CudaRuntime.cudaFree(MemorySegment.ofAddress(address)));
    }

    @Override
    public String describe() {
        try (Arena arena = Arena.ofConfined()) {
            context.makeCurrent();
            MemorySegment free = arena.allocate(CTypes.C_SIZE_T), total = arena.allocate(CTypes.C_SIZE_T);
            if (CudaRuntime.cudaMemGetInfo(free, total) != 0) return "";
            return CachingAllocator.formatBytes(free.get(CTypes.C_SIZE_T, 0)) + " free of "
                    + CachingAllocator.formatBytes(total.get(CTypes.C_SIZE_T, 0));
        } catch (RuntimeException e) {
            return "";
        }
    }

    /**
     * The real device's pressure hook: a garbage collection so that tensors nobody references any more give
     * their blocks back through the cleaner, then a short wait for the cleaner thread to run.
     */
    static void collectUnreachableTensors() {
        System.gc();
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
