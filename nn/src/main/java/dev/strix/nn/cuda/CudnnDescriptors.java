package dev.strix.nn.cuda;

import dev.strix.cuda.CTypes;
import dev.strix.cuda.CudaCheck;
import dev.strix.cuda.Cudnn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Creates the cuDNN descriptors the device caches (one set per shape, kept for the life of the device) and
 * holds the constant host scalars that cuDNN's {@code alpha}/{@code beta} arguments point at.
 */
final class CudnnDescriptors {
    /** Host float 1, for {@code alpha} (and {@code beta} when accumulating). */
    static final MemorySegment ONE = Arena.global().allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
    /** Host float 0, for {@code beta} (overwrite). */
    static final MemorySegment ZERO = Arena.global().allocateFrom(ValueLayout.JAVA_FLOAT, 0f);

    private CudnnDescriptors() {}

    /** A float NCHW tensor descriptor of {@code dims} = {n, c, h, w}. */
    static MemorySegment tensor(int[] dims) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(CTypes.C_POINTER);
            CudaCheck.cudnn("cudnnCreateTensorDescriptor", Cudnn.cudnnCreateTensorDescriptor(out));
            MemorySegment d = out.get(CTypes.C_POINTER, 0);
            CudaCheck.cudnn("cudnnSetTensor4dDescriptor", Cudnn.cudnnSetTensor4dDescriptor(d, Cudnn.CUDNN_TENSOR_NCHW,
                    Cudnn.CUDNN_DATA_FLOAT, dims[0], dims[1], dims[2], dims[3]));
            return d;
        }
    }

    /** A float KCRS filter descriptor of {@code dims} = {k, c, r, s}. */
    static MemorySegment filter(int[] dims) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(CTypes.C_POINTER);
            CudaCheck.cudnn("cudnnCreateFilterDescriptor", Cudnn.cudnnCreateFilterDescriptor(out));
            MemorySegment d = out.get(CTypes.C_POINTER, 0);
            CudaCheck.cudnn("cudnnSetFilter4dDescriptor", Cudnn.cudnnSetFilter4dDescriptor(d, Cudnn.CUDNN_DATA_FLOAT,
                    Cudnn.CUDNN_TENSOR_NCHW, dims[0], dims[1], dims[2], dims[3]));
            return d;
        }
    }

    /** A float cross-correlation descriptor with {pad, stride, dilation} and the group count and math type. */
    static MemorySegment convolution(int[] c, int groups, int mathType) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(CTypes.C_POINTER);
            CudaCheck.cudnn("cudnnCreateConvolutionDescriptor", Cudnn.cudnnCreateConvolutionDescriptor(out));
            MemorySegment d = out.get(CTypes.C_POINTER, 0);
            CudaCheck.cudnn("cudnnSetConvolution2dDescriptor", Cudnn.cudnnSetConvolution2dDescriptor(d, c[0], c[1],
                    c[2], c[3], c[4], c[5], Cudnn.CUDNN_CROSS_CORRELATION, Cudnn.CUDNN_DATA_FLOAT));
            CudaCheck.cudnn("cudnnSetConvolutionGroupCount", Cudnn.cudnnSetConvolutionGroupCount(d, groups));
            CudaCheck.cudnn("cudnnSetConvolutionMathType", Cudnn.cudnnSetConvolutionMathType(d, mathType));
            return d;
        }
    }

    /** A pooling descriptor from a plan. */
    static MemorySegment pooling(PoolDescriptors p) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(CTypes.C_POINTER);
            CudaCheck.cudnn("cudnnCreatePoolingDescriptor", Cudnn.cudnnCreatePoolingDescriptor(out));
            MemorySegment d = out.get(CTypes.C_POINTER, 0);
            CudaCheck.cudnn("cudnnSetPooling2dDescriptor", Cudnn.cudnnSetPooling2dDescriptor(d, p.mode(),
                    Cudnn.CUDNN_PROPAGATE_NAN, p.window()[0], p.window()[1], p.pad()[0], p.pad()[1], p.stride()[0],
                    p.stride()[1]));
            return d;
        }
    }

    /** The device address as the pointer argument of a downcall. */
    static MemorySegment ptr(long address) {
        return MemorySegment.ofAddress(address);
    }
}
