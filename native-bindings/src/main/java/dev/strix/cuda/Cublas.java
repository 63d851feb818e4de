package dev.strix.cuda;

import static dev.strix.cuda.CTypes.*;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Map;

/**
 * cuBLAS ({@code cublas_v2.h} / {@code cublas_api.h} of cuBLAS 13, {@code libcublas.so.13}; the
 * functions bound here have the same signatures in cuBLAS 12): handles, streams, math modes and the
 * single-precision GEMM family.
 *
 * <p>Hand-written FFM binding in the shape jextract generates: one static method per C function
 * named after its exported symbol (the {@code _v2} names that {@code cublas_v2.h} maps
 * {@code cublasCreate}, {@code cublasSgemm} and friends to), C enums as {@code int} constants with
 * their C names, every pointer and handle as a {@link MemorySegment} address. The return value is the
 * raw {@code cublasStatus_t}; check it with {@link CudaCheck#cublas(String, int)}. Matrices are
 * column-major, as in the C API. With the default {@link #CUBLAS_POINTER_MODE_HOST}, {@code alpha} and
 * {@code beta} point at host memory. The library is loaded on the first call, not when this class loads.
 */
public final class Cublas {
    private Cublas() {
    }

    /** {@code CUBLAS_STATUS_SUCCESS}. */
    public static final int CUBLAS_STATUS_SUCCESS = 0;
    /** {@code CUBLAS_STATUS_NOT_INITIALIZED}. */
    public static final int CUBLAS_STATUS_NOT_INITIALIZED = 1;
    /** {@code CUBLAS_STATUS_ALLOC_FAILED}. */
    public static final int CUBLAS_STATUS_ALLOC_FAILED = 3;
    /** {@code CUBLAS_STATUS_INVALID_VALUE}. */
    public static final int CUBLAS_STATUS_INVALID_VALUE = 7;
    /** {@code CUBLAS_STATUS_ARCH_MISMATCH}. */
    public static final int CUBLAS_STATUS_ARCH_MISMATCH = 8;
    /** {@code CUBLAS_STATUS_MAPPING_ERROR}. */
    public static final int CUBLAS_STATUS_MAPPING_ERROR = 11;
    /** {@code CUBLAS_STATUS_EXECUTION_FAILED}. */
    public static final int CUBLAS_STATUS_EXECUTION_FAILED = 13;
    /** {@code CUBLAS_STATUS_INTERNAL_ERROR}. */
    public static final int CUBLAS_STATUS_INTERNAL_ERROR = 14;
    /** {@code CUBLAS_STATUS_NOT_SUPPORTED}. */
    public static final int CUBLAS_STATUS_NOT_SUPPORTED = 15;
    /** {@code CUBLAS_STATUS_LICENSE_ERROR}. */
    public static final int CUBLAS_STATUS_LICENSE_ERROR = 16;

    /** {@code CUBLAS_OP_N}: no transpose. */
    public static final int CUBLAS_OP_N = 0;
    /** {@code CUBLAS_OP_T}: transpose. */
    public static final int CUBLAS_OP_T = 1;
    /** {@code CUBLAS_OP_C}: conjugate transpose. */
    public static final int CUBLAS_OP_C = 2;

    /** {@code CUBLAS_POINTER_MODE_HOST}: scalars are read from host memory. */
    public static final int CUBLAS_POINTER_MODE_HOST = 0;
    /** {@code CUBLAS_POINTER_MODE_DEVICE}: scalars are read from device memory. */
    public static final int CUBLAS_POINTER_MODE_DEVICE = 1;

    /** {@code CUBLAS_DEFAULT_MATH}. */
    public static final int CUBLAS_DEFAULT_MATH = 0;
    /** {@code CUBLAS_TENSOR_OP_MATH} (deprecated; same as default since cuBLAS 11). */
    public static final int CUBLAS_TENSOR_OP_MATH = 1;
    /** {@code CUBLAS_PEDANTIC_MATH}. */
    public static final int CUBLAS_PEDANTIC_MATH = 2;
    /** {@code CUBLAS_TF32_TENSOR_OP_MATH}: float32 GEMMs may use TF32 tensor cores. */
    public static final int CUBLAS_TF32_TENSOR_OP_MATH = 3;
    /** {@code CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION} (a flag to or into a mode). */
    public static final int CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION = 16;

    /** {@code CUBLAS_COMPUTE_16F}. */
    public static final int CUBLAS_COMPUTE_16F = 64;
    /** {@code CUBLAS_COMPUTE_32F}. */
    public static final int CUBLAS_COMPUTE_32F = 68;
    /** {@code CUBLAS_COMPUTE_32F_PEDANTIC}. */
    public static final int CUBLAS_COMPUTE_32F_PEDANTIC = 69;
    /** {@code CUBLAS_COMPUTE_64F}. */
    public static final int CUBLAS_COMPUTE_64F = 70;
    /** {@code CUBLAS_COMPUTE_32F_FAST_16F}. */
    public static final int CUBLAS_COMPUTE_32F_FAST_16F = 74;
    /** {@code CUBLAS_COMPUTE_32F_FAST_16BF}. */
    public static final int CUBLAS_COMPUTE_32F_FAST_16BF = 75;
    /** {@code CUBLAS_COMPUTE_32F_FAST_TF32}. */
    public static final int CUBLAS_COMPUTE_32F_FAST_TF32 = 77;

    /** {@code CUBLAS_GEMM_DEFAULT}. */
    public static final int CUBLAS_GEMM_DEFAULT = -1;
    /** {@code CUBLAS_GEMM_DEFAULT_TENSOR_OP} (deprecated alias kept by cuBLAS). */
    public static final int CUBLAS_GEMM_DEFAULT_TENSOR_OP = 99;

    /** {@code CUDA_R_32F} ({@code library_types.h}). */
    public static final int CUDA_R_32F = 0;
    /** {@code CUDA_R_64F}. */
    public static final int CUDA_R_64F = 1;
    /** {@code CUDA_R_16F}. */
    public static final int CUDA_R_16F = 2;
    /** {@code CUDA_R_16BF}. */
    public static final int CUDA_R_16BF = 14;

    /** C function name (the exported symbol) to its descriptor, in declaration order. */
    private static final Map<String, FunctionDescriptor> FUNCTIONS = new DescriptorTable()
            .status("cublasCreate_v2", C_POINTER)
            .status("cublasDestroy_v2", C_POINTER)
            .status("cublasGetVersion_v2", C_POINTER, C_POINTER)
            .status("cublasSetStream_v2", C_POINTER, C_POINTER)
            .status("cublasSetWorkspace_v2", C_POINTER, C_POINTER, C_SIZE_T)
            .status("cublasSetMathMode", C_POINTER, C_INT)
            .status("cublasSetPointerMode_v2", C_POINTER, C_INT)
            .status("cublasSgemm_v2", C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_INT, C_POINTER, C_POINTER, C_INT)
            .status("cublasSgemmStridedBatched", C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER, C_INT, C_LONG_LONG, C_POINTER, C_INT, C_LONG_LONG, C_POINTER, C_POINTER, C_INT, C_LONG_LONG, C_INT)
            .status("cublasGemmEx", C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER, C_INT, C_INT, C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER, C_INT, C_INT, C_INT, C_INT)
            .status("cublasSgeam", C_POINTER, C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_INT)
            .status("cublasSaxpy_v2", C_POINTER, C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_INT)
            .status("cublasSscal_v2", C_POINTER, C_INT, C_POINTER, C_POINTER, C_INT)
            .returning("cublasGetStatusName", C_POINTER, C_INT)
            .returning("cublasGetStatusString", C_POINTER, C_INT)
            .build();

    /**
     * @return every bound C function's name and descriptor, in declaration order (usable without the library)
     */
    public static Map<String, FunctionDescriptor> functions() {
        return FUNCTIONS;
    }

    /** @return true when {@code CUBLAS} can be loaded on this machine */
    public static boolean isAvailable() {
        return CudaLibraries.tryLoad(CudaLibrary.CUBLAS).isPresent();
    }

    /** Downcall handles, made once on first use; loading {@link Cublas} alone needs no library. */
    private static final class Handles {
        private static final Binder B = Binder.of(CudaLibrary.CUBLAS, FUNCTIONS);

        static final MethodHandle cublasCreate_v2 = B.bind("cublasCreate_v2");
        static final MethodHandle cublasDestroy_v2 = B.bind("cublasDestroy_v2");
        static final MethodHandle cublasGetVersion_v2 = B.bind("cublasGetVersion_v2");
        static final MethodHandle cublasSetStream_v2 = B.bind("cublasSetStream_v2");
        static final MethodHandle cublasSetWorkspace_v2 = B.bind("cublasSetWorkspace_v2");
        static final MethodHandle cublasSetMathMode = B.bind("cublasSetMathMode");
        static final MethodHandle cublasSetPointerMode_v2 = B.bind("cublasSetPointerMode_v2");
        static final MethodHandle cublasSgemm_v2 = B.bind("cublasSgemm_v2");
        static final MethodHandle cublasSgemmStridedBatched = B.bind("cublasSgemmStridedBatched");
        static final MethodHandle cublasGemmEx = B.bind("cublasGemmEx");
        static final MethodHandle cublasSgeam = B.bind("cublasSgeam");
        static final MethodHandle cublasSaxpy_v2 = B.bind("cublasSaxpy_v2");
        static final MethodHandle cublasSscal_v2 = B.bind("cublasSscal_v2");
        static final MethodHandle cublasGetStatusName = B.bind("cublasGetStatusName");
        static final MethodHandle cublasGetStatusString = B.bind("cublasGetStatusString");
    }

    /**
     * {@code cublasStatus_t cublasCreate_v2(cublasHandle_t *handle)}
     */
    public static int cublasCreate_v2(MemorySegment handle) {
        try {
            return (int) Handles.cublasCreate_v2.invokeExact(handle);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cublasStatus_t cublasDestroy_v2(cublasHandle_t handle)}
     */
    public static int cublasDestroy_v2(MemorySegment handle) {
        try {
            return (int) Handles.cublasDestroy_v2.invokeExact(handle);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int *version)}
     */
    public static int cublasGetVersion_v2(MemorySegment handle, MemorySegment version) {
        try {
            return (int) Handles.cublasGetVersion_v2.invokeExact(handle, version);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId)}
     */
    public static int cublasSetStream_v2(MemorySegment handle, MemorySegment streamId) {
        try {
            return (int) Handles.cublasSetStream_v2.invokeExact(handle, streamId);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle, void *workspace, size_t workspaceSizeInBytes)}
     */
    public static int cublasSetWorkspace_v2(MemorySegment handle, MemorySegment workspace, long workspaceSizeInBytes) {
        try {
            return (int) Handles.cublasSetWorkspace_v2.invokeExact(handle, workspace, workspaceSizeInBytes);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode)}
     */
    public static int cublasSetMathMode(MemorySegment handle, int mode) {
        try {
            return (int) Handles.cublasSetMathMode.invokeExact(handle, mode);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cublasStatus_t cublasSetPointerMode_v2(cublasHandle_t handle, cublasPointerMode_t mode)}
     */
    public static int cublasSetPointerMode_v2(MemorySegment handle, int mode) {
        try {
            return (int) Handles.cublasSetPointerMode_v2.invokeExact(handle, mode);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const float *alpha, const float *A, int lda, const float *B, int ldb, const float *beta, float *C, int ldc)}
     */
    public static int cublasSgemm_v2(MemorySegment handle, int transa, int transb, int m, int n, int k, MemorySegment alpha, MemorySegment A, int lda, MemorySegment B, int ldb, MemorySegment beta, MemorySegment C, int ldc) {
        try {
            return (int) Handles.cublasSgemm_v2.invokeExact(handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const float *alpha, const float *A, int lda, long long int strideA, const float *B, int ldb, long long int strideB, const float *beta, float *C, int ldc, long long int strideC, int batchCount)}
     */
    public static int cublasSgemmStridedBatched(MemorySegment handle, int transa, int transb, int m, int n, int k, MemorySegment alpha, MemorySegment A, int lda, long strideA, MemorySegment B, int ldb, long strideB, MemorySegment beta, MemorySegment C, int ldc, long strideC, int batchCount) {
        try {
            return (int) Handles.cublasSgemmStridedBatched.invokeExact(handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const void *alpha, const void *A, cudaDataType Atype, int lda, const void *B, cudaDataType Btype, int ldb, const void *beta, void *C, cudaDataType Ctype, int ldc, cublasComputeType_t computeType, cublasGemmAlgo_t algo)}
     */
    public static int cublasGemmEx(MemorySegment handle, int transa, int transb, int m, int n, int k, MemorySegment alpha, MemorySegment A, int Atype, int lda, MemorySegment B, int Btype, int ldb, MemorySegment beta, MemorySegment C, int Ctype, int ldc, int computeType, int algo) {
        try {
            return (int) Handles.cublasGemmEx.invokeExact(handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc, computeType, algo);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cublasStatus_t cublasSgeam(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, const float *alpha, const float *A, int lda, const float *beta, const float *B, int ldb, float *C, int ldc)}
     */
    public static int cublasSgeam(MemorySegment handle, int transa, int transb, int m, int n, MemorySegment alpha, MemorySegment A, int lda, MemorySegment beta, MemorySegment B, int ldb, MemorySegment C, int ldc) {
        try {
            return (int) Handles.cublasSgeam.invokeExact(handle, transa, transb, m, n, alpha, A, lda, beta, B, ldb, C, ldc);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cublasStatus_t cublasSaxpy_v2(cublasHandle_t handle, int n, const float *alpha, const float *x, int incx, float *y, int incy)}
     */
    public static int cublasSaxpy_v2(MemorySegment handle, int n, MemorySegment alpha, MemorySegment x, int incx, MemorySegment y, int incy) {
        try {
            return (int) Handles.cublasSaxpy_v2.invokeExact(handle, n, alpha, x, incx, y, incy);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cublasStatus_t cublasSscal_v2(cublasHandle_t handle, int n, const float *alpha, float *x, int incx)}
     */
    public static int cublasSscal_v2(MemorySegment handle, int n, MemorySegment alpha, MemorySegment x, int incx) {
        try {
            return (int) Handles.cublasSscal_v2.invokeExact(handle, n, alpha, x, incx);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code const char* cublasGetStatusName(cublasStatus_t status)}
     */
    public static MemorySegment cublasGetStatusName(int status) {
        try {
            return (MemorySegment) Handles.cublasGetStatusName.invokeExact(status);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code const char* cublasGetStatusString(cublasStatus_t status)}
     */
    public static MemorySegment cublasGetStatusString(int status) {
        try {
            return (MemorySegment) Handles.cublasGetStatusString.invokeExact(status);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }
}
