package dev.strix.cuda;

import static dev.strix.cuda.CTypes.*;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Map;

/**
 * The CUDA runtime API ({@code cuda_runtime_api.h} of CUDA 13.0, {@code libcudart.so.13}; the
 * functions bound here have the same signatures in CUDA 12): devices, memory, streams, events and
 * CUDA graphs.
 *
 * <p>Hand-written FFM binding in the shape jextract generates: one static method per C function with
 * the C name, C enums as {@code int} constants with their C names, {@code size_t} as {@code long},
 * every pointer and handle ({@code cudaStream_t}, {@code cudaEvent_t}, {@code cudaGraph_t},
 * {@code cudaGraphExec_t}) as a {@link MemorySegment} address. The return value is the raw
 * {@code cudaError_t}; check it with {@link CudaCheck#runtime(String, int)}, e.g.
 * {@code CudaCheck.runtime("cudaMalloc", CudaRuntime.cudaMalloc(ptr, bytes))}. The library is
 * loaded on the first call, not when this class loads.
 *
 * <p>Device properties are read one attribute at a time with {@link #cudaDeviceGetAttribute}
 * ({@code cudaDevAttr*} constants), whose meaning is stable across versions, rather than through
 * the {@code cudaDeviceProp} struct, whose layout changes between CUDA versions.
 */
public final class CudaRuntime {
    private CudaRuntime() {
    }

    /** {@code cudaSuccess}. */
    public static final int cudaSuccess = 0;
    /** {@code cudaErrorInvalidValue}. */
    public static final int cudaErrorInvalidValue = 1;
    /** {@code cudaErrorMemoryAllocation}. */
    public static final int cudaErrorMemoryAllocation = 2;
    /** {@code cudaErrorInitializationError}. */
    public static final int cudaErrorInitializationError = 3;
    /** {@code cudaErrorStubLibrary}: the libcuda found is a link-time stub. */
    public static final int cudaErrorStubLibrary = 34;
    /** {@code cudaErrorInsufficientDriver}: no driver, or one older than the runtime. */
    public static final int cudaErrorInsufficientDriver = 35;
    /** {@code cudaErrorNoDevice}. */
    public static final int cudaErrorNoDevice = 100;
    /** {@code cudaErrorNotReady} (a query whose work has not finished; not a failure). */
    public static final int cudaErrorNotReady = 600;
    /** {@code cudaErrorUnknown}. */
    public static final int cudaErrorUnknown = 999;

    /** {@code cudaMemcpyHostToHost}. */
    public static final int cudaMemcpyHostToHost = 0;
    /** {@code cudaMemcpyHostToDevice}. */
    public static final int cudaMemcpyHostToDevice = 1;
    /** {@code cudaMemcpyDeviceToHost}. */
    public static final int cudaMemcpyDeviceToHost = 2;
    /** {@code cudaMemcpyDeviceToDevice}. */
    public static final int cudaMemcpyDeviceToDevice = 3;
    /** {@code cudaMemcpyDefault} (direction inferred from the pointers). */
    public static final int cudaMemcpyDefault = 4;

    /** {@code cudaStreamDefault}. */
    public static final int cudaStreamDefault = 0x00;
    /** {@code cudaStreamNonBlocking}: no implicit synchronisation with the legacy default stream. */
    public static final int cudaStreamNonBlocking = 0x01;

    /** {@code cudaEventDefault}. */
    public static final int cudaEventDefault = 0x00;
    /** {@code cudaEventBlockingSync}. */
    public static final int cudaEventBlockingSync = 0x01;
    /** {@code cudaEventDisableTiming}. */
    public static final int cudaEventDisableTiming = 0x02;

    /** {@code cudaStreamCaptureModeGlobal}. */
    public static final int cudaStreamCaptureModeGlobal = 0;
    /** {@code cudaStreamCaptureModeThreadLocal}. */
    public static final int cudaStreamCaptureModeThreadLocal = 1;
    /** {@code cudaStreamCaptureModeRelaxed}. */
    public static final int cudaStreamCaptureModeRelaxed = 2;

    /** {@code cudaGraphInstantiateFlagAutoFreeOnLaunch}. */
    public static final long cudaGraphInstantiateFlagAutoFreeOnLaunch = 1;
    /** {@code cudaGraphInstantiateFlagUpload}. */
    public static final long cudaGraphInstantiateFlagUpload = 2;
    /** {@code cudaGraphInstantiateFlagUseNodePriority}. */
    public static final long cudaGraphInstantiateFlagUseNodePriority = 8;

    /** {@code cudaDevAttrMaxThreadsPerBlock}. */
    public static final int cudaDevAttrMaxThreadsPerBlock = 1;
    /** {@code cudaDevAttrMaxSharedMemoryPerBlock}. */
    public static final int cudaDevAttrMaxSharedMemoryPerBlock = 8;
    /** {@code cudaDevAttrWarpSize}. */
    public static final int cudaDevAttrWarpSize = 10;
    /** {@code cudaDevAttrMaxRegistersPerBlock}. */
    public static final int cudaDevAttrMaxRegistersPerBlock = 12;
    /** {@code cudaDevAttrClockRate} (kHz). */
    public static final int cudaDevAttrClockRate = 13;
    /** {@code cudaDevAttrMultiProcessorCount}. */
    public static final int cudaDevAttrMultiProcessorCount = 16;
    /** {@code cudaDevAttrMemoryClockRate} (kHz). */
    public static final int cudaDevAttrMemoryClockRate = 36;
    /** {@code cudaDevAttrGlobalMemoryBusWidth} (bits). */
    public static final int cudaDevAttrGlobalMemoryBusWidth = 37;
    /** {@code cudaDevAttrL2CacheSize} (bytes). */
    public static final int cudaDevAttrL2CacheSize = 38;
    /** {@code cudaDevAttrMaxThreadsPerMultiProcessor}. */
    public static final int cudaDevAttrMaxThreadsPerMultiProcessor = 39;
    /** {@code cudaDevAttrComputeCapabilityMajor}. */
    public static final int cudaDevAttrComputeCapabilityMajor = 75;
    /** {@code cudaDevAttrComputeCapabilityMinor}. */
    public static final int cudaDevAttrComputeCapabilityMinor = 76;
    /** {@code cudaDevAttrMaxSharedMemoryPerMultiprocessor} (bytes). */
    public static final int cudaDevAttrMaxSharedMemoryPerMultiprocessor = 81;
    /** {@code cudaDevAttrMaxSharedMemoryPerBlockOptin} (bytes). */
    public static final int cudaDevAttrMaxSharedMemoryPerBlockOptin = 97;
    /** {@code cudaDevAttrMaxBlocksPerMultiprocessor}. */
    public static final int cudaDevAttrMaxBlocksPerMultiprocessor = 106;

    /** The legacy default stream ({@code cudaStreamLegacy}, {@code (cudaStream_t)0x1}). */
    public static final MemorySegment cudaStreamLegacy = MemorySegment.ofAddress(0x1);
    /** The per-thread default stream ({@code cudaStreamPerThread}, {@code (cudaStream_t)0x2}). */
    public static final MemorySegment cudaStreamPerThread = MemorySegment.ofAddress(0x2);

    /** C function name (the exported symbol) to its descriptor, in declaration order. */
    private static final Map<String, FunctionDescriptor> FUNCTIONS = new DescriptorTable()
            .status("cudaGetDeviceCount", C_POINTER)
            .status("cudaGetDevice", C_POINTER)
            .status("cudaSetDevice", C_INT)
            .status("cudaDeviceGetAttribute", C_POINTER, C_INT, C_INT)
            .status("cudaDeviceSynchronize")
            .status("cudaRuntimeGetVersion", C_POINTER)
            .status("cudaDriverGetVersion", C_POINTER)
            .status("cudaMemGetInfo", C_POINTER, C_POINTER)
            .status("cudaMalloc", C_POINTER, C_SIZE_T)
            .status("cudaFree", C_POINTER)
            .status("cudaMallocHost", C_POINTER, C_SIZE_T)
            .status("cudaFreeHost", C_POINTER)
            .status("cudaMallocAsync", C_POINTER, C_SIZE_T, C_POINTER)
            .status("cudaFreeAsync", C_POINTER, C_POINTER)
            .status("cudaMemcpy", C_POINTER, C_POINTER, C_SIZE_T, C_INT)
            .status("cudaMemcpyAsync", C_POINTER, C_POINTER, C_SIZE_T, C_INT, C_POINTER)
            .status("cudaMemset", C_POINTER, C_INT, C_SIZE_T)
            .status("cudaMemsetAsync", C_POINTER, C_INT, C_SIZE_T, C_POINTER)
            .status("cudaStreamCreate", C_POINTER)
            .status("cudaStreamCreateWithFlags", C_POINTER, C_INT)
            .status("cudaStreamDestroy", C_POINTER)
            .status("cudaStreamSynchronize", C_POINTER)
            .status("cudaStreamWaitEvent", C_POINTER, C_POINTER, C_INT)
            .status("cudaEventCreate", C_POINTER)
            .status("cudaEventCreateWithFlags", C_POINTER, C_INT)
            .status("cudaEventRecord", C_POINTER, C_POINTER)
            .status("cudaEventSynchronize", C_POINTER)
            .status("cudaEventElapsedTime", C_POINTER, C_POINTER, C_POINTER)
            .status("cudaEventDestroy", C_POINTER)
            .status("cudaStreamBeginCapture", C_POINTER, C_INT)
            .status("cudaStreamEndCapture", C_POINTER, C_POINTER)
            .status("cudaGraphInstantiate", C_POINTER, C_POINTER, C_LONG_LONG)
            .status("cudaGraphLaunch", C_POINTER, C_POINTER)
            .status("cudaGraphExecDestroy", C_POINTER)
            .status("cudaGraphDestroy", C_POINTER)
            .status("cudaGetLastError")
            .status("cudaPeekAtLastError")
            .returning("cudaGetErrorName", C_POINTER, C_INT)
            .returning("cudaGetErrorString", C_POINTER, C_INT)
            .build();

    /**
     * @return every bound C function's name and descriptor, in declaration order (usable without the library)
     */
    public static Map<String, FunctionDescriptor> functions() {
        return FUNCTIONS;
    }

    /** @return true when {@code RUNTIME} can be loaded on this machine */
    public static boolean isAvailable() {
        return CudaLibraries.tryLoad(CudaLibrary.RUNTIME).isPresent();
    }

    /** Downcall handles, made once on first use; loading {@link CudaRuntime} alone needs no library. */
    private static final class Handles {
        private static final Binder B = Binder.of(CudaLibrary.RUNTIME, FUNCTIONS);

        static final MethodHandle cudaGetDeviceCount = B.bind("cudaGetDeviceCount");
        static final MethodHandle cudaGetDevice = B.bind("cudaGetDevice");
        static final MethodHandle cudaSetDevice = B.bind("cudaSetDevice");
        static final MethodHandle cudaDeviceGetAttribute = B.bind("cudaDeviceGetAttribute");
        static final MethodHandle cudaDeviceSynchronize = B.bind("cudaDeviceSynchronize");
        static final MethodHandle cudaRuntimeGetVersion = B.bind("cudaRuntimeGetVersion");
        static final MethodHandle cudaDriverGetVersion = B.bind("cudaDriverGetVersion");
        static final MethodHandle cudaMemGetInfo = B.bind("cudaMemGetInfo");
        static final MethodHandle cudaMalloc = B.bind("cudaMalloc");
        static final MethodHandle cudaFree = B.bind("cudaFree");
        static final MethodHandle cudaMallocHost = B.bind("cudaMallocHost");
        static final MethodHandle cudaFreeHost = B.bind("cudaFreeHost");
        static final MethodHandle cudaMallocAsync = B.bind("cudaMallocAsync");
        static final MethodHandle cudaFreeAsync = B.bind("cudaFreeAsync");
        static final MethodHandle cudaMemcpy = B.bind("cudaMemcpy");
        static final MethodHandle cudaMemcpyAsync = B.bind("cudaMemcpyAsync");
        static final MethodHandle cudaMemset = B.bind("cudaMemset");
        static final MethodHandle cudaMemsetAsync = B.bind("cudaMemsetAsync");
        static final MethodHandle cudaStreamCreate = B.bind("cudaStreamCreate");
        static final MethodHandle cudaStreamCreateWithFlags = B.bind("cudaStreamCreateWithFlags");
        static final MethodHandle cudaStreamDestroy = B.bind("cudaStreamDestroy");
        static final MethodHandle cudaStreamSynchronize = B.bind("cudaStreamSynchronize");
        static final MethodHandle cudaStreamWaitEvent = B.bind("cudaStreamWaitEvent");
        static final MethodHandle cudaEventCreate = B.bind("cudaEventCreate");
        static final MethodHandle cudaEventCreateWithFlags = B.bind("cudaEventCreateWithFlags");
        static final MethodHandle cudaEventRecord = B.bind("cudaEventRecord");
        static final MethodHandle cudaEventSynchronize = B.bind("cudaEventSynchronize");
        static final MethodHandle cudaEventElapsedTime = B.bind("cudaEventElapsedTime");
        static final MethodHandle cudaEventDestroy = B.bind("cudaEventDestroy");
        static final MethodHandle cudaStreamBeginCapture = B.bind("cudaStreamBeginCapture");
        static final MethodHandle cudaStreamEndCapture = B.bind("cudaStreamEndCapture");
        static final MethodHandle cudaGraphInstantiate = B.bind("cudaGraphInstantiate");
        static final MethodHandle cudaGraphLaunch = B.bind("cudaGraphLaunch");
        static final MethodHandle cudaGraphExecDestroy = B.bind("cudaGraphExecDestroy");
        static final MethodHandle cudaGraphDestroy = B.bind("cudaGraphDestroy");
        static final MethodHandle cudaGetLastError = B.bind("cudaGetLastError");
        static final MethodHandle cudaPeekAtLastError = B.bind("cudaPeekAtLastError");
        static final MethodHandle cudaGetErrorName = B.bind("cudaGetErrorName");
        static final MethodHandle cudaGetErrorString = B.bind("cudaGetErrorString");
    }

    /**
     * {@code cudaError_t cudaGetDeviceCount(int *count)}
     */
    public static int cudaGetDeviceCount(MemorySegment count) {
        try {
            return (int) Handles.cudaGetDeviceCount.invokeExact(count);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaGetDevice(int *device)}
     */
    public static int cudaGetDevice(MemorySegment device) {
        try {
            return (int) Handles.cudaGetDevice.invokeExact(device);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaSetDevice(int device)}
     */
    public static int cudaSetDevice(int device) {
        try {
            return (int) Handles.cudaSetDevice.invokeExact(device);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaDeviceGetAttribute(int *value, enum cudaDeviceAttr attr, int device)}
     */
    public static int cudaDeviceGetAttribute(MemorySegment value, int attr, int device) {
        try {
            return (int) Handles.cudaDeviceGetAttribute.invokeExact(value, attr, device);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaDeviceSynchronize(void)}
     */
    public static int cudaDeviceSynchronize() {
        try {
            return (int) Handles.cudaDeviceSynchronize.invokeExact();
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaRuntimeGetVersion(int *runtimeVersion)}
     */
    public static int cudaRuntimeGetVersion(MemorySegment runtimeVersion) {
        try {
            return (int) Handles.cudaRuntimeGetVersion.invokeExact(runtimeVersion);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaDriverGetVersion(int *driverVersion)}
     */
    public static int cudaDriverGetVersion(MemorySegment driverVersion) {
        try {
            return (int) Handles.cudaDriverGetVersion.invokeExact(driverVersion);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaMemGetInfo(size_t *free, size_t *total)}
     */
    public static int cudaMemGetInfo(MemorySegment free, MemorySegment total) {
        try {
            return (int) Handles.cudaMemGetInfo.invokeExact(free, total);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaMalloc(void **devPtr, size_t size)}
     */
    public static int cudaMalloc(MemorySegment devPtr, long size) {
        try {
            return (int) Handles.cudaMalloc.invokeExact(devPtr, size);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaFree(void *devPtr)}
     */
    public static int cudaFree(MemorySegment devPtr) {
        try {
            return (int) Handles.cudaFree.invokeExact(devPtr);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaMallocHost(void **ptr, size_t size)}
     */
    public static int cudaMallocHost(MemorySegment ptr, long size) {
        try {
            return (int) Handles.cudaMallocHost.invokeExact(ptr, size);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaFreeHost(void *ptr)}
     */
    public static int cudaFreeHost(MemorySegment ptr) {
        try {
            return (int) Handles.cudaFreeHost.invokeExact(ptr);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaMallocAsync(void **devPtr, size_t size, cudaStream_t hStream)}
     */
    public static int cudaMallocAsync(MemorySegment devPtr, long size, MemorySegment hStream) {
        try {
            return (int) Handles.cudaMallocAsync.invokeExact(devPtr, size, hStream);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaFreeAsync(void *devPtr, cudaStream_t hStream)}
     */
    public static int cudaFreeAsync(MemorySegment devPtr, MemorySegment hStream) {
        try {
            return (int) Handles.cudaFreeAsync.invokeExact(devPtr, hStream);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)}
     */
    public static int cudaMemcpy(MemorySegment dst, MemorySegment src, long count, int kind) {
        try {
            return (int) Handles.cudaMemcpy.invokeExact(dst, src, count, kind);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind, cudaStream_t stream)}
     */
    public static int cudaMemcpyAsync(MemorySegment dst, MemorySegment src, long count, int kind, MemorySegment stream) {
        try {
            return (int) Handles.cudaMemcpyAsync.invokeExact(dst, src, count, kind, stream);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaMemset(void *devPtr, int value, size_t count)}
     */
    public static int cudaMemset(MemorySegment devPtr, int value, long count) {
        try {
            return (int) Handles.cudaMemset.invokeExact(devPtr, value, count);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count, cudaStream_t stream)}
     */
    public static int cudaMemsetAsync(MemorySegment devPtr, int value, long count, MemorySegment stream) {
        try {
            return (int) Handles.cudaMemsetAsync.invokeExact(devPtr, value, count, stream);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaStreamCreate(cudaStream_t *pStream)}
     */
    public static int cudaStreamCreate(MemorySegment pStream) {
        try {
            return (int) Handles.cudaStreamCreate.invokeExact(pStream);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaStreamCreateWithFlags(cudaStream_t *pStream, unsigned int flags)}
     */
    public static int cudaStreamCreateWithFlags(MemorySegment pStream, int flags) {
        try {
            return (int) Handles.cudaStreamCreateWithFlags.invokeExact(pStream, flags);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaStreamDestroy(cudaStream_t stream)}
     */
    public static int cudaStreamDestroy(MemorySegment stream) {
        try {
            return (int) Handles.cudaStreamDestroy.invokeExact(stream);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaStreamSynchronize(cudaStream_t stream)}
     */
    public static int cudaStreamSynchronize(MemorySegment stream) {
        try {
            return (int) Handles.cudaStreamSynchronize.invokeExact(stream);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags)}
     */
    public static int cudaStreamWaitEvent(MemorySegment stream, MemorySegment event, int flags) {
        try {
            return (int) Handles.cudaStreamWaitEvent.invokeExact(stream, event, flags);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaEventCreate(cudaEvent_t *event)}
     */
    public static int cudaEventCreate(MemorySegment event) {
        try {
            return (int) Handles.cudaEventCreate.invokeExact(event);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags)}
     */
    public static int cudaEventCreateWithFlags(MemorySegment event, int flags) {
        try {
            return (int) Handles.cudaEventCreateWithFlags.invokeExact(event, flags);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream)}
     */
    public static int cudaEventRecord(MemorySegment event, MemorySegment stream) {
        try {
            return (int) Handles.cudaEventRecord.invokeExact(event, stream);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaEventSynchronize(cudaEvent_t event)}
     */
    public static int cudaEventSynchronize(MemorySegment event) {
        try {
            return (int) Handles.cudaEventSynchronize.invokeExact(event);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end)}
     */
    public static int cudaEventElapsedTime(MemorySegment ms, MemorySegment start, MemorySegment end) {
        try {
            return (int) Handles.cudaEventElapsedTime.invokeExact(ms, start, end);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaEventDestroy(cudaEvent_t event)}
     */
    public static int cudaEventDestroy(MemorySegment event) {
        try {
            return (int) Handles.cudaEventDestroy.invokeExact(event);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaStreamBeginCapture(cudaStream_t stream, enum cudaStreamCaptureMode mode)}
     */
    public static int cudaStreamBeginCapture(MemorySegment stream, int mode) {
        try {
            return (int) Handles.cudaStreamBeginCapture.invokeExact(stream, mode);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t *pGraph)}
     */
    public static int cudaStreamEndCapture(MemorySegment stream, MemorySegment pGraph) {
        try {
            return (int) Handles.cudaStreamEndCapture.invokeExact(stream, pGraph);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaGraphInstantiate(cudaGraphExec_t *pGraphExec, cudaGraph_t graph, unsigned long long flags)}
     */
    public static int cudaGraphInstantiate(MemorySegment pGraphExec, MemorySegment graph, long flags) {
        try {
            return (int) Handles.cudaGraphInstantiate.invokeExact(pGraphExec, graph, flags);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaGraphLaunch(cudaGraphExec_t graphExec, cudaStream_t stream)}
     */
    public static int cudaGraphLaunch(MemorySegment graphExec, MemorySegment stream) {
        try {
            return (int) Handles.cudaGraphLaunch.invokeExact(graphExec, stream);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaGraphExecDestroy(cudaGraphExec_t graphExec)}
     */
    public static int cudaGraphExecDestroy(MemorySegment graphExec) {
        try {
            return (int) Handles.cudaGraphExecDestroy.invokeExact(graphExec);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaGraphDestroy(cudaGraph_t graph)}
     */
    public static int cudaGraphDestroy(MemorySegment graph) {
        try {
            return (int) Handles.cudaGraphDestroy.invokeExact(graph);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaGetLastError(void)}
     */
    public static int cudaGetLastError() {
        try {
            return (int) Handles.cudaGetLastError.invokeExact();
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code cudaError_t cudaPeekAtLastError(void)}
     */
    public static int cudaPeekAtLastError() {
        try {
            return (int) Handles.cudaPeekAtLastError.invokeExact();
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code const char* cudaGetErrorName(cudaError_t error)}
     */
    public static MemorySegment cudaGetErrorName(int error) {
        try {
            return (MemorySegment) Handles.cudaGetErrorName.invokeExact(error);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /**
     * {@code const char* cudaGetErrorString(cudaError_t error)}
     */
    public static MemorySegment cudaGetErrorString(int error) {
        try {
            return (MemorySegment) Handles.cudaGetErrorString.invokeExact(error);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }
}
