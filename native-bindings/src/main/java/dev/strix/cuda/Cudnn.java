package dev.strix.cuda;

import static dev.strix.cuda.CTypes.*;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Map;

/**
 * cuDNN 9's legacy API ({@code cudnn_graph.h}, {@code cudnn_ops.h}, {@code cudnn_cnn.h};
 * {@code libcudnn.so.9}, which forwards to its sub-libraries): handles, tensor / filter /
 * convolution / activation / pooling / op-tensor / reduce descriptors, convolution forward and
 * backward with algorithm search and workspace queries, fused convolution + bias + activation, batch
 * normalisation, activations, pooling, softmax and tensor arithmetic.
 *
 * <p>Hand-written FFM binding in the shape jextract generates: one static method per C function with
 * the C name, C enums as {@code int} constants with their C names, {@code size_t} as {@code long},
 * every pointer and descriptor as a {@link MemorySegment} address. The return value is the raw
 * {@code cudnnStatus_t} (cuDNN 9's hierarchical codes: category times 1000 plus a detail); check it
 * with {@link CudaCheck#cudnn(String, int)}. The {@code alpha}/{@code beta} scaling factors point at host
 * memory: a {@code float} for float tensors. The algorithm searches fill arrays of
 * {@link #CONVOLUTION_FWD_ALGO_PERF} (same layout for the backward-data and backward-filter structs).
 * The library is loaded on the first call, not when this class loads.
 */
public final class Cudnn {
    private Cudnn() {
    }

    /** {@code CUDNN_STATUS_SUCCESS}. */
    public static final int CUDNN_STATUS_SUCCESS = 0;
    /** {@code CUDNN_STATUS_NOT_INITIALIZED}. */
    public static final int CUDNN_STATUS_NOT_INITIALIZED = 1001;
    /** {@code CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED}: a {@code libcudnn_*.so.9} could not be loaded. */
    public static final int CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED = 1008;
    /** {@code CUDNN_STATUS_BAD_PARAM}. */
    public static final int CUDNN_STATUS_BAD_PARAM = 2000;
    /** {@code CUDNN_STATUS_NOT_SUPPORTED}. */
    public static final int CUDNN_STATUS_NOT_SUPPORTED = 3000;
    /** {@code CUDNN_STATUS_INTERNAL_ERROR}. */
    public static final int CUDNN_STATUS_INTERNAL_ERROR = 4000;
    /** {@code CUDNN_STATUS_EXECUTION_FAILED}. */
    public static final int CUDNN_STATUS_EXECUTION_FAILED = 5000;

    /** {@code CUDNN_DATA_FLOAT}. */
    public static final int CUDNN_DATA_FLOAT = 0;
    /** {@code CUDNN_DATA_DOUBLE}. */
    public static final int CUDNN_DATA_DOUBLE = 1;
    /** {@code CUDNN_DATA_HALF}. */
    public static final int CUDNN_DATA_HALF = 2;
    /** {@code CUDNN_DATA_INT32}. */
    public static final int CUDNN_DATA_INT32 = 4;
    /** {@code CUDNN_DATA_BFLOAT16}. */
    public static final int CUDNN_DATA_BFLOAT16 = 9;

    /** {@code CUDNN_TENSOR_NCHW}. */
    public static final int CUDNN_TENSOR_NCHW = 0;
    /** {@code CUDNN_TENSOR_NHWC}. */
    public static final int CUDNN_TENSOR_NHWC = 1;

    /** {@code CUDNN_DEFAULT_MATH}. */
    public static final int CUDNN_DEFAULT_MATH = 0;
    /** {@code CUDNN_TENSOR_OP_MATH}. */
    public static final int CUDNN_TENSOR_OP_MATH = 1;
    /** {@code CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION}. */
    public static final int CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION = 2;
    /** {@code CUDNN_FMA_MATH}: no tensor cores, no TF32. */
    public static final int CUDNN_FMA_MATH = 3;

    /** {@code CUDNN_NOT_PROPAGATE_NAN}. */
    public static final int CUDNN_NOT_PROPAGATE_NAN = 0;
    /** {@code CUDNN_PROPAGATE_NAN}. */
    public static final int CUDNN_PROPAGATE_NAN = 1;

    /** {@code CUDNN_NON_DETERMINISTIC}. */
    public static final int CUDNN_NON_DETERMINISTIC = 0;
    /** {@code CUDNN_DETERMINISTIC}. */
    public static final int CUDNN_DETERMINISTIC = 1;

    /** {@code CUDNN_CONVOLUTION} (true convolution, flipped filter). */
    public static final int CUDNN_CONVOLUTION = 0;
    /** {@code CUDNN_CROSS_CORRELATION} (what deep-learning frameworks call convolution). */
    public static final int CUDNN_CROSS_CORRELATION = 1;

    /** {@code CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM}. */
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM = 0;
    /** {@code CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM}. */
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM = 1;
    /** {@code CUDNN_CONVOLUTION_FWD_ALGO_GEMM}. */
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_GEMM = 2;
    /** {@code CUDNN_CONVOLUTION_FWD_ALGO_DIRECT}. */
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_DIRECT = 3;
    /** {@code CUDNN_CONVOLUTION_FWD_ALGO_FFT}. */
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_FFT = 4;
    /** {@code CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING}. */
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING = 5;
    /** {@code CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD}. */
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD = 6;
    /** {@code CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED}. */
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED = 7;
    /** {@code CUDNN_CONVOLUTION_FWD_ALGO_COUNT}. */
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_COUNT = 8;

    /** {@code CUDNN_CONVOLUTION_BWD_DATA_ALGO_0}. */
    public static final int CUDNN_CONVOLUTION_BWD_DATA_ALGO_0 = 0;
    /** {@code CUDNN_CONVOLUTION_BWD_DATA_ALGO_1}. */
    public static final int CUDNN_CONVOLUTION_BWD_DATA_ALGO_1 = 1;
    /** {@code CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT}. */
    public static final int CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT = 2;
    /** {@code CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING}. */
    public static final int CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING = 3;
    /** {@code CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD}. */
    public static final int CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD = 4;
    /** {@code CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED}. */
    public static final int CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED = 5;
    /** {@code CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT}. */
    public static final int CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT = 6;

    /** {@code CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0}. */
    public static final int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0 = 0;
    /** {@code CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1}. */
    public static final int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1 = 1;
    /** {@code CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT}. */
    public static final int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT = 2;
    /** {@code CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3}. */
    public static final int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3 = 3;
    /** {@code CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD}. */
    public static final int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD = 4;
    /** {@code CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED}. */
    public static final int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED = 5;
    /** {@code CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING}. */
    public static final int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING = 6;
    /** {@code CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT}. */
    public static final int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT = 7;

    /** {@code CUDNN_ACTIVATION_SIGMOID}. */
    public static final int CUDNN_ACTIVATION_SIGMOID = 0;
    /** {@code CUDNN_ACTIVATION_RELU}. */
    public static final int CUDNN_ACTIVATION_RELU = 1;
    /** {@code CUDNN_ACTIVATION_TANH}. */
    public static final int CUDNN_ACTIVATION_TANH = 2;
    /** {@code CUDNN_ACTIVATION_CLIPPED_RELU}. */
    public static final int CUDNN_ACTIVATION_CLIPPED_RELU = 3;
    /** {@code CUDNN_ACTIVATION_ELU}. */
    public static final int CUDNN_ACTIVATION_ELU = 4;
    /** {@code CUDNN_ACTIVATION_IDENTITY} (only valid in {@code cudnnConvolutionBiasActivationForward}). */
    public static final int CUDNN_ACTIVATION_IDENTITY = 5;
    /** {@code CUDNN_ACTIVATION_SWISH} (SiLU with beta 1). */
    public static final int CUDNN_ACTIVATION_SWISH = 6;

    /** {@code CUDNN_POOLING_MAX}. */
    public static final int CUDNN_POOLING_MAX = 0;
    /** {@code CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING}. */
    public static final int CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING = 1;
    /** {@code CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING}. */
    public static final int CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING = 2;
    /** {@code CUDNN_POOLING_MAX_DETERMINISTIC}. */
    public static final int CUDNN_POOLING_MAX_DETERMINISTIC = 3;

    /** {@code CUDNN_BATCHNORM_PER_ACTIVATION}. */
    public static final int CUDNN_BATCHNORM_PER_ACTIVATION = 0;
    /** {@code CUDNN_BATCHNORM_SPATIAL}: one scale, bias, mean and variance per channel. */
    public static final int CUDNN_BATCHNORM_SPATIAL = 1;
    /** {@code CUDNN_BATCHNORM_SPATIAL_PERSISTENT}. */
    public static final int CUDNN_BATCHNORM_SPATIAL_PERSISTENT = 2;
    /** {@code CUDNN_BN_MIN_EPSILON}. */
    public static final double CUDNN_BN_MIN_EPSILON = 0.0;

    /** {@code CUDNN_SOFTMAX_FAST}. */
    public static final int CUDNN_SOFTMAX_FAST = 0;
    /** {@code CUDNN_SOFTMAX_ACCURATE}. */
    public static final int CUDNN_SOFTMAX_ACCURATE = 1;
    /** {@code CUDNN_SOFTMAX_LOG}. */
    public static final int CUDNN_SOFTMAX_LOG = 2;
    /** {@code CUDNN_SOFTMAX_MODE_INSTANCE}. */
    public static final int CUDNN_SOFTMAX_MODE_INSTANCE = 0;
    /** {@code CUDNN_SOFTMAX_MODE_CHANNEL}. */
    public static final int CUDNN_SOFTMAX_MODE_CHANNEL = 1;

    /** {@code CUDNN_OP_TENSOR_ADD}. */
    public static final int CUDNN_OP_TENSOR_ADD = 0;
    /** {@code CUDNN_OP_TENSOR_MUL}. */
    public static final int CUDNN_OP_TENSOR_MUL = 1;
    /** {@code CUDNN_OP_TENSOR_MIN}. */
    public static final int CUDNN_OP_TENSOR_MIN = 2;
    /** {@code CUDNN_OP_TENSOR_MAX}. */
    public static final int CUDNN_OP_TENSOR_MAX = 3;
    /** {@code CUDNN_OP_TENSOR_SQRT}. */
    public static final int CUDNN_OP_TENSOR_SQRT = 4;
    /** {@code CUDNN_OP_TENSOR_NOT}. */
    public static final int CUDNN_OP_TENSOR_NOT = 5;

    /** {@code CUDNN_REDUCE_TENSOR_ADD}. */
    public static final int CUDNN_REDUCE_TENSOR_ADD = 0;
    /** {@code CUDNN_REDUCE_TENSOR_MUL}. */
    public static final int CUDNN_REDUCE_TENSOR_MUL = 1;
    /** {@code CUDNN_REDUCE_TENSOR_MIN}. */
    public static final int CUDNN_REDUCE_TENSOR_MIN = 2;
    /** {@code CUDNN_REDUCE_TENSOR_MAX}. */
    public static final int CUDNN_REDUCE_TENSOR_MAX = 3;
    /** {@code CUDNN_REDUCE_TENSOR_AMAX}. */
    public static final int CUDNN_REDUCE_TENSOR_AMAX = 4;
    /** {@code CUDNN_REDUCE_TENSOR_AVG}. */
    public static final int CUDNN_REDUCE_TENSOR_AVG = 5;
    /** {@code CUDNN_REDUCE_TENSOR_NORM1}. */
    public static final int CUDNN_REDUCE_TENSOR_NORM1 = 6;
    /** {@code CUDNN_REDUCE_TENSOR_NORM2}. */
    public static final int CUDNN_REDUCE_TENSOR_NORM2 = 7;
    /** {@code CUDNN_REDUCE_TENSOR_MUL_NO_ZEROS}. */
    public static final int CUDNN_REDUCE_TENSOR_MUL_NO_ZEROS = 8;
    /** {@code CUDNN_REDUCE_TENSOR_NO_INDICES}. */
    public static final int CUDNN_REDUCE_TENSOR_NO_INDICES = 0;
    /** {@code CUDNN_REDUCE_TENSOR_FLATTENED_INDICES}. */
    public static final int CUDNN_REDUCE_TENSOR_FLATTENED_INDICES = 1;
    /** {@code CUDNN_32BIT_INDICES}. */
    public static final int CUDNN_32BIT_INDICES = 0;

    /**
     * {@code cudnnConvolutionFwdAlgoPerf_t} (and, with the same layout, {@code cudnnConvolutionBwdDataAlgoPerf_t}
     * and {@code cudnnConvolutionBwdFilterAlgoPerf_t}): {@code { int algo; cudnnStatus_t status; float time;
     * size_t memory; cudnnDeterminism_t determinism; cudnnMathType_t mathType; int reserved[3]; }}, 48 bytes.
     */
    public static final java.lang.foreign.StructLayout CONVOLUTION_FWD_ALGO_PERF = java.lang.foreign.MemoryLayout.structLayout(
            C_INT.withName("algo"),
            C_INT.withName("status"),
            C_FLOAT.withName("time"),
            java.lang.foreign.MemoryLayout.paddingLayout(4),
            C_SIZE_T.withName("memory"),
            C_INT.withName("determinism"),
            C_INT.withName("mathType"),
            java.lang.foreign.MemoryLayout.sequenceLayout(3, C_INT).withName("reserved"),
            java.lang.foreign.MemoryLayout.paddingLayout(4)).withName("cudnnConvolutionFwdAlgoPerf_t");
    /** {@code cudnnConvolutionBwdDataAlgoPerf_t}: same layout as {@link #CONVOLUTION_FWD_ALGO_PERF}. */
    public static final java.lang.foreign.StructLayout CONVOLUTION_BWD_DATA_ALGO_PERF =
            CONVOLUTION_FWD_ALGO_PERF.withName("cudnnConvolutionBwdDataAlgoPerf_t");
    /** {@code cudnnConvolutionBwdFilterAlgoPerf_t}: same layout as {@link #CONVOLUTION_FWD_ALGO_PERF}. */
    public static final java.lang.foreign.StructLayout CONVOLUTION_BWD_FILTER_ALGO_PERF =
            CONVOLUTION_FWD_ALGO_PERF.withName("cudnnConvolutionBwdFilterAlgoPerf_t");
    /** Byte offset of {@code algo} in the algorithm-performance structs. */
    public static final long ALGO_PERF_ALGO_OFFSET = 0;
    /** Byte offset of {@code status}. */
    public static final long ALGO_PERF_STATUS_OFFSET = 4;
    /** Byte offset of {@code time} (milliseconds, a float). */
    public static final long ALGO_PERF_TIME_OFFSET = 8;
    /** Byte offset of {@code memory} (workspace bytes, a size_t). */
    public static final long ALGO_PERF_MEMORY_OFFSET = 16;
    /** Byte offset of {@code determinism}. */
    public static final long ALGO_PERF_DETERMINISM_OFFSET = 24;
    /** Byte offset of {@code mathType}. */
    public static final long ALGO_PERF_MATH_TYPE_OFFSET = 28;

    /** C function name (the exported symbol) to its descriptor, in declaration order. */
    private static final Map<String, FunctionDescriptor> FUNCTIONS = new DescriptorTable()
            .returning("cudnnGetVersion", C_SIZE_T)
            .returning("cudnnGetErrorString", C_POINTER, C_INT)
            .returningVoid("cudnnGetLastErrorString", C_POINTER, C_SIZE_T)
            .status("cudnnCreate", C_POINTER)
            .status("cudnnDestroy", C_POINTER)
            .status("cudnnSetStream", C_POINTER, C_POINTER)
            .status("cudnnCreateTensorDescriptor", C_POINTER)
            .status("cudnnSetTensor4dDescriptor", C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT)
            .status("cudnnSetTensor4dDescriptorEx", C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT)
            .status("cudnnSetTensorNdDescriptor", C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER)
            .status("cudnnDestroyTensorDescriptor", C_POINTER)
            .status("cudnnCreateFilterDescriptor", C_POINTER)
            .status("cudnnSetFilter4dDescriptor", C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT)
            .status("cudnnDestroyFilterDescriptor", C_POINTER)
            .status("cudnnCreateConvolutionDescriptor", C_POINTER)
            .status("cudnnSetConvolution2dDescriptor", C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT)
            .status("cudnnSetConvolutionMathType", C_POINTER, C_INT)
            .status("cudnnSetConvolutionGroupCount", C_POINTER, C_INT)
            .status("cudnnGetConvolution2dForwardOutputDim", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER)
            .status("cudnnDestroyConvolutionDescriptor", C_POINTER)
            .status("cudnnGetConvolutionForwardAlgorithm_v7", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER)
            .status("cudnnFindConvolutionForwardAlgorithmEx", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER, C_POINTER, C_SIZE_T)
            .status("cudnnGetConvolutionForwardWorkspaceSize", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER)
            .status("cudnnConvolutionForward", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_SIZE_T, C_POINTER, C_POINTER, C_POINTER)
            .status("cudnnConvolutionBiasActivationForward", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_SIZE_T, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER)
            .status("cudnnGetConvolutionBackwardDataAlgorithm_v7", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER)
            .status("cudnnFindConvolutionBackwardDataAlgorithmEx", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER, C_POINTER, C_SIZE_T)
            .status("cudnnGetConvolutionBackwardDataWorkspaceSize", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER)
            .status("cudnnConvolutionBackwardData", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_SIZE_T, C_POINTER, C_POINTER, C_POINTER)
            .status("cudnnGetConvolutionBackwardFilterAlgorithm_v7", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER)
            .status("cudnnFindConvolutionBackwardFilterAlgorithmEx", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER, C_POINTER, C_SIZE_T)
            .status("cudnnGetConvolutionBackwardFilterWorkspaceSize", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER)
            .status("cudnnConvolutionBackwardFilter", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_SIZE_T, C_POINTER, C_POINTER, C_POINTER)
            .status("cudnnConvolutionBackwardBias", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER)
            .status("cudnnCreateActivationDescriptor", C_POINTER)
            .status("cudnnSetActivationDescriptor", C_POINTER, C_INT, C_INT, C_DOUBLE)
            .status("cudnnSetActivationDescriptorSwishBeta", C_POINTER, C_DOUBLE)
            .status("cudnnDestroyActivationDescriptor", C_POINTER)
            .status("cudnnActivationForward", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER)
            .status("cudnnActivationBackward", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER)
            .status("cudnnCreatePoolingDescriptor", C_POINTER)
            .status("cudnnSetPooling2dDescriptor", C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT)
            .status("cudnnDestroyPoolingDescriptor", C_POINTER)
            .status("cudnnPoolingForward", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER)
            .status("cudnnPoolingBackward", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER)
            .status("cudnnDeriveBNTensorDescriptor", C_POINTER, C_POINTER, C_INT)
            .status("cudnnBatchNormalizationForwardTraining", C_POINTER, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_DOUBLE, C_POINTER, C_POINTER, C_DOUBLE, C_POINTER, C_POINTER)
            .status("cudnnBatchNormalizationForwardInference", C_POINTER, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_DOUBLE)
            .status("cudnnBatchNormalizationBackward", C_POINTER, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_DOUBLE, C_POINTER, C_POINTER)
            .status("cudnnSoftmaxForward", C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER)
            .status("cudnnSoftmaxBackward", C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER)
            .status("cudnnCreateOpTensorDescriptor", C_POINTER)
            .status("cudnnSetOpTensorDescriptor", C_POINTER, C_INT, C_INT, C_INT)
            .status("cudnnDestroyOpTensorDescriptor", C_POINTER)
            .status("cudnnOpTensor", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER)
            .status("cudnnAddTensor", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER)
            .status("cudnnSetTensor", C_POINTER, C_POINTER, C_POINTER, C_POINTER)
            .status("cudnnScaleTensor", C_POINTER, C_POINTER, C_POINTER, C_POINTER)
            .status("cudnnCreateReduceTensorDescriptor", C_POINTER)
            .status("cudnnSetReduceTensorDescriptor", C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT)
            .status("cudnnDestroyReduceTensorDescriptor", C_POINTER)
            .status("cudnnGetReductionIndicesSize", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER)
            .status("cudnnGetReductionWorkspaceSize", C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER)
            .status("cudnnReduceTensor", C_POINTER, C_POINTER, C_POINTER, C_SIZE_T, C_POINTER, C_SIZE_T, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER)
            .build();

    /**
     * @return every bound C function's name and descriptor, in declaration order (usable without the library)
     */
    public static Map<String, FunctionDescriptor> functions() {
        return FUNCTIONS;
    }

    /** @return true when {@code CUDNN} can be loaded on this machine */
    public static boolean isAvailable() {
        return CudaLibraries.tryLoad(CudaLibrary.CUDNN).isPresent();
    }

    /** Downcall handles, made once on first use; loading {@link Cudnn} alone needs no library. */
    private static final class Handles {
        private static final Binder B = Binder.of(CudaLibrary.CUDNN, FUNCTIONS);

        static final MethodHandle cudnnGetVersion = B.bind("cudnnGetVersion");
        static final MethodHandle cudnnGetErrorString = B.bind("cudnnGetErrorString");
        static final MethodHandle cudnnGetLastErrorString = B.bind("cudnnGetLastErrorString");
        static final MethodHandle cudnnCreate = B.bind("cudnnCreate");
        static final MethodHandle cudnnDestroy = B.bind("cudnnDestroy");
        static final MethodHandle cudnnSetStream = B.bind("cudnnSetStream");
        static final MethodHandle cudnnCreateTensorDescriptor = B.bind("cudnnCreateTensorDescriptor");
        static final MethodHandle cudnnSetTensor4dDescriptor = B.bind("cudnnSetTensor4dDescriptor");
        static final MethodHandle cudnnSetTensor4dDescriptorEx = B.bind("cudnnSetTensor4dDescriptorEx");
        static final MethodHandle cudnnSetTensorNdDescriptor = B.bind("cudnnSetTensorNdDescriptor");
        static final MethodHandle cudnnDestroyTensorDescriptor = B.bind("cudnnDestroyTensorDescriptor");
        static final MethodHandle cudnnCreateFilterDescriptor = B.bind("cudnnCreateFilterDescriptor");
        static final MethodHandle cudnnSetFilter4dDescriptor = B.bind("cudnnSetFilter4dDescriptor");
        static final MethodHandle cudnnDestroyFilterDescriptor = B.bind("cudnnDestroyFilterDescriptor");
        static final MethodHandle cudnnCreateConvolutionDescriptor = B.bind("cudnnCreateConvolutionDescriptor");
        static final MethodHandle cudnnSetConvolution2dDescriptor = B.bind("cudnnSetConvolution2dDescriptor");
        static final MethodHandle cudnnSetConvolutionMathType = B.bind("cudnnSetConvolutionMathType");
        static final MethodHandle cudnnSetConvolutionGroupCount = B.bind("cudnnSetConvolutionGroupCount");
        static final MethodHandle cudnnGetConvolution2dForwardOutputDim = B.bind("cudnnGetConvolution2dForwardOutputDim");
        static final MethodHandle cudnnDestroyConvolutionDescriptor = B.bind("cudnnDestroyConvolutionDescriptor");
        static final MethodHandle cudnnGetConvolutionForwardAlgorithm_v7 = B.bind("cudnnGetConvolutionForwardAlgorithm_v7");
        static final MethodHandle cudnnFindConvolutionForwardAlgorithmEx = B.bind("cudnnFindConvolutionForwardAlgorithmEx");
        static final MethodHandle cudnnGetConvolutionForwardWorkspaceSize = B.bind("cudnnGetConvolutionForwardWorkspaceSize");
        static final MethodHandle cudnnConvolutionForward = B.bind("cudnnConvolutionForward");
        static final MethodHandle cudnnConvolutionBiasActivationForward = B.bind("cudnnConvolutionBiasActivationForward");
        static final MethodHandle cudnnGetConvolutionBackwardDataAlgorithm_v7 = B.bind("cudnnGetConvolutionBackwardDataAlgorithm_v7");
        static final MethodHandle cudnnFindConvolutionBackwardDataAlgorithmEx = B.bind("cudnnFindConvolutionBackwardDataAlgorithmEx");
        static final MethodHandle cudnnGetConvolutionBackwardDataWorkspaceSize = B.bind("cudnnGetConvolutionBackwardDataWorkspaceSize");
        static final MethodHandle cudnnConvolutionBackwardData = B.bind("cudnnConvolutionBackwardData");
        static final MethodHandle cudnnGetConvolutionBackwardFilterAlgorithm_v7 = B.bind("cudnnGetConvolutionBackwardFilterAlgorithm_v7");
        static final MethodHandle cudnnFindConvolutionBackwardFilterAlgorithmEx = B.bind("cudnnFindConvolutionBackwardFilterAlgorithmEx");
        static final MethodHandle cudnnGetConvolutionBackwardFilterWorkspaceSize = B.bind("cudnnGetConvolutionBackwardFilterWorkspaceSize");
        static final MethodHandle cudnnConvolutionBackwardFilter = B.bind("cudnnConvolutionBackwardFilter");
        static final MethodHandle cudnnConvolutionBackwardBias = B.bind("cudnnConvolutionBackwardBias");
        static final MethodHandle cudnnCreateActivationDescriptor = B.bind("cudnnCreateActivationDescriptor");
        static final MethodHandle cudnnSetActivationDescriptor = B.bind("cudnnSetActivationDescriptor");
        static final MethodHandle cudnnSetActivationDescriptorSwishBeta = B.bind("cudnnSetActivationDescriptorSwishBeta");
        static final MethodHandle cudnnDestroyActivationDescriptor = B.bind("cudnnDestroyActivationDescriptor");
        static final MethodHandle cudnnActivationForward = B.bind("cudnnActivationForward");
        static final MethodHandle cudnnActivationBackward = B.bind("cudnnActivationBackward");
        static final MethodHandle cudnnCreatePoolingDescriptor = B.bind("cudnnCreatePoolingDescriptor");
        static final MethodHandle cudnnSetPooling2dDescriptor = B.bind("cudnnSetPooling2dDescriptor");
        static final MethodHandle cudnnDestroyPoolingDescriptor = B.bind("cudnnDestroyPoolingDescriptor");
        static final MethodHandle cudnnPoolingForward = B.bind("cudnnPoolingForward");
        static final MethodHandle cudnnPoolingBackward = B.bind("cudnnPoolingBackward");
        static final MethodHandle cudnnDeriveBNTensorDescriptor = B.bind("cudnnDeriveBNTensorDescriptor");
        static final MethodHandle cudnnBatchNormalizationForwardTraining = B.bind("cudnnBatchNormalizationForwardTraining");
        static final MethodHandle cudnnBatchNormalizationForwardInference = B.bind("cudnnBatchNormalizationForwardInference");
        static final MethodHandle cudnnBatchNormalizationBackward = B.bind("cudnnBatchNormalizationBackward");
        static final MethodHandle cudnnSoftmaxForward = B.bind("cudnnSoftmaxForward");
        static final MethodHandle cudnnSoftmaxBackward = B.bind("cudnnSoftmaxBackward");
        static final MethodHandle cudnnCreateOpTensorDescriptor = B.bind("cudnnCreateOpTensorDescriptor");
        static final MethodHandle cudnnSetOpTensorDescriptor = B.bind("cudnnSetOpTensorDescriptor");
        static final MethodHandle cudnnDestroyOpTensorDescriptor = B.bind("cudnnDestroyOpTensorDescriptor");
        static final MethodHandle cudnnOpTensor = B.bind("cudnnOpTensor");
        static final MethodHandle cudnnAddTensor = B.bind("cudnnAddTensor");
        static final MethodHandle cudnnSetTensor = B.bind("cudnnSetTensor");
        static final MethodHandle cudnnScaleTensor = B.bind("cudnnScaleTensor");
        static final MethodHandle cudnnCreateReduceTensorDescriptor = B.bind("cudnnCreateReduceTensorDescriptor");
        static final MethodHandle cudnnSetReduceTensorDescriptor = B.bind("cudnnSetReduceTensorDescriptor");
        static final MethodHandle cudnnDestroyReduceTensorDescriptor = B.bind("cudnnDestroyReduceTensorDescriptor");
        static final MethodHandle cudnnGetReductionIndicesSize = B.bind("cudnnGetReductionIndicesSize");
        static final MethodHandle cudnnGetReductionWorkspaceSize = B.bind("cudnnGetReductionWorkspaceSize");
        static final MethodHandle cudnnReduceTensor = B.bind("cudnnReduceTensor");
    }

    /**
     * {@code size_t cudnnGetVersion(void)}
     */
    public static long cudnnGetVersion() {
        try {
            return (long) Handles.cudnnGetVersion.invokeExact();
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code const char* cudnnGetErrorString(cudnnStatus_t status)}
     */
    public static MemorySegment cudnnGetErrorString(int status) {
        try {
            return (MemorySegment) Handles.cudnnGetErrorString.invokeExact(status);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code void cudnnGetLastErrorString(char *message, size_t max_size)}
     */
    public static void cudnnGetLastErrorString(MemorySegment message, long max_size) {
        try {
            Handles.cudnnGetLastErrorString.invokeExact(message, max_size);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnCreate(cudnnHandle_t *handle)}
     */
    public static int cudnnCreate(MemorySegment handle) {
        try {
            return (int) Handles.cudnnCreate.invokeExact(handle);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnDestroy(cudnnHandle_t handle)}
     */
    public static int cudnnDestroy(MemorySegment handle) {
        try {
            return (int) Handles.cudnnDestroy.invokeExact(handle);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnSetStream(cudnnHandle_t handle, cudaStream_t streamId)}
     */
    public static int cudnnSetStream(MemorySegment handle, MemorySegment streamId) {
        try {
            return (int) Handles.cudnnSetStream.invokeExact(handle, streamId);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t *tensorDesc)}
     */
    public static int cudnnCreateTensorDescriptor(MemorySegment tensorDesc) {
        try {
            return (int) Handles.cudnnCreateTensorDescriptor.invokeExact(tensorDesc);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnSetTensor4dDescriptor(cudnnTensorDescriptor_t tensorDesc, cudnnTensorFormat_t format, cudnnDataType_t dataType, int n, int c, int h, int w)}
     */
    public static int cudnnSetTensor4dDescriptor(MemorySegment tensorDesc, int format, int dataType, int n, int c, int h, int w) {
        try {
            return (int) Handles.cudnnSetTensor4dDescriptor.invokeExact(tensorDesc, format, dataType, n, c, h, w);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnSetTensor4dDescriptorEx(cudnnTensorDescriptor_t tensorDesc, cudnnDataType_t dataType, int n, int c, int h, int w, int nStride, int cStride, int hStride, int wStride)}
     */
    public static int cudnnSetTensor4dDescriptorEx(MemorySegment tensorDesc, int dataType, int n, int c, int h, int w, int nStride, int cStride, int hStride, int wStride) {
        try {
            return (int) Handles.cudnnSetTensor4dDescriptorEx.invokeExact(tensorDesc, dataType, n, c, h, w, nStride, cStride, hStride, wStride);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnSetTensorNdDescriptor(cudnnTensorDescriptor_t tensorDesc, cudnnDataType_t dataType, int nbDims, const int dimA[], const int strideA[])}
     */
    public static int cudnnSetTensorNdDescriptor(MemorySegment tensorDesc, int dataType, int nbDims, MemorySegment dimA, MemorySegment strideA) {
        try {
            return (int) Handles.cudnnSetTensorNdDescriptor.invokeExact(tensorDesc, dataType, nbDims, dimA, strideA);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t tensorDesc)}
     */
    public static int cudnnDestroyTensorDescriptor(MemorySegment tensorDesc) {
        try {
            return (int) Handles.cudnnDestroyTensorDescriptor.invokeExact(tensorDesc);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t *filterDesc)}
     */
    public static int cudnnCreateFilterDescriptor(MemorySegment filterDesc) {
        try {
            return (int) Handles.cudnnCreateFilterDescriptor.invokeExact(filterDesc);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnSetFilter4dDescriptor(cudnnFilterDescriptor_t filterDesc, cudnnDataType_t dataType, cudnnTensorFormat_t format, int k, int c, int h, int w)}
     */
    public static int cudnnSetFilter4dDescriptor(MemorySegment filterDesc, int dataType, int format, int k, int c, int h, int w) {
        try {
            return (int) Handles.cudnnSetFilter4dDescriptor.invokeExact(filterDesc, dataType, format, k, c, h, w);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t filterDesc)}
     */
    public static int cudnnDestroyFilterDescriptor(MemorySegment filterDesc) {
        try {
            return (int) Handles.cudnnDestroyFilterDescriptor.invokeExact(filterDesc);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t *convDesc)}
     */
    public static int cudnnCreateConvolutionDescriptor(MemorySegment convDesc) {
        try {
            return (int) Handles.cudnnCreateConvolutionDescriptor.invokeExact(convDesc);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnSetConvolution2dDescriptor(cudnnConvolutionDescriptor_t convDesc, int pad_h, int pad_w, int u, int v, int dilation_h, int dilation_w, cudnnConvolutionMode_t mode, cudnnDataType_t computeType)}
     */
    public static int cudnnSetConvolution2dDescriptor(MemorySegment convDesc, int pad_h, int pad_w, int u, int v, int dilation_h, int dilation_w, int mode, int computeType) {
        try {
            return (int) Handles.cudnnSetConvolution2dDescriptor.invokeExact(convDesc, pad_h, pad_w, u, v, dilation_h, dilation_w, mode, computeType);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t convDesc, cudnnMathType_t mathType)}
     */
    public static int cudnnSetConvolutionMathType(MemorySegment convDesc, int mathType) {
        try {
            return (int) Handles.cudnnSetConvolutionMathType.invokeExact(convDesc, mathType);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnSetConvolutionGroupCount(cudnnConvolutionDescriptor_t convDesc, int groupCount)}
     */
    public static int cudnnSetConvolutionGroupCount(MemorySegment convDesc, int groupCount) {
        try {
            return (int) Handles.cudnnSetConvolutionGroupCount.invokeExact(convDesc, groupCount);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnGetConvolution2dForwardOutputDim(const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t inputTensorDesc, const cudnnFilterDescriptor_t filterDesc, int *n, int *c, int *h, int *w)}
     */
    public static int cudnnGetConvolution2dForwardOutputDim(MemorySegment convDesc, MemorySegment inputTensorDesc, MemorySegment filterDesc, MemorySegment n, MemorySegment c, MemorySegment h, MemorySegment w) {
        try {
            return (int) Handles.cudnnGetConvolution2dForwardOutputDim.invokeExact(convDesc, inputTensorDesc, filterDesc, n, c, h, w);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t convDesc)}
     */
    public static int cudnnDestroyConvolutionDescriptor(MemorySegment convDesc) {
        try {
            return (int) Handles.cudnnDestroyConvolutionDescriptor.invokeExact(convDesc);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnGetConvolutionForwardAlgorithm_v7(cudnnHandle_t handle, const cudnnTensorDescriptor_t srcDesc, const cudnnFilterDescriptor_t filterDesc, const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t destDesc, const int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionFwdAlgoPerf_t *perfResults)}
     */
    public static int cudnnGetConvolutionForwardAlgorithm_v7(MemorySegment handle, MemorySegment srcDesc, MemorySegment filterDesc, MemorySegment convDesc, MemorySegment destDesc, int requestedAlgoCount, MemorySegment returnedAlgoCount, MemorySegment perfResults) {
        try {
            return (int) Handles.cudnnGetConvolutionForwardAlgorithm_v7.invokeExact(handle, srcDesc, filterDesc, convDesc, destDesc, requestedAlgoCount, returnedAlgoCount, perfResults);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnFindConvolutionForwardAlgorithmEx(cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnFilterDescriptor_t wDesc, const void *w, const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t yDesc, void *y, const int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionFwdAlgoPerf_t *perfResults, void *workSpace, size_t workSpaceSizeInBytes)}
     */
    public static int cudnnFindConvolutionForwardAlgorithmEx(MemorySegment handle, MemorySegment xDesc, MemorySegment x, MemorySegment wDesc, MemorySegment w, MemorySegment convDesc, MemorySegment yDesc, MemorySegment y, int requestedAlgoCount, MemorySegment returnedAlgoCount, MemorySegment perfResults, MemorySegment workSpace, long workSpaceSizeInBytes) {
        try {
            return (int) Handles.cudnnFindConvolutionForwardAlgorithmEx.invokeExact(handle, xDesc, x, wDesc, w, convDesc, yDesc, y, requestedAlgoCount, returnedAlgoCount, perfResults, workSpace, workSpaceSizeInBytes);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, const cudnnFilterDescriptor_t wDesc, const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t yDesc, cudnnConvolutionFwdAlgo_t algo, size_t *sizeInBytes)}
     */
    public static int cudnnGetConvolutionForwardWorkspaceSize(MemorySegment handle, MemorySegment xDesc, MemorySegment wDesc, MemorySegment convDesc, MemorySegment yDesc, int algo, MemorySegment sizeInBytes) {
        try {
            return (int) Handles.cudnnGetConvolutionForwardWorkspaceSize.invokeExact(handle, xDesc, wDesc, convDesc, yDesc, algo, sizeInBytes);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnConvolutionForward(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnFilterDescriptor_t wDesc, const void *w, const cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionFwdAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes, const void *beta, const cudnnTensorDescriptor_t yDesc, void *y)}
     */
    public static int cudnnConvolutionForward(MemorySegment handle, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment wDesc, MemorySegment w, MemorySegment convDesc, int algo, MemorySegment workSpace, long workSpaceSizeInBytes, MemorySegment beta, MemorySegment yDesc, MemorySegment y) {
        try {
            return (int) Handles.cudnnConvolutionForward.invokeExact(handle, alpha, xDesc, x, wDesc, w, convDesc, algo, workSpace, workSpaceSizeInBytes, beta, yDesc, y);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnConvolutionBiasActivationForward(cudnnHandle_t handle, const void *alpha1, const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnFilterDescriptor_t wDesc, const void *w, const cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionFwdAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes, const void *alpha2, const cudnnTensorDescriptor_t zDesc, const void *z, const cudnnTensorDescriptor_t biasDesc, const void *bias, const cudnnActivationDescriptor_t activationDesc, const cudnnTensorDescriptor_t yDesc, void *y)}
     */
    public static int cudnnConvolutionBiasActivationForward(MemorySegment handle, MemorySegment alpha1, MemorySegment xDesc, MemorySegment x, MemorySegment wDesc, MemorySegment w, MemorySegment convDesc, int algo, MemorySegment workSpace, long workSpaceSizeInBytes, MemorySegment alpha2, MemorySegment zDesc, MemorySegment z, MemorySegment biasDesc, MemorySegment bias, MemorySegment activationDesc, MemorySegment yDesc, MemorySegment y) {
        try {
            return (int) Handles.cudnnConvolutionBiasActivationForward.invokeExact(handle, alpha1, xDesc, x, wDesc, w, convDesc, algo, workSpace, workSpaceSizeInBytes, alpha2, zDesc, z, biasDesc, bias, activationDesc, yDesc, y);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnnHandle_t handle, const cudnnFilterDescriptor_t filterDesc, const cudnnTensorDescriptor_t diffDesc, const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t gradDesc, const int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionBwdDataAlgoPerf_t *perfResults)}
     */
    public static int cudnnGetConvolutionBackwardDataAlgorithm_v7(MemorySegment handle, MemorySegment filterDesc, MemorySegment diffDesc, MemorySegment convDesc, MemorySegment gradDesc, int requestedAlgoCount, MemorySegment returnedAlgoCount, MemorySegment perfResults) {
        try {
            return (int) Handles.cudnnGetConvolutionBackwardDataAlgorithm_v7.invokeExact(handle, filterDesc, diffDesc, convDesc, gradDesc, requestedAlgoCount, returnedAlgoCount, perfResults);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnFindConvolutionBackwardDataAlgorithmEx(cudnnHandle_t handle, const cudnnFilterDescriptor_t wDesc, const void *w, const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t dxDesc, void *dx, const int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionBwdDataAlgoPerf_t *perfResults, void *workSpace, size_t workSpaceSizeInBytes)}
     */
    public static int cudnnFindConvolutionBackwardDataAlgorithmEx(MemorySegment handle, MemorySegment wDesc, MemorySegment w, MemorySegment dyDesc, MemorySegment dy, MemorySegment convDesc, MemorySegment dxDesc, MemorySegment dx, int requestedAlgoCount, MemorySegment returnedAlgoCount, MemorySegment perfResults, MemorySegment workSpace, long workSpaceSizeInBytes) {
        try {
            return (int) Handles.cudnnFindConvolutionBackwardDataAlgorithmEx.invokeExact(handle, wDesc, w, dyDesc, dy, convDesc, dxDesc, dx, requestedAlgoCount, returnedAlgoCount, perfResults, workSpace, workSpaceSizeInBytes);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnGetConvolutionBackwardDataWorkspaceSize(cudnnHandle_t handle, const cudnnFilterDescriptor_t wDesc, const cudnnTensorDescriptor_t dyDesc, const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t dxDesc, cudnnConvolutionBwdDataAlgo_t algo, size_t *sizeInBytes)}
     */
    public static int cudnnGetConvolutionBackwardDataWorkspaceSize(MemorySegment handle, MemorySegment wDesc, MemorySegment dyDesc, MemorySegment convDesc, MemorySegment dxDesc, int algo, MemorySegment sizeInBytes) {
        try {
            return (int) Handles.cudnnGetConvolutionBackwardDataWorkspaceSize.invokeExact(handle, wDesc, dyDesc, convDesc, dxDesc, algo, sizeInBytes);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnConvolutionBackwardData(cudnnHandle_t handle, const void *alpha, const cudnnFilterDescriptor_t wDesc, const void *w, const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionBwdDataAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes, const void *beta, const cudnnTensorDescriptor_t dxDesc, void *dx)}
     */
    public static int cudnnConvolutionBackwardData(MemorySegment handle, MemorySegment alpha, MemorySegment wDesc, MemorySegment w, MemorySegment dyDesc, MemorySegment dy, MemorySegment convDesc, int algo, MemorySegment workSpace, long workSpaceSizeInBytes, MemorySegment beta, MemorySegment dxDesc, MemorySegment dx) {
        try {
            return (int) Handles.cudnnConvolutionBackwardData.invokeExact(handle, alpha, wDesc, w, dyDesc, dy, convDesc, algo, workSpace, workSpaceSizeInBytes, beta, dxDesc, dx);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnnHandle_t handle, const cudnnTensorDescriptor_t srcDesc, const cudnnTensorDescriptor_t diffDesc, const cudnnConvolutionDescriptor_t convDesc, const cudnnFilterDescriptor_t gradDesc, const int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionBwdFilterAlgoPerf_t *perfResults)}
     */
    public static int cudnnGetConvolutionBackwardFilterAlgorithm_v7(MemorySegment handle, MemorySegment srcDesc, MemorySegment diffDesc, MemorySegment convDesc, MemorySegment gradDesc, int requestedAlgoCount, MemorySegment returnedAlgoCount, MemorySegment perfResults) {
        try {
            return (int) Handles.cudnnGetConvolutionBackwardFilterAlgorithm_v7.invokeExact(handle, srcDesc, diffDesc, convDesc, gradDesc, requestedAlgoCount, returnedAlgoCount, perfResults);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnFindConvolutionBackwardFilterAlgorithmEx(cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnTensorDescriptor_t dyDesc, const void *y, const cudnnConvolutionDescriptor_t convDesc, const cudnnFilterDescriptor_t dwDesc, void *dw, const int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionBwdFilterAlgoPerf_t *perfResults, void *workSpace, size_t workSpaceSizeInBytes)}
     */
    public static int cudnnFindConvolutionBackwardFilterAlgorithmEx(MemorySegment handle, MemorySegment xDesc, MemorySegment x, MemorySegment dyDesc, MemorySegment y, MemorySegment convDesc, MemorySegment dwDesc, MemorySegment dw, int requestedAlgoCount, MemorySegment returnedAlgoCount, MemorySegment perfResults, MemorySegment workSpace, long workSpaceSizeInBytes) {
        try {
            return (int) Handles.cudnnFindConvolutionBackwardFilterAlgorithmEx.invokeExact(handle, xDesc, x, dyDesc, y, convDesc, dwDesc, dw, requestedAlgoCount, returnedAlgoCount, perfResults, workSpace, workSpaceSizeInBytes);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, const cudnnTensorDescriptor_t dyDesc, const cudnnConvolutionDescriptor_t convDesc, const cudnnFilterDescriptor_t gradDesc, cudnnConvolutionBwdFilterAlgo_t algo, size_t *sizeInBytes)}
     */
    public static int cudnnGetConvolutionBackwardFilterWorkspaceSize(MemorySegment handle, MemorySegment xDesc, MemorySegment dyDesc, MemorySegment convDesc, MemorySegment gradDesc, int algo, MemorySegment sizeInBytes) {
        try {
            return (int) Handles.cudnnGetConvolutionBackwardFilterWorkspaceSize.invokeExact(handle, xDesc, dyDesc, convDesc, gradDesc, algo, sizeInBytes);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnConvolutionBackwardFilter(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionBwdFilterAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes, const void *beta, const cudnnFilterDescriptor_t dwDesc, void *dw)}
     */
    public static int cudnnConvolutionBackwardFilter(MemorySegment handle, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment dyDesc, MemorySegment dy, MemorySegment convDesc, int algo, MemorySegment workSpace, long workSpaceSizeInBytes, MemorySegment beta, MemorySegment dwDesc, MemorySegment dw) {
        try {
            return (int) Handles.cudnnConvolutionBackwardFilter.invokeExact(handle, alpha, xDesc, x, dyDesc, dy, convDesc, algo, workSpace, workSpaceSizeInBytes, beta, dwDesc, dw);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnConvolutionBackwardBias(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t dyDesc, const void *dy, const void *beta, const cudnnTensorDescriptor_t dbDesc, void *db)}
     */
    public static int cudnnConvolutionBackwardBias(MemorySegment handle, MemorySegment alpha, MemorySegment dyDesc, MemorySegment dy, MemorySegment beta, MemorySegment dbDesc, MemorySegment db) {
        try {
            return (int) Handles.cudnnConvolutionBackwardBias.invokeExact(handle, alpha, dyDesc, dy, beta, dbDesc, db);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnCreateActivationDescriptor(cudnnActivationDescriptor_t *activationDesc)}
     */
    public static int cudnnCreateActivationDescriptor(MemorySegment activationDesc) {
        try {
            return (int) Handles.cudnnCreateActivationDescriptor.invokeExact(activationDesc);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnSetActivationDescriptor(cudnnActivationDescriptor_t activationDesc, cudnnActivationMode_t mode, cudnnNanPropagation_t reluNanOpt, double coef)}
     */
    public static int cudnnSetActivationDescriptor(MemorySegment activationDesc, int mode, int reluNanOpt, double coef) {
        try {
            return (int) Handles.cudnnSetActivationDescriptor.invokeExact(activationDesc, mode, reluNanOpt, coef);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnSetActivationDescriptorSwishBeta(cudnnActivationDescriptor_t activationDesc, double swish_beta)}
     */
    public static int cudnnSetActivationDescriptorSwishBeta(MemorySegment activationDesc, double swish_beta) {
        try {
            return (int) Handles.cudnnSetActivationDescriptorSwishBeta.invokeExact(activationDesc, swish_beta);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnDestroyActivationDescriptor(cudnnActivationDescriptor_t activationDesc)}
     */
    public static int cudnnDestroyActivationDescriptor(MemorySegment activationDesc) {
        try {
            return (int) Handles.cudnnDestroyActivationDescriptor.invokeExact(activationDesc);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnActivationForward(cudnnHandle_t handle, cudnnActivationDescriptor_t activationDesc, const void *alpha, const cudnnTensorDescriptor_t xDesc, const void *x, const void *beta, const cudnnTensorDescriptor_t yDesc, void *y)}
     */
    public static int cudnnActivationForward(MemorySegment handle, MemorySegment activationDesc, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment beta, MemorySegment yDesc, MemorySegment y) {
        try {
            return (int) Handles.cudnnActivationForward.invokeExact(handle, activationDesc, alpha, xDesc, x, beta, yDesc, y);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnActivationBackward(cudnnHandle_t handle, cudnnActivationDescriptor_t activationDesc, const void *alpha, const cudnnTensorDescriptor_t yDesc, const void *y, const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnTensorDescriptor_t xDesc, const void *x, const void *beta, const cudnnTensorDescriptor_t dxDesc, void *dx)}
     */
    public static int cudnnActivationBackward(MemorySegment handle, MemorySegment activationDesc, MemorySegment alpha, MemorySegment yDesc, MemorySegment y, MemorySegment dyDesc, MemorySegment dy, MemorySegment xDesc, MemorySegment x, MemorySegment beta, MemorySegment dxDesc, MemorySegment dx) {
        try {
            return (int) Handles.cudnnActivationBackward.invokeExact(handle, activationDesc, alpha, yDesc, y, dyDesc, dy, xDesc, x, beta, dxDesc, dx);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnCreatePoolingDescriptor(cudnnPoolingDescriptor_t *poolingDesc)}
     */
    public static int cudnnCreatePoolingDescriptor(MemorySegment poolingDesc) {
        try {
            return (int) Handles.cudnnCreatePoolingDescriptor.invokeExact(poolingDesc);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnSetPooling2dDescriptor(cudnnPoolingDescriptor_t poolingDesc, cudnnPoolingMode_t mode, cudnnNanPropagation_t maxpoolingNanOpt, int windowHeight, int windowWidth, int verticalPadding, int horizontalPadding, int verticalStride, int horizontalStride)}
     */
    public static int cudnnSetPooling2dDescriptor(MemorySegment poolingDesc, int mode, int maxpoolingNanOpt, int windowHeight, int windowWidth, int verticalPadding, int horizontalPadding, int verticalStride, int horizontalStride) {
        try {
            return (int) Handles.cudnnSetPooling2dDescriptor.invokeExact(poolingDesc, mode, maxpoolingNanOpt, windowHeight, windowWidth, verticalPadding, horizontalPadding, verticalStride, horizontalStride);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnDestroyPoolingDescriptor(cudnnPoolingDescriptor_t poolingDesc)}
     */
    public static int cudnnDestroyPoolingDescriptor(MemorySegment poolingDesc) {
        try {
            return (int) Handles.cudnnDestroyPoolingDescriptor.invokeExact(poolingDesc);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnPoolingForward(cudnnHandle_t handle, const cudnnPoolingDescriptor_t poolingDesc, const void *alpha, const cudnnTensorDescriptor_t xDesc, const void *x, const void *beta, const cudnnTensorDescriptor_t yDesc, void *y)}
     */
    public static int cudnnPoolingForward(MemorySegment handle, MemorySegment poolingDesc, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment beta, MemorySegment yDesc, MemorySegment y) {
        try {
            return (int) Handles.cudnnPoolingForward.invokeExact(handle, poolingDesc, alpha, xDesc, x, beta, yDesc, y);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnPoolingBackward(cudnnHandle_t handle, const cudnnPoolingDescriptor_t poolingDesc, const void *alpha, const cudnnTensorDescriptor_t yDesc, const void *y, const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnTensorDescriptor_t xDesc, const void *x, const void *beta, const cudnnTensorDescriptor_t dxDesc, void *dx)}
     */
    public static int cudnnPoolingBackward(MemorySegment handle, MemorySegment poolingDesc, MemorySegment alpha, MemorySegment yDesc, MemorySegment y, MemorySegment dyDesc, MemorySegment dy, MemorySegment xDesc, MemorySegment x, MemorySegment beta, MemorySegment dxDesc, MemorySegment dx) {
        try {
            return (int) Handles.cudnnPoolingBackward.invokeExact(handle, poolingDesc, alpha, yDesc, y, dyDesc, dy, xDesc, x, beta, dxDesc, dx);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnDeriveBNTensorDescriptor(cudnnTensorDescriptor_t derivedBnDesc, const cudnnTensorDescriptor_t xDesc, cudnnBatchNormMode_t mode)}
     */
    public static int cudnnDeriveBNTensorDescriptor(MemorySegment derivedBnDesc, MemorySegment xDesc, int mode) {
        try {
            return (int) Handles.cudnnDeriveBNTensorDescriptor.invokeExact(derivedBnDesc, xDesc, mode);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnBatchNormalizationForwardTraining(cudnnHandle_t handle, cudnnBatchNormMode_t mode, const void *alpha, const void *beta, const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnTensorDescriptor_t yDesc, void *y, const cudnnTensorDescriptor_t bnScaleBiasMeanVarDesc, const void *bnScale, const void *bnBias, double exponentialAverageFactor, void *resultRunningMean, void *resultRunningVariance, double epsilon, void *resultSaveMean, void *resultSaveInvVariance)}
     */
    public static int cudnnBatchNormalizationForwardTraining(MemorySegment handle, int mode, MemorySegment alpha, MemorySegment beta, MemorySegment xDesc, MemorySegment x, MemorySegment yDesc, MemorySegment y, MemorySegment bnScaleBiasMeanVarDesc, MemorySegment bnScale, MemorySegment bnBias, double exponentialAverageFactor, MemorySegment resultRunningMean, MemorySegment resultRunningVariance, double epsilon, MemorySegment resultSaveMean, MemorySegment resultSaveInvVariance) {
        try {
            return (int) Handles.cudnnBatchNormalizationForwardTraining.invokeExact(handle, mode, alpha, beta, xDesc, x, yDesc, y, bnScaleBiasMeanVarDesc, bnScale, bnBias, exponentialAverageFactor, resultRunningMean, resultRunningVariance, epsilon, resultSaveMean, resultSaveInvVariance);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnBatchNormalizationForwardInference(cudnnHandle_t handle, cudnnBatchNormMode_t mode, const void *alpha, const void *beta, const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnTensorDescriptor_t yDesc, void *y, const cudnnTensorDescriptor_t bnScaleBiasMeanVarDesc, const void *bnScale, const void *bnBias, const void *estimatedMean, const void *estimatedVariance, double epsilon)}
     */
    public static int cudnnBatchNormalizationForwardInference(MemorySegment handle, int mode, MemorySegment alpha, MemorySegment beta, MemorySegment xDesc, MemorySegment x, MemorySegment yDesc, MemorySegment y, MemorySegment bnScaleBiasMeanVarDesc, MemorySegment bnScale, MemorySegment bnBias, MemorySegment estimatedMean, MemorySegment estimatedVariance, double epsilon) {
        try {
            return (int) Handles.cudnnBatchNormalizationForwardInference.invokeExact(handle, mode, alpha, beta, xDesc, x, yDesc, y, bnScaleBiasMeanVarDesc, bnScale, bnBias, estimatedMean, estimatedVariance, epsilon);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnBatchNormalizationBackward(cudnnHandle_t handle, cudnnBatchNormMode_t mode, const void *alphaDataDiff, const void *betaDataDiff, const void *alphaParamDiff, const void *betaParamDiff, const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnTensorDescriptor_t dxDesc, void *dx, const cudnnTensorDescriptor_t dBnScaleBiasDesc, const void *bnScale, void *dBnScaleResult, void *dBnBiasResult, double epsilon, const void *savedMean, const void *savedInvVariance)}
     */
    public static int cudnnBatchNormalizationBackward(MemorySegment handle, int mode, MemorySegment alphaDataDiff, MemorySegment betaDataDiff, MemorySegment alphaParamDiff, MemorySegment betaParamDiff, MemorySegment xDesc, MemorySegment x, MemorySegment dyDesc, MemorySegment dy, MemorySegment dxDesc, MemorySegment dx, MemorySegment dBnScaleBiasDesc, MemorySegment bnScale, MemorySegment dBnScaleResult, MemorySegment dBnBiasResult, double epsilon, MemorySegment savedMean, MemorySegment savedInvVariance) {
        try {
            return (int) Handles.cudnnBatchNormalizationBackward.invokeExact(handle, mode, alphaDataDiff, betaDataDiff, alphaParamDiff, betaParamDiff, xDesc, x, dyDesc, dy, dxDesc, dx, dBnScaleBiasDesc, bnScale, dBnScaleResult, dBnBiasResult, epsilon, savedMean, savedInvVariance);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnSoftmaxForward(cudnnHandle_t handle, cudnnSoftmaxAlgorithm_t algo, cudnnSoftmaxMode_t mode, const void *alpha, const cudnnTensorDescriptor_t xDesc, const void *x, const void *beta, const cudnnTensorDescriptor_t yDesc, void *y)}
     */
    public static int cudnnSoftmaxForward(MemorySegment handle, int algo, int mode, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment beta, MemorySegment yDesc, MemorySegment y) {
        try {
            return (int) Handles.cudnnSoftmaxForward.invokeExact(handle, algo, mode, alpha, xDesc, x, beta, yDesc, y);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnSoftmaxBackward(cudnnHandle_t handle, cudnnSoftmaxAlgorithm_t algo, cudnnSoftmaxMode_t mode, const void *alpha, const cudnnTensorDescriptor_t yDesc, const void *y, const cudnnTensorDescriptor_t dyDesc, const void *dy, const void *beta, const cudnnTensorDescriptor_t dxDesc, void *dx)}
     */
    public static int cudnnSoftmaxBackward(MemorySegment handle, int algo, int mode, MemorySegment alpha, MemorySegment yDesc, MemorySegment y, MemorySegment dyDesc, MemorySegment dy, MemorySegment beta, MemorySegment dxDesc, MemorySegment dx) {
        try {
            return (int) Handles.cudnnSoftmaxBackward.invokeExact(handle, algo, mode, alpha, yDesc, y, dyDesc, dy, beta, dxDesc, dx);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnCreateOpTensorDescriptor(cudnnOpTensorDescriptor_t *opTensorDesc)}
     */
    public static int cudnnCreateOpTensorDescriptor(MemorySegment opTensorDesc) {
        try {
            return (int) Handles.cudnnCreateOpTensorDescriptor.invokeExact(opTensorDesc);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnSetOpTensorDescriptor(cudnnOpTensorDescriptor_t opTensorDesc, cudnnOpTensorOp_t opTensorOp, cudnnDataType_t opTensorCompType, cudnnNanPropagation_t opTensorNanOpt)}
     */
    public static int cudnnSetOpTensorDescriptor(MemorySegment opTensorDesc, int opTensorOp, int opTensorCompType, int opTensorNanOpt) {
        try {
            return (int) Handles.cudnnSetOpTensorDescriptor.invokeExact(opTensorDesc, opTensorOp, opTensorCompType, opTensorNanOpt);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnDestroyOpTensorDescriptor(cudnnOpTensorDescriptor_t opTensorDesc)}
     */
    public static int cudnnDestroyOpTensorDescriptor(MemorySegment opTensorDesc) {
        try {
            return (int) Handles.cudnnDestroyOpTensorDescriptor.invokeExact(opTensorDesc);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnOpTensor(cudnnHandle_t handle, const cudnnOpTensorDescriptor_t opTensorDesc, const void *alpha1, const cudnnTensorDescriptor_t aDesc, const void *A, const void *alpha2, const cudnnTensorDescriptor_t bDesc, const void *B, const void *beta, const cudnnTensorDescriptor_t cDesc, void *C)}
     */
    public static int cudnnOpTensor(MemorySegment handle, MemorySegment opTensorDesc, MemorySegment alpha1, MemorySegment aDesc, MemorySegment A, MemorySegment alpha2, MemorySegment bDesc, MemorySegment B, MemorySegment beta, MemorySegment cDesc, MemorySegment C) {
        try {
            return (int) Handles.cudnnOpTensor.invokeExact(handle, opTensorDesc, alpha1, aDesc, A, alpha2, bDesc, B, beta, cDesc, C);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnAddTensor(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t aDesc, const void *A, const void *beta, const cudnnTensorDescriptor_t cDesc, void *C)}
     */
    public static int cudnnAddTensor(MemorySegment handle, MemorySegment alpha, MemorySegment aDesc, MemorySegment A, MemorySegment beta, MemorySegment cDesc, MemorySegment C) {
        try {
            return (int) Handles.cudnnAddTensor.invokeExact(handle, alpha, aDesc, A, beta, cDesc, C);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnSetTensor(cudnnHandle_t handle, const cudnnTensorDescriptor_t yDesc, void *y, const void *valuePtr)}
     */
    public static int cudnnSetTensor(MemorySegment handle, MemorySegment yDesc, MemorySegment y, MemorySegment valuePtr) {
        try {
            return (int) Handles.cudnnSetTensor.invokeExact(handle, yDesc, y, valuePtr);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnScaleTensor(cudnnHandle_t handle, const cudnnTensorDescriptor_t yDesc, void *y, const void *alpha)}
     */
    public static int cudnnScaleTensor(MemorySegment handle, MemorySegment yDesc, MemorySegment y, MemorySegment alpha) {
        try {
            return (int) Handles.cudnnScaleTensor.invokeExact(handle, yDesc, y, alpha);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnCreateReduceTensorDescriptor(cudnnReduceTensorDescriptor_t *reduceTensorDesc)}
     */
    public static int cudnnCreateReduceTensorDescriptor(MemorySegment reduceTensorDesc) {
        try {
            return (int) Handles.cudnnCreateReduceTensorDescriptor.invokeExact(reduceTensorDesc);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnSetReduceTensorDescriptor(cudnnReduceTensorDescriptor_t reduceTensorDesc, cudnnReduceTensorOp_t reduceTensorOp, cudnnDataType_t reduceTensorCompType, cudnnNanPropagation_t reduceTensorNanOpt, cudnnReduceTensorIndices_t reduceTensorIndices, cudnnIndicesType_t reduceTensorIndicesType)}
     */
    public static int cudnnSetReduceTensorDescriptor(MemorySegment reduceTensorDesc, int reduceTensorOp, int reduceTensorCompType, int reduceTensorNanOpt, int reduceTensorIndices, int reduceTensorIndicesType) {
        try {
            return (int) Handles.cudnnSetReduceTensorDescriptor.invokeExact(reduceTensorDesc, reduceTensorOp, reduceTensorCompType, reduceTensorNanOpt, reduceTensorIndices, reduceTensorIndicesType);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnDestroyReduceTensorDescriptor(cudnnReduceTensorDescriptor_t reduceTensorDesc)}
     */
    public static int cudnnDestroyReduceTensorDescriptor(MemorySegment reduceTensorDesc) {
        try {
            return (int) Handles.cudnnDestroyReduceTensorDescriptor.invokeExact(reduceTensorDesc);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnGetReductionIndicesSize(cudnnHandle_t handle, const cudnnReduceTensorDescriptor_t reduceTensorDesc, const cudnnTensorDescriptor_t aDesc, const cudnnTensorDescriptor_t cDesc, size_t *sizeInBytes)}
     */
    public static int cudnnGetReductionIndicesSize(MemorySegment handle, MemorySegment reduceTensorDesc, MemorySegment aDesc, MemorySegment cDesc, MemorySegment sizeInBytes) {
        try {
            return (int) Handles.cudnnGetReductionIndicesSize.invokeExact(handle, reduceTensorDesc, aDesc, cDesc, sizeInBytes);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnGetReductionWorkspaceSize(cudnnHandle_t handle, const cudnnReduceTensorDescriptor_t reduceTensorDesc, const cudnnTensorDescriptor_t aDesc, const cudnnTensorDescriptor_t cDesc, size_t *sizeInBytes)}
     */
    public static int cudnnGetReductionWorkspaceSize(MemorySegment handle, MemorySegment reduceTensorDesc, MemorySegment aDesc, MemorySegment cDesc, MemorySegment sizeInBytes) {
        try {
            return (int) Handles.cudnnGetReductionWorkspaceSize.invokeExact(handle, reduceTensorDesc, aDesc, cDesc, sizeInBytes);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudnnStatus_t cudnnReduceTensor(cudnnHandle_t handle, const cudnnReduceTensorDescriptor_t reduceTensorDesc, void *indices, size_t indicesSizeInBytes, void *workspace, size_t workspaceSizeInBytes, const void *alpha, const cudnnTensorDescriptor_t aDesc, const void *A, const void *beta, const cudnnTensorDescriptor_t cDesc, void *C)}
     */
    public static int cudnnReduceTensor(MemorySegment handle, MemorySegment reduceTensorDesc, MemorySegment indices, long indicesSizeInBytes, MemorySegment workspace, long workspaceSizeInBytes, MemorySegment alpha, MemorySegment aDesc, MemorySegment A, MemorySegment beta, MemorySegment cDesc, MemorySegment C) {
        try {
            return (int) Handles.cudnnReduceTensor.invokeExact(handle, reduceTensorDesc, indices, indicesSizeInBytes, workspace, workspaceSizeInBytes, alpha, aDesc, A, beta, cDesc, C);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }
}
