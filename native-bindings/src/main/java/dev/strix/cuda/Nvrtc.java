package dev.strix.cuda;

import static dev.strix.cuda.CTypes.*;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Map;

/**
 * NVRTC, the CUDA runtime compiler ({@code nvrtc.h} of CUDA 13.0, {@code libnvrtc.so.13}): compiles
 * CUDA C++ source to PTX or CUBIN at run time, for {@link CudaDriver#cuModuleLoadData}.
 *
 * <p>Hand-written FFM binding in the shape jextract generates: one static method per C function with
 * the C name, {@code nvrtcResult} codes as {@code int} constants with their C names, {@code size_t} as
 * {@code long}, the program handle and every pointer as a {@link MemorySegment} address. The return
 * value is the raw {@code nvrtcResult}; check it with {@link CudaCheck#nvrtc(String, int)}. The
 * library is loaded on the first call, not when this class loads.
 */
public final class Nvrtc {
    private Nvrtc() {
    }

    /** {@code NVRTC_SUCCESS}. */
    public static final int NVRTC_SUCCESS = 0;
    /** {@code NVRTC_ERROR_OUT_OF_MEMORY}. */
    public static final int NVRTC_ERROR_OUT_OF_MEMORY = 1;
    /** {@code NVRTC_ERROR_PROGRAM_CREATION_FAILURE}. */
    public static final int NVRTC_ERROR_PROGRAM_CREATION_FAILURE = 2;
    /** {@code NVRTC_ERROR_INVALID_INPUT}. */
    public static final int NVRTC_ERROR_INVALID_INPUT = 3;
    /** {@code NVRTC_ERROR_INVALID_PROGRAM}. */
    public static final int NVRTC_ERROR_INVALID_PROGRAM = 4;
    /** {@code NVRTC_ERROR_INVALID_OPTION}. */
    public static final int NVRTC_ERROR_INVALID_OPTION = 5;
    /** {@code NVRTC_ERROR_COMPILATION}: the source did not compile; the program log says why. */
    public static final int NVRTC_ERROR_COMPILATION = 6;
    /** {@code NVRTC_ERROR_INTERNAL_ERROR}. */
    public static final int NVRTC_ERROR_INTERNAL_ERROR = 11;

    /** C function name (the exported symbol) to its descriptor, in declaration order. */
    private static final Map<String, FunctionDescriptor> FUNCTIONS = new DescriptorTable()
            .status("nvrtcVersion", C_POINTER, C_POINTER)
            .status("nvrtcCreateProgram", C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER)
            .status("nvrtcDestroyProgram", C_POINTER)
            .status("nvrtcCompileProgram", C_POINTER, C_INT, C_POINTER)
            .status("nvrtcGetPTXSize", C_POINTER, C_POINTER)
            .status("nvrtcGetPTX", C_POINTER, C_POINTER)
            .status("nvrtcGetCUBINSize", C_POINTER, C_POINTER)
            .status("nvrtcGetCUBIN", C_POINTER, C_POINTER)
            .status("nvrtcGetProgramLogSize", C_POINTER, C_POINTER)
            .status("nvrtcGetProgramLog", C_POINTER, C_POINTER)
            .returning("nvrtcGetErrorString", C_POINTER, C_INT)
            .build();

    /**
     * @return every bound C function's name and descriptor, in declaration order (usable without the library)
     */
    public static Map<String, FunctionDescriptor> functions() {
        return FUNCTIONS;
    }

    /** @return true when {@code NVRTC} can be loaded on this machine */
    public static boolean isAvailable() {
        return CudaLibraries.tryLoad(CudaLibrary.NVRTC).isPresent();
    }

    /** Downcall handles, made once on first use; loading {@link Nvrtc} alone needs no library. */
    private static final class Handles {
        private static final Binder B = Binder.of(CudaLibrary.NVRTC, FUNCTIONS);

        static final MethodHandle nvrtcVersion = B.bind("nvrtcVersion");
        static final MethodHandle nvrtcCreateProgram = B.bind("nvrtcCreateProgram");
        static final MethodHandle nvrtcDestroyProgram = B.bind("nvrtcDestroyProgram");
        static final MethodHandle nvrtcCompileProgram = B.bind("nvrtcCompileProgram");
        static final MethodHandle nvrtcGetPTXSize = B.bind("nvrtcGetPTXSize");
        static final MethodHandle nvrtcGetPTX = B.bind("nvrtcGetPTX");
        static final MethodHandle nvrtcGetCUBINSize = B.bind("nvrtcGetCUBINSize");
        static final MethodHandle nvrtcGetCUBIN = B.bind("nvrtcGetCUBIN");
        static final MethodHandle nvrtcGetProgramLogSize = B.bind("nvrtcGetProgramLogSize");
        static final MethodHandle nvrtcGetProgramLog = B.bind("nvrtcGetProgramLog");
        static final MethodHandle nvrtcGetErrorString = B.bind("nvrtcGetErrorString");
    }

    /**
     * {@code nvrtcResult nvrtcVersion(int *major, int *minor)}
     */
    public static int nvrtcVersion(MemorySegment major, MemorySegment minor) {
        try {
            return (int) Handles.nvrtcVersion.invokeExact(major, minor);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code nvrtcResult nvrtcCreateProgram(nvrtcProgram *prog, const char *src, const char *name, int numHeaders, const char * const *headers, const char * const *includeNames)}
     */
    public static int nvrtcCreateProgram(MemorySegment prog, MemorySegment src, MemorySegment name, int numHeaders, MemorySegment headers, MemorySegment includeNames) {
        try {
            return (int) Handles.nvrtcCreateProgram.invokeExact(prog, src, name, numHeaders, headers, includeNames);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code nvrtcResult nvrtcDestroyProgram(nvrtcProgram *prog)}
     */
    public static int nvrtcDestroyProgram(MemorySegment prog) {
        try {
            return (int) Handles.nvrtcDestroyProgram.invokeExact(prog);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code nvrtcResult nvrtcCompileProgram(nvrtcProgram prog, int numOptions, const char * const *options)}
     */
    public static int nvrtcCompileProgram(MemorySegment prog, int numOptions, MemorySegment options) {
        try {
            return (int) Handles.nvrtcCompileProgram.invokeExact(prog, numOptions, options);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code nvrtcResult nvrtcGetPTXSize(nvrtcProgram prog, size_t *ptxSizeRet)}
     */
    public static int nvrtcGetPTXSize(MemorySegment prog, MemorySegment ptxSizeRet) {
        try {
            return (int) Handles.nvrtcGetPTXSize.invokeExact(prog, ptxSizeRet);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code nvrtcResult nvrtcGetPTX(nvrtcProgram prog, char *ptx)}
     */
    public static int nvrtcGetPTX(MemorySegment prog, MemorySegment ptx) {
        try {
            return (int) Handles.nvrtcGetPTX.invokeExact(prog, ptx);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code nvrtcResult nvrtcGetCUBINSize(nvrtcProgram prog, size_t *cubinSizeRet)}
     */
    public static int nvrtcGetCUBINSize(MemorySegment prog, MemorySegment cubinSizeRet) {
        try {
            return (int) Handles.nvrtcGetCUBINSize.invokeExact(prog, cubinSizeRet);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code nvrtcResult nvrtcGetCUBIN(nvrtcProgram prog, char *cubin)}
     */
    public static int nvrtcGetCUBIN(MemorySegment prog, MemorySegment cubin) {
        try {
            return (int) Handles.nvrtcGetCUBIN.invokeExact(prog, cubin);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code nvrtcResult nvrtcGetProgramLogSize(nvrtcProgram prog, size_t *logSizeRet)}
     */
    public static int nvrtcGetProgramLogSize(MemorySegment prog, MemorySegment logSizeRet) {
        try {
            return (int) Handles.nvrtcGetProgramLogSize.invokeExact(prog, logSizeRet);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code nvrtcResult nvrtcGetProgramLog(nvrtcProgram prog, char *log)}
     */
    public static int nvrtcGetProgramLog(MemorySegment prog, MemorySegment log) {
        try {
            return (int) Handles.nvrtcGetProgramLog.invokeExact(prog, log);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code const char* nvrtcGetErrorString(nvrtcResult result)}
     */
    public static MemorySegment nvrtcGetErrorString(int result) {
        try {
            return (MemorySegment) Handles.nvrtcGetErrorString.invokeExact(result);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }
}
