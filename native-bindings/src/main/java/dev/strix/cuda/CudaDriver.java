package dev.strix.cuda;

import static dev.strix.cuda.CTypes.*;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Map;

/**
 * The CUDA driver API ({@code cuda.h} of CUDA 13.0, {@code libcuda.so.1}): initialisation, devices,
 * the primary context, modules loaded from PTX and kernel launches.
 *
 * <p>Hand-written FFM binding in the shape jextract generates: one static method per C function with
 * the C name (the exported symbol, so {@code cuDevicePrimaryCtxRelease} is bound as the
 * {@code cuDevicePrimaryCtxRelease_v2} that {@code cuda.h} maps it to), C enums as {@code int}
 * constants, every handle ({@code CUcontext}, {@code CUmodule}, {@code CUfunction}, {@code CUstream})
 * as a {@link MemorySegment} address; {@code CUdevice} is an {@code int}. The return value is the raw
 * {@code CUresult}; check it with {@link CudaCheck#driver(String, int)}. The library is loaded on the
 * first call, not when this class loads.
 *
 * <p>Kernel parameters for {@link #cuLaunchKernel} are a {@code void*} array ({@link #KERNEL_PARAMS})
 * whose entries point at each argument's value; {@link KernelParams} builds one.
 */
public final class CudaDriver {
    private CudaDriver() {
    }

    /** {@code CUDA_SUCCESS}. */
    public static final int CUDA_SUCCESS = 0;
    /** {@code CUDA_ERROR_INVALID_VALUE}. */
    public static final int CUDA_ERROR_INVALID_VALUE = 1;
    /** {@code CUDA_ERROR_OUT_OF_MEMORY}. */
    public static final int CUDA_ERROR_OUT_OF_MEMORY = 2;
    /** {@code CUDA_ERROR_NOT_INITIALIZED}. */
    public static final int CUDA_ERROR_NOT_INITIALIZED = 3;
    /** {@code CUDA_ERROR_STUB_LIBRARY}: the loaded libcuda is a link-time stub. */
    public static final int CUDA_ERROR_STUB_LIBRARY = 34;
    /** {@code CUDA_ERROR_DEVICE_UNAVAILABLE}. */
    public static final int CUDA_ERROR_DEVICE_UNAVAILABLE = 46;
    /** {@code CUDA_ERROR_NO_DEVICE}. */
    public static final int CUDA_ERROR_NO_DEVICE = 100;
    /** {@code CUDA_ERROR_INVALID_PTX}. */
    public static final int CUDA_ERROR_INVALID_PTX = 218;
    /** {@code CUDA_ERROR_UNSUPPORTED_PTX_VERSION}: the PTX is newer than the driver. */
    public static final int CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222;
    /** {@code CUDA_ERROR_NOT_FOUND} (e.g. no kernel of that name in the module). */
    public static final int CUDA_ERROR_NOT_FOUND = 500;
    /** {@code CUDA_ERROR_SYSTEM_DRIVER_MISMATCH}. */
    public static final int CUDA_ERROR_SYSTEM_DRIVER_MISMATCH = 803;

    /** {@code CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK}. */
    public static final int CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 1;
    /** {@code CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT}. */
    public static final int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    /** {@code CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR}. */
    public static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    /** {@code CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR}. */
    public static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;

    /** {@code CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES}. */
    public static final int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;

    /** Layout of {@code kernelParams}/{@code extra} entries of {@link #cuLaunchKernel}: {@code void*}. */
    public static final java.lang.foreign.AddressLayout KERNEL_PARAMS = C_POINTER;

    /** C function name (the exported symbol) to its descriptor, in declaration order. */
    private static final Map<String, FunctionDescriptor> FUNCTIONS = new DescriptorTable()
            .status("cuInit", C_INT)
            .status("cuDriverGetVersion", C_POINTER)
            .status("cuDeviceGet", C_POINTER, C_INT)
            .status("cuDeviceGetCount", C_POINTER)
            .status("cuDeviceGetName", C_POINTER, C_INT, C_INT)
            .status("cuDeviceGetAttribute", C_POINTER, C_INT, C_INT)
            .status("cuDeviceTotalMem_v2", C_POINTER, C_INT)
            .status("cuDevicePrimaryCtxRetain", C_POINTER, C_INT)
            .status("cuDevicePrimaryCtxRelease_v2", C_INT)
            .status("cuCtxSetCurrent", C_POINTER)
            .status("cuCtxGetCurrent", C_POINTER)
            .status("cuCtxSynchronize")
            .status("cuModuleLoadData", C_POINTER, C_POINTER)
            .status("cuModuleUnload", C_POINTER)
            .status("cuModuleGetFunction", C_POINTER, C_POINTER, C_POINTER)
            .status("cuFuncSetAttribute", C_POINTER, C_INT, C_INT)
            .status("cuLaunchKernel", C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER, C_POINTER)
            .status("cuGetErrorName", C_INT, C_POINTER)
            .status("cuGetErrorString", C_INT, C_POINTER)
            .build();

    /**
     * @return every bound C function's name and descriptor, in declaration order (usable without the library)
     */
    public static Map<String, FunctionDescriptor> functions() {
        return FUNCTIONS;
    }

    /** @return true when {@code DRIVER} can be loaded on this machine */
    public static boolean isAvailable() {
        return CudaLibraries.tryLoad(CudaLibrary.DRIVER).isPresent();
    }

    /** Downcall handles, made once on first use; loading {@link CudaDriver} alone needs no library. */
    private static final class Handles {
        private static final Binder B = Binder.of(CudaLibrary.DRIVER, FUNCTIONS);

        static final MethodHandle cuInit = B.bind("cuInit");
        static final MethodHandle cuDriverGetVersion = B.bind("cuDriverGetVersion");
        static final MethodHandle cuDeviceGet = B.bind("cuDeviceGet");
        static final MethodHandle cuDeviceGetCount = B.bind("cuDeviceGetCount");
        static final MethodHandle cuDeviceGetName = B.bind("cuDeviceGetName");
        static final MethodHandle cuDeviceGetAttribute = B.bind("cuDeviceGetAttribute");
        static final MethodHandle cuDeviceTotalMem_v2 = B.bind("cuDeviceTotalMem_v2");
        static final MethodHandle cuDevicePrimaryCtxRetain = B.bind("cuDevicePrimaryCtxRetain");
        static final MethodHandle cuDevicePrimaryCtxRelease_v2 = B.bind("cuDevicePrimaryCtxRelease_v2");
        static final MethodHandle cuCtxSetCurrent = B.bind("cuCtxSetCurrent");
        static final MethodHandle cuCtxGetCurrent = B.bind("cuCtxGetCurrent");
        static final MethodHandle cuCtxSynchronize = B.bind("cuCtxSynchronize");
        static final MethodHandle cuModuleLoadData = B.bind("cuModuleLoadData");
        static final MethodHandle cuModuleUnload = B.bind("cuModuleUnload");
        static final MethodHandle cuModuleGetFunction = B.bind("cuModuleGetFunction");
        static final MethodHandle cuFuncSetAttribute = B.bind("cuFuncSetAttribute");
        static final MethodHandle cuLaunchKernel = B.bind("cuLaunchKernel");
        static final MethodHandle cuGetErrorName = B.bind("cuGetErrorName");
        static final MethodHandle cuGetErrorString = B.bind("cuGetErrorString");
    }

    /**
     * {@code CUresult cuInit(unsigned int Flags)}
     */
    public static int cuInit(int Flags) {
        try {
            return (int) Handles.cuInit.invokeExact(Flags);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code CUresult cuDriverGetVersion(int *driverVersion)}
     */
    public static int cuDriverGetVersion(MemorySegment driverVersion) {
        try {
            return (int) Handles.cuDriverGetVersion.invokeExact(driverVersion);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code CUresult cuDeviceGet(CUdevice *device, int ordinal)}
     */
    public static int cuDeviceGet(MemorySegment device, int ordinal) {
        try {
            return (int) Handles.cuDeviceGet.invokeExact(device, ordinal);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code CUresult cuDeviceGetCount(int *count)}
     */
    public static int cuDeviceGetCount(MemorySegment count) {
        try {
            return (int) Handles.cuDeviceGetCount.invokeExact(count);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code CUresult cuDeviceGetName(char *name, int len, CUdevice dev)}
     */
    public static int cuDeviceGetName(MemorySegment name, int len, int dev) {
        try {
            return (int) Handles.cuDeviceGetName.invokeExact(name, len, dev);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code CUresult cuDeviceGetAttribute(int *pi, CUdevice_attribute attrib, CUdevice dev)}
     */
    public static int cuDeviceGetAttribute(MemorySegment pi, int attrib, int dev) {
        try {
            return (int) Handles.cuDeviceGetAttribute.invokeExact(pi, attrib, dev);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev)} ({@code cuDeviceTotalMem} in {@code cuda.h})
     */
    public static int cuDeviceTotalMem_v2(MemorySegment bytes, int dev) {
        try {
            return (int) Handles.cuDeviceTotalMem_v2.invokeExact(bytes, dev);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev)}
     */
    public static int cuDevicePrimaryCtxRetain(MemorySegment pctx, int dev) {
        try {
            return (int) Handles.cuDevicePrimaryCtxRetain.invokeExact(pctx, dev);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev)}
     */
    public static int cuDevicePrimaryCtxRelease_v2(int dev) {
        try {
            return (int) Handles.cuDevicePrimaryCtxRelease_v2.invokeExact(dev);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code CUresult cuCtxSetCurrent(CUcontext ctx)}
     */
    public static int cuCtxSetCurrent(MemorySegment ctx) {
        try {
            return (int) Handles.cuCtxSetCurrent.invokeExact(ctx);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code CUresult cuCtxGetCurrent(CUcontext *pctx)}
     */
    public static int cuCtxGetCurrent(MemorySegment pctx) {
        try {
            return (int) Handles.cuCtxGetCurrent.invokeExact(pctx);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code CUresult cuCtxSynchronize(void)}
     */
    public static int cuCtxSynchronize() {
        try {
            return (int) Handles.cuCtxSynchronize.invokeExact();
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code CUresult cuModuleLoadData(CUmodule *module, const void *image)}
     */
    public static int cuModuleLoadData(MemorySegment module, MemorySegment image) {
        try {
            return (int) Handles.cuModuleLoadData.invokeExact(module, image);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code CUresult cuModuleUnload(CUmodule hmod)}
     */
    public static int cuModuleUnload(MemorySegment hmod) {
        try {
            return (int) Handles.cuModuleUnload.invokeExact(hmod);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name)}
     */
    public static int cuModuleGetFunction(MemorySegment hfunc, MemorySegment hmod, MemorySegment name) {
        try {
            return (int) Handles.cuModuleGetFunction.invokeExact(hfunc, hmod, name);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code CUresult cuFuncSetAttribute(CUfunction hfunc, CUfunction_attribute attrib, int value)}
     */
    public static int cuFuncSetAttribute(MemorySegment hfunc, int attrib, int value) {
        try {
            return (int) Handles.cuFuncSetAttribute.invokeExact(hfunc, attrib, value);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ, unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ, unsigned int sharedMemBytes, CUstream hStream, void **kernelParams, void **extra)}
     */
    public static int cuLaunchKernel(MemorySegment f, int gridDimX, int gridDimY, int gridDimZ, int blockDimX, int blockDimY, int blockDimZ, int sharedMemBytes, MemorySegment hStream, MemorySegment kernelParams, MemorySegment extra) {
        try {
            return (int) Handles.cuLaunchKernel.invokeExact(f, gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ, sharedMemBytes, hStream, kernelParams, extra);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code CUresult cuGetErrorName(CUresult error, const char **pStr)}
     */
    public static int cuGetErrorName(int error, MemorySegment pStr) {
        try {
            return (int) Handles.cuGetErrorName.invokeExact(error, pStr);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code CUresult cuGetErrorString(CUresult error, const char **pStr)}
     */
    public static int cuGetErrorString(int error, MemorySegment pStr) {
        try {
            return (int) Handles.cuGetErrorString.invokeExact(error, pStr);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }
}
