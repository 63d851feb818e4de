package dev.strix.nn.cuda;

import dev.strix.cuda.CTypes;
import dev.strix.cuda.CudaCheck;
import dev.strix.cuda.CudaRuntime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Host-device copies through one page-locked buffer ({@code cudaMallocHost}), reused across copies and grown on
 * demand up to {@link #MAX_CHUNK_BYTES}; larger copies go through it in chunks. Each chunk is an async copy on
 * the device's stream followed by a stream synchronisation (the buffer is reused by the next chunk and the
 * caller reads or frees its array when the method returns).
 */
final class PinnedStaging {
    /** The buffer never grows past 32 MiB; larger copies are chunked. */
    static final long MAX_CHUNK_BYTES = 32L << 20;

    private final CudaContext context;
    private MemorySegment buffer = MemorySegment.NULL;

    PinnedStaging(CudaContext context) {
        this.context = context;
    }

    /** Copies {@code src[offset, offset+length)} to the device address {@code dst}. */
    synchronized void upload(long dst, float[] src, int offset, int length) {
        context.makeCurrent();
        long done = 0, total = 4L * length;
        while (done < total) {
            long chunk = Math.min(total - done, MAX_CHUNK_BYTES);
            MemorySegment staging = ensure(chunk);
            MemorySegment.copy(src, offset + (int) (done / 4), staging, ValueLayout.JAVA_FLOAT, 0, (int) (chunk / 4));
            CudaCheck.runtime("cudaMemcpyAsync", CudaRuntime.cudaMemcpyAsync(MemorySegment.ofAddress(dst + done),
                    staging, chunk, CudaRuntime.cudaMemcpyHostToDevice, context.stream()));
            CudaCheck.runtime("cudaStreamSynchronize", CudaRuntime.cudaStreamSynchronize(context.stream()));
            done += chunk;
        }
    }

    /** Copies {@code count} floats from the device address {@code src} into {@code dst[offset...]}. */
    synchronized void download(float[] dst, int offset, long src, int count) {
        context.makeCurrent();
        long done = 0, total = 4L * count;
        while (done < total) {
            long chunk = Math.min(total - done, MAX_CHUNK_BYTES);
            MemorySegment staging = ensure(chunk);
            CudaCheck.runtime("cudaMemcpyAsync", CudaRuntime.cudaMemcpyAsync(staging,
                    MemorySegment.ofAddress(src + done), chunk, CudaRuntime.cudaMemcpyDeviceToHost, context.stream()));
            CudaCheck.runtime("cudaStreamSynchronize", CudaRuntime.cudaStreamSynchronize(context.stream()));
            MemorySegment.copy(staging, ValueLayout.JAVA_FLOAT, 0, dst, offset + (int) (done / 4), (int) (chunk / 4));
            done += chunk;
        }
    }

    private MemorySegment ensure(long bytes) {
        if (buffer.byteSize() >= bytes) return buffer;
        long size = Math.min(MAX_CHUNK_BYTES, Math.max(bytes, Math.max(64L << 10, 2 * buffer.byteSize())));
        if (buffer.address() != 0)
            CudaCheck.runtime("cudaFreeHost", CudaRuntime.cudaFreeHost(buffer));
        buffer = MemorySegment.NULL;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(CTypes.C_POINTER);
            CudaCheck.runtime("cudaMallocHost", CudaRuntime.cudaMallocHost(out, size));
            buffer = out.get(CTypes.C_POINTER, 0).reinterpret(size);
        }
        return buffer;
    }
}
