package dev.strix.nn.cuda;

import dev.strix.cuda.CTypes;
import dev.strix.cuda.CudaCheck;
import dev.strix.cuda.CudaException;
import dev.strix.cuda.CudaRuntime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Work on a {@link CudaDevice}'s stream captured once into a CUDA graph and replayed with one launch: the kernels,
 * cuBLAS and cuDNN calls the work queued run again on the same device addresses, without the host-side cost of
 * issuing them one by one.
 *
 * <p>Rules for the captured work (what PyTorch's {@code torch.cuda.graph} asks too): it must not wait for the GPU
 * or read anything back to the host ({@code item()}, {@code toArray()}, {@link CudaDevice#sum}); it must not
 * upload; every choice the host makes (shapes, algorithms, scalars) is frozen at capture, so run the work once
 * eagerly first (cuDNN picks its algorithms on first use, which cannot be captured). Tensors that exist before the
 * capture and that the work reads or writes (weights, inputs, outputs written in place, the convolution workspace)
 * must stay alive and keep their storage while the graph is used: a replay reads new input values from the same
 * addresses and writes its outputs to the addresses the capture produced. Memory handed out during the capture
 * is kept from reuse by the allocator until {@link #close()} (see {@link CachingAllocator#beginGraphPool()}).
 */
public final class CudaGraph implements AutoCloseable {
    private final CudaDevice device;
    private final CachingAllocator.GraphPool pool;
    private MemorySegment graph, exec;

    private CudaGraph(CudaDevice device, CachingAllocator.GraphPool pool, MemorySegment graph, MemorySegment exec) {
        this.device = device;
        this.pool = pool;
        this.graph = graph;
        this.exec = exec;
    }

    /**
     * Captures what {@code work} queues on {@code device}'s stream (nothing runs on the GPU during the capture).
     *
     * @throws IllegalStateException when the capture fails (the usual cause is a host synchronisation inside
     *                               {@code work}, and the message says so) or another capture is in progress
     * @throws CudaException         when the runtime refuses to begin the capture or to instantiate the graph
     */
    public static CudaGraph capture(CudaDevice device, Runnable work) {
        device.synchronize();
        MemorySegment stream = device.context().stream();
        CachingAllocator.GraphPool pool = device.allocator().beginGraphPool();
        try (Arena arena = Arena.ofConfined()) {
            // relaxed: cudaMalloc of a fresh block by the allocator is allowed while capturing
            CudaCheck.runtime("cudaStreamBeginCapture",
                    CudaRuntime.cudaStreamBeginCapture(stream, CudaRuntime.cudaStreamCaptureModeRelaxed));
            RuntimeException failure = null;
            try {
                work.run();
            } catch (RuntimeException e) {
                failure = e;
            }
            MemorySegment pGraph = arena.allocate(CTypes.C_POINTER);
            int end = CudaRuntime.cudaStreamEndCapture(stream, pGraph);
            pool.endCapture();
            MemorySegment graph = end == 0 ? pGraph.get(CTypes.C_POINTER, 0) : MemorySegment.NULL;
            if (failure != null || end != 0) {
                if (!graph.equals(MemorySegment.NULL)) CudaRuntime.cudaGraphDestroy(graph);
                pool.close();
                String why = "capturing a CUDA graph on " + device.name() + " failed; the captured work must not "
                        + "synchronise with the host, read values back or upload (run it once eagerly first)";
                if (failure != null) throw new IllegalStateException(why + ": " + failure.getMessage(), failure);
                CudaCheck.runtime("cudaStreamEndCapture", end);
                throw new IllegalStateException(why);
            }
            MemorySegment pExec = arena.allocate(CTypes.C_POINTER);
            int status = CudaRuntime.cudaGraphInstantiate(pExec, graph, 0);
            if (status != 0) {
                CudaRuntime.cudaGraphDestroy(graph);
                pool.close();
                CudaCheck.runtime("cudaGraphInstantiate", status);
            }
            return new CudaGraph(device, pool, graph, pExec.get(CTypes.C_POINTER, 0));
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** Queues one replay on the device's stream (returns at once, like any other op). */
    public void replay() {
        if (exec == null) throw new IllegalStateException("the CUDA graph was closed");
        CudaCheck.runtime("cudaGraphLaunch", CudaRuntime.cudaGraphLaunch(exec, device.context().stream()));
    }

    /** Blocks handed out during the capture, kept for the graph. */
    public int retainedBlocks() {
        return pool.blocks();
    }

    /** Waits for queued replays, destroys the graph and lets the allocator reuse its memory. */
    @Override
    public void close() {
        if (exec == null) return;
        device.synchronize();
        CudaRuntime.cudaGraphExecDestroy(exec);
        CudaRuntime.cudaGraphDestroy(graph);
        exec = null;
        graph = null;
        pool.close();
    }
}
