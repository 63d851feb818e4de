package dev.strix.nn.cuda;

import static dev.strix.nn.cuda.CudnnDescriptors.ONE;
import static dev.strix.nn.cuda.CudnnDescriptors.ZERO;
import static dev.strix.nn.cuda.CudnnDescriptors.ptr;

import dev.strix.cuda.CudaCheck;
import dev.strix.cuda.Cudnn;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Batch normalisation through cuDNN ({@code CUDNN_BATCHNORM_SPATIAL}: per channel over N, H, W), PyTorch's
 * semantics: training normalises with the biased batch variance, updates running statistics with
 * {@code exponentialAverageFactor = momentum} and the unbiased variance (cuDNN's rule too), and saves the batch
 * mean and 1/sqrt(var + eps) for the backward pass. The backward pass uses those saved values; cuDNN then does
 * not need eps, and {@link #BACKWARD_EPS} is passed only to satisfy its argument check.
 *
 * <p>Legend: x, y, dx, dy (N, C, HW) described as (N, C, HW, 1) by {@link NormDescriptors}; gamma, beta, means,
 * variances (C) described as (1, C, 1, 1). Arguments are device addresses.
 */
final class CudnnBatchNorm {
    /** eps handed to cuDNN's backward, which uses the saved 1/std instead. */
    static final double BACKWARD_EPS = 1e-5;

    private record Descriptors(MemorySegment x, MemorySegment channel) {}

    private final CudaContext context;
    private final CachingAllocator allocator;
    private final Map<List<Integer>, Descriptors> cache = new HashMap<>();

    CudnnBatchNorm(CudaContext context, CachingAllocator allocator) {
        this.context = context;
        this.allocator = allocator;
    }

    synchronized void forwardTraining(long y, long saveMean, long saveInvStd, long x, long gamma, long beta,
                                      long runningMean, long runningVar, float momentum, float eps, int[] shape) {
        Descriptors d = descriptors(shape);
        int channels = shape[1];
        // cuDNN takes both running buffers or neither: stand in a scratch block for a missing one
        CachingAllocator.Block scratch = null;
        if ((runningMean == 0) != (runningVar == 0)) {
            scratch = allocator.allocate(4L * channels);
            if (runningMean == 0) runningMean = scratch.address();
            else runningVar = scratch.address();
        }
        try {
            CudaCheck.cudnn("cudnnBatchNormalizationForwardTraining", Cudnn.cudnnBatchNormalizationForwardTraining(
                    context.cudnn(), Cudnn.CUDNN_BATCHNORM_SPATIAL, ONE, ZERO, d.x, ptr(x), d.x, ptr(y), d.channel,
                    ptr(gamma), ptr(beta), momentum, ptr(runningMean), ptr(runningVar), eps, ptr(saveMean),
                    ptr(saveInvStd)));
        } finally {
            if (scratch != null) allocator.free(scratch); // stream order keeps the block alive for the queued call
        }
    }

    synchronized void forwardInference(long y, long x, long gamma, long beta, long runningMean, long runningVar,
                                       float eps, int[] shape) {
        Descriptors d = descriptors(shape);
        CudaCheck.cudnn("cudnnBatchNormalizationForwardInference", Cudnn.cudnnBatchNormalizationForwardInference(
                context.cudnn(), Cudnn.CUDNN_BATCHNORM_SPATIAL, ONE, ZERO, d.x, ptr(x), d.x, ptr(y), d.channel,
                ptr(gamma), ptr(beta), ptr(runningMean), ptr(runningVar), eps));
    }

    synchronized void backward(long dx, long dgamma, long dbeta, long dy, long x, long gamma, long saveMean,
                               long saveInvStd, int[] shape) {
        Descriptors d = descriptors(shape);
        CudaCheck.cudnn("cudnnBatchNormalizationBackward", Cudnn.cudnnBatchNormalizationBackward(context.cudnn(),
                Cudnn.CUDNN_BATCHNORM_SPATIAL, ONE, ZERO, ONE, ZERO, d.x, ptr(x), d.x, ptr(dy), d.x, ptr(dx),
                d.channel, ptr(gamma), ptr(dgamma), ptr(dbeta), BACKWARD_EPS, ptr(saveMean), ptr(saveInvStd)));
    }

    private Descriptors descriptors(int[] shape) {
        int[] dims = NormDescriptors.input(shape);
        return cache.computeIfAbsent(List.of(dims[0], dims[1], dims[2]), k -> new Descriptors(
                CudnnDescriptors.tensor(dims), CudnnDescriptors.tensor(NormDescriptors.perChannel(shape))));
    }
}
