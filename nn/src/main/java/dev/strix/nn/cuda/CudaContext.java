package dev.strix.nn.cuda;

import dev.strix.cuda.CTypes;
import dev.strix.cuda.CudaAvailability;
import dev.strix.cuda.CudaCheck;
import dev.strix.cuda.CudaDriver;
import dev.strix.cuda.CudaRuntime;
import dev.strix.cuda.Cublas;
import dev.strix.cuda.Cudnn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * What one GPU needs before work can be queued on it: the device's primary context, one stream that every op
 * of the device runs on, a cuBLAS handle and a cuDNN handle bound to that stream.
 *
 * <p>The primary context is the one the CUDA runtime uses too, so runtime calls ({@code cudaMalloc},
 * {@code cudaMemcpyAsync}), driver calls ({@code cuLaunchKernel}) and the libraries all see the same memory.
 * A thread must have the context current before calling into CUDA: {@link #makeCurrent()} does that once per
 * thread and is cheap afterwards, and every op of {@link CudaDevice} calls it first.
 *
 * <p>cuBLAS runs in TF32 tensor-op mode unless {@link #setStrictFp32(boolean) strict FP32} is chosen (also by
 * the system property {@code strix.cuda.strict=true}).
 */
public final class CudaContext implements AutoCloseable {
    private static final ThreadLocal<CudaContext> CURRENT = new ThreadLocal<>();

    private final int index;
    private final MemorySegment context;
    private final MemorySegment stream;
    private final MemorySegment cublas;
    private final MemorySegment cudnn;
    private volatile boolean strictFp32;
    private volatile boolean closed;

    private CudaContext(int index, MemorySegment context, MemorySegment stream, MemorySegment cublas,
                        MemorySegment cudnn, boolean strictFp32) {
        this.index = index;
        this.context = context;
        this.stream = stream;
        this.cublas = cublas;
        this.cudnn = cudnn;
        this.strictFp32 = strictFp32;
    }

    /** True when the system property {@code strix.cuda.strict} asks for strict FP32 (no TF32). */
    public static boolean strictFp32ByDefault() {
        return Boolean.getBoolean("strix.cuda.strict");
    }

    /**
     * Opens device {@code index}: retains its primary context, makes it current on this thread, creates the
     * stream and the library handles.
     *
     * @param index device ordinal (0-based)
     * @return the context
     * @throws IllegalStateException when CUDA is not usable here (with the probe's reason) or the index is out of range
     */
    public static CudaContext open(int index) {
        CudaAvailability probe = CudaAvailability.probe();
        if (!probe.usable()) throw new IllegalStateException("CUDA is not usable: " + probe.reason());
        if (index < 0 || index >= probe.deviceCount())
            throw new IllegalArgumentException("no CUDA device " + index + ": " + probe.deviceCount()
                    + " device(s) present (" + probe.reason() + ")");
        boolean strict = strictFp32ByDefault();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(CTypes.C_POINTER);
            MemorySegment dev = arena.allocate(CTypes.C_INT);
            CudaCheck.driver("cuDeviceGet", CudaDriver.cuDeviceGet(dev, index));
            int device = dev.get(CTypes.C_INT, 0);
            CudaCheck.driver("cuDevicePrimaryCtxRetain", CudaDriver.cuDevicePrimaryCtxRetain(out, device));
            MemorySegment ctx = out.get(CTypes.C_POINTER, 0);
            CudaCheck.driver("cuCtxSetCurrent", CudaDriver.cuCtxSetCurrent(ctx));
            CudaCheck.runtime("cudaSetDevice", CudaRuntime.cudaSetDevice(index));
            CudaCheck.runtime("cudaStreamCreateWithFlags",
                    CudaRuntime.cudaStreamCreateWithFlags(out, CudaRuntime.cudaStreamNonBlocking));
            MemorySegment stream = out.get(CTypes.C_POINTER, 0);
            CudaCheck.cublas("cublasCreate_v2", Cublas.cublasCreate_v2(out));
            MemorySegment cublas = out.get(CTypes.C_POINTER, 0);
            CudaCheck.cublas("cublasSetStream_v2", Cublas.cublasSetStream_v2(cublas, stream));
            CudaCheck.cublas("cublasSetMathMode", Cublas.cublasSetMathMode(cublas, MathModes.cublasMathMode(strict)));
            CudaCheck.cudnn("cudnnCreate", Cudnn.cudnnCreate(out));
            MemorySegment cudnn = out.get(CTypes.C_POINTER, 0);
            CudaCheck.cudnn("cudnnSetStream", Cudnn.cudnnSetStream(cudnn, stream));
            CudaContext c = new CudaContext(index, ctx, stream, cublas, cudnn, strict);
            CURRENT.set(c);
            return c;
        }
    }

    /** Makes this context current on the calling thread (a no-op when it already is). */
    public void makeCurrent() {
        if (CURRENT.get() == this) return;
        if (closed) throw new IllegalStateException("cuda:" + index + " is closed");
        CudaCheck.driver("cuCtxSetCurrent", CudaDriver.cuCtxSetCurrent(context));
        CudaCheck.runtime("cudaSetDevice", CudaRuntime.cudaSetDevice(index));
        CURRENT.set(this);
    }

    /** Device ordinal. */
    public int index() {
        return index;
    }

    /** The primary context ({@code CUcontext}). */
    public MemorySegment context() {
        return context;
    }

    /** The stream every op of this device is queued on ({@code cudaStream_t}, also usable as {@code CUstream}). */
    public MemorySegment stream() {
        return stream;
    }

    /** The cuBLAS handle, bound to {@link #stream()}. */
    public MemorySegment cublas() {
        return cublas;
    }

    /** The cuDNN handle, bound to {@link #stream()}. */
    public MemorySegment cudnn() {
        return cudnn;
    }

    /** True when GEMMs and convolutions must not use TF32. */
    public boolean strictFp32() {
        return strictFp32;
    }

    /** Switches cuBLAS between TF32 tensor-op math and strict FP32; convolutions follow through {@link CudaDevice}. */
    public void setStrictFp32(boolean strict) {
        makeCurrent();
        CudaCheck.cublas("cublasSetMathMode", Cublas.cublasSetMathMode(cublas, MathModes.cublasMathMode(strict)));
        strictFp32 = strict;
    }

    /** Waits until everything queued on the stream has finished (and surfaces asynchronous errors). */
    public void synchronize() {
        makeCurrent();
        CudaCheck.runtime("cudaStreamSynchronize", CudaRuntime.cudaStreamSynchronize(stream));
    }

    /** Destroys the handles and the stream and releases the primary context. */
    @Override
    public void close() {
        if (closed) return;
        makeCurrent();
        CudaRuntime.cudaStreamSynchronize(stream);
        closed = true;
        Cudnn.cudnnDestroy(cudnn);
        Cublas.cublasDestroy_v2(cublas);
        CudaRuntime.cudaStreamDestroy(stream);
        CURRENT.remove();
        CudaDriver.cuDevicePrimaryCtxRelease_v2(index);
    }

    @Override
    public String toString() {
        return "cuda:" + index + (strictFp32 ? " (strict FP32)" : " (TF32)");
    }
}
