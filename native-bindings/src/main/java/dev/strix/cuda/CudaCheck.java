package dev.strix.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.IntFunction;

/**
 * Turns a status code into a {@link CudaException}: {@code CudaCheck.runtime("cudaMalloc",
 * CudaRuntime.cudaMalloc(ptr, bytes))} returns when the call succeeded and throws otherwise.
 *
 * <p>The exception carries the library's own text for the code ({@code cuGetErrorString},
 * {@code cudaGetErrorString}, {@code cublasGetStatusString}, {@code cudnnGetErrorString},
 * {@code nvrtcGetErrorString}) when that library is loaded and answers, and the symbolic name from
 * {@link StatusNames} (or the library's name function for codes the table lacks); when the library's
 * text cannot be obtained, the name stands in for it.
 */
public final class CudaCheck {
    private CudaCheck() {
    }

    /** Checks a {@code CUresult}; returns when it is {@code CUDA_SUCCESS}. */
    public static void driver(String call, int status) {
        if (status != 0) {
            throw exception(CudaException.Library.CUDA_DRIVER, call, status);
        }
    }

    /** Checks a {@code cudaError_t}; returns when it is {@code cudaSuccess}. */
    public static void runtime(String call, int status) {
        if (status != 0) {
            throw exception(CudaException.Library.CUDA_RUNTIME, call, status);
        }
    }

    /** Checks a {@code cublasStatus_t}; returns when it is {@code CUBLAS_STATUS_SUCCESS}. */
    public static void cublas(String call, int status) {
        if (status != 0) {
            throw exception(CudaException.Library.CUBLAS, call, status);
        }
    }

    /** Checks a {@code cudnnStatus_t}; returns when it is {@code CUDNN_STATUS_SUCCESS}. */
    public static void cudnn(String call, int status) {
        if (status != 0) {
            throw exception(CudaException.Library.CUDNN, call, status);
        }
    }

    /** Checks an {@code nvrtcResult}; returns when it is {@code NVRTC_SUCCESS}. */
    public static void nvrtc(String call, int status) {
        if (status != 0) {
            throw exception(CudaException.Library.NVRTC, call, status);
        }
    }

    /**
     * The exception for a failed call, with the library's own text when the library is loaded.
     *
     * @param library which library returned {@code code}
     * @param call    the C function's name
     * @param code    the status it returned
     * @return the exception (not thrown)
     */
    public static CudaException exception(CudaException.Library library, String call, int code) {
        return exception(library, call, code, null);
    }

    /** As {@link #exception(CudaException.Library, String, int)}, with {@code detail} (e.g. a compiler log) appended. */
    public static CudaException exception(CudaException.Library library, String call, int code, String detail) {
        String name = StatusNames.name(library, code);
        if (name == null) {
            name = libraryName(library, code);
        }
        return new CudaException(library, call, code, name, libraryText(library, code), detail);
    }

    /**
     * The exception built from the built-in tables alone, without asking any library.
     *
     * @param library which library returned {@code code}
     * @param call    the C function's name
     * @param code    the status it returned
     * @return the exception (not thrown)
     */
    public static CudaException builtIn(CudaException.Library library, String call, int code) {
        return new CudaException(library, call, code, StatusNames.name(library, code), null, null);
    }

    /** @return the library's own description of {@code code}, or {@code null} when it cannot be obtained */
    static String libraryText(CudaException.Library library, int code) {
        return switch (library) {
            case CUDA_DRIVER -> ask(CudaLibrary.DRIVER, c -> driverString(c, false), code);
            case CUDA_RUNTIME -> ask(CudaLibrary.RUNTIME, c -> CTypes.readCString(CudaRuntime.cudaGetErrorString(c)), code);
            case CUBLAS -> ask(CudaLibrary.CUBLAS, c -> CTypes.readCString(Cublas.cublasGetStatusString(c)), code);
            case CUDNN -> ask(CudaLibrary.CUDNN, c -> CTypes.readCString(Cudnn.cudnnGetErrorString(c)), code);
            case NVRTC -> ask(CudaLibrary.NVRTC, c -> CTypes.readCString(Nvrtc.nvrtcGetErrorString(c)), code);
        };
    }

    /** @return the library's own symbolic name for {@code code}, or {@code null} */
    static String libraryName(CudaException.Library library, int code) {
        return switch (library) {
            case CUDA_DRIVER -> ask(CudaLibrary.DRIVER, c -> driverString(c, true), code);
            case CUDA_RUNTIME -> ask(CudaLibrary.RUNTIME, c -> CTypes.readCString(CudaRuntime.cudaGetErrorName(c)), code);
            case CUBLAS -> ask(CudaLibrary.CUBLAS, c -> CTypes.readCString(Cublas.cublasGetStatusName(c)), code);
            case CUDNN, NVRTC -> null;
        };
    }

    private static String ask(CudaLibrary library, IntFunction<String> query, int code) {
        if (!CudaLibraries.isLoaded(library)) {
            return null;
        }
        try {
            String text = query.apply(code);
            return text == null || text.isBlank() ? null : text;
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    private static String driverString(int code, boolean name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(CTypes.C_POINTER);
            int status = name ? CudaDriver.cuGetErrorName(code, out) : CudaDriver.cuGetErrorString(code, out);
            return status == 0 ? CTypes.readCString(out.get(CTypes.C_POINTER, 0)) : null;
        }
    }
}
