package dev.strix.nn.cuda;

import static dev.strix.nn.cuda.CudnnDescriptors.ONE;
import static dev.strix.nn.cuda.CudnnDescriptors.ZERO;
import static dev.strix.nn.cuda.CudnnDescriptors.ptr;

import dev.strix.cuda.CudaCheck;
import dev.strix.cuda.Cudnn;
import dev.strix.kernels.PoolShape;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * Max and average pooling through cuDNN, descriptors cached per shape and kind ({@link PoolDescriptors}; ceil
 * mode that changes the output size is refused there). Legend: x, dx (N, C, H, W); y, dy (N, C, P, Q);
 * arguments are device addresses.
 */
final class CudnnPooling {
    private record Key(PoolShape shape, PoolDescriptors.Kind kind) {}

    private record Descriptors(MemorySegment pool, MemorySegment x, MemorySegment y) {}

    private final CudaContext context;
    private final CachingAllocator allocator;
    private final Map<Key, Descriptors> cache = new HashMap<>();

    CudnnPooling(CudaContext context, CachingAllocator allocator) {
        this.context = context;
        this.allocator = allocator;
    }

    synchronized void forward(PoolDescriptors.Kind kind, long y, long x, PoolShape s) {
        Descriptors d = descriptors(s, kind);
        CudaCheck.cudnn("cudnnPoolingForward", Cudnn.cudnnPoolingForward(context.cudnn(), d.pool, ONE, d.x, ptr(x),
                ZERO, d.y, ptr(y)));
    }

    /** Max-pool backward from the forward input x and output y. */
    synchronized void maxBackward(long dx, long dy, long x, long y, PoolShape s) {
        Descriptors d = descriptors(s, PoolDescriptors.Kind.MAX);
        CudaCheck.cudnn("cudnnPoolingBackward", Cudnn.cudnnPoolingBackward(context.cudnn(), d.pool, ONE, d.y, ptr(y),
                d.y, ptr(dy), d.x, ptr(x), ZERO, d.x, ptr(dx)));
    }

    /**
     * Average-pool backward. The gradient of an average does not depend on x or y, but cuDNN's signature asks for
     * both: dy stands in for y (same shape) and a scratch block for x, neither of which it reads for averages.
     */
    synchronized void avgBackward(PoolDescriptors.Kind kind, long dx, long dy, PoolShape s) {
        Descriptors d = descriptors(s, kind);
        CachingAllocator.Block scratch = allocator.allocate(4L * s.inputSize());
        try {
            CudaCheck.cudnn("cudnnPoolingBackward", Cudnn.cudnnPoolingBackward(context.cudnn(), d.pool, ONE, d.y,
                    ptr(dy), d.y, ptr(dy), d.x, ptr(scratch.address()), ZERO, d.x, ptr(dx)));
        } finally {
            allocator.free(scratch); // stream order keeps the block alive for the queued call
        }
    }

    private Descriptors descriptors(PoolShape s, PoolDescriptors.Kind kind) {
        Descriptors d = cache.get(new Key(s, kind));
        if (d != null) return d;
        PoolDescriptors p = PoolDescriptors.plan(s, kind); // throws for an unsupported ceil mode
        d = new Descriptors(CudnnDescriptors.pooling(p), CudnnDescriptors.tensor(p.input()),
                CudnnDescriptors.tensor(p.output()));
        cache.put(new Key(s, kind), d);
        return d;
    }
}
