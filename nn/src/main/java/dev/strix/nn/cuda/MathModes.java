package dev.strix.nn.cuda;

import dev.strix.cuda.Cublas;
import dev.strix.cuda.Cudnn;

/**
 * The precision switches handed to cuBLAS and cuDNN, following PyTorch's choices for float32.
 *
 * <p>Default (TF32 allowed, PyTorch's default for convolutions): cuBLAS {@code CUBLAS_TF32_TENSOR_OP_MATH},
 * cuDNN {@code CUDNN_DEFAULT_MATH} (which lets cuDNN use TF32 tensor cores for float data on Ampere and newer).
 * Strict FP32: cuBLAS {@code CUBLAS_DEFAULT_MATH} (plain FP32 FMA), cuDNN {@code CUDNN_FMA_MATH} (no tensor
 * cores, no TF32). {@code CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION} is never used: it would let cuDNN convert
 * float32 inputs down to FP16, a larger loss of precision than TF32.
 *
 * <p>Expected accuracy against a float64 reference: strict FP32 about 1e-6 relative per multiply-add chain;
 * TF32 keeps 10 mantissa bits in the products, about 1e-3 relative (PyTorch documents the same).
 */
public final class MathModes {
    private MathModes() {}

    /** {@code cublasMath_t} for float32 GEMMs. */
    public static int cublasMathMode(boolean strictFp32) {
        return strictFp32 ? Cublas.CUBLAS_DEFAULT_MATH : Cublas.CUBLAS_TF32_TENSOR_OP_MATH;
    }

    /** {@code cudnnMathType_t} set on convolution descriptors before the algorithm search. */
    public static int convolutionMathType(boolean strictFp32) {
        return strictFp32 ? Cudnn.CUDNN_FMA_MATH : Cudnn.CUDNN_DEFAULT_MATH;
    }

    /**
     * Whether an algorithm that the search reported with {@code mathType} may be used. Down-conversion to FP16
     * is never accepted; strict FP32 also refuses tensor-op math. In strict mode the descriptor keeps
     * {@code CUDNN_FMA_MATH} whatever the search reports; with TF32 allowed the descriptor takes the reported
     * math type, as PyTorch does.
     */
    public static boolean acceptsAlgorithm(int mathType, boolean strictFp32) {
        if (mathType == Cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION) return false;
        return !strictFp32 || mathType != Cudnn.CUDNN_TENSOR_OP_MATH;
    }
}
