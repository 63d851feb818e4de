package dev.strix.cuda;

import static dev.strix.cuda.CTypes.C_INT;
import static dev.strix.cuda.CTypes.C_POINTER;
import static dev.strix.cuda.CTypes.C_SIZE_T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * End-to-end calls on a real GPU: memory, cuBLAS SGEMM, an NVRTC-compiled kernel through
 * {@code cuLaunchKernel}, a cuDNN convolution and a captured CUDA graph, each checked against a CPU
 * reference. Every test is skipped, with the probe's reason, where CUDA is not usable.
 */
class GpuSmokeTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    @BeforeEach
    void requireGpu() {
        CudaAvailability probe = CudaAvailability.probe();
        assumeTrue(probe.usable(), probe::reason);
        CudaCheck.runtime("cudaSetDevice", CudaRuntime.cudaSetDevice(0));
    }

    private static MemorySegment deviceAlloc(Arena arena, long bytes) {
        MemorySegment out = arena.allocate(C_POINTER);
        CudaCheck.runtime("cudaMalloc", CudaRuntime.cudaMalloc(out, bytes));
        return out.get(C_POINTER, 0);
    }

    private static void upload(MemorySegment device, float[] values, Arena arena) {
        MemorySegment host = arena.allocateFrom(F, values);
        CudaCheck.runtime("cudaMemcpy", CudaRuntime.cudaMemcpy(device, host, host.byteSize(),
                CudaRuntime.cudaMemcpyHostToDevice));
    }

    private static float[] download(MemorySegment device, int count, Arena arena) {
        MemorySegment host = arena.allocate(F, count);
        CudaCheck.runtime("cudaMemcpy", CudaRuntime.cudaMemcpy(host, device, host.byteSize(),
                CudaRuntime.cudaMemcpyDeviceToHost));
        return host.toArray(F);
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() * 2 - 1;
        }
        return a;
    }

    /** Asserts |actual - expected| <= atol + rtol * |expected| everywhere, reporting the worst index. */
    private static void assertClose(double[] expected, float[] actual, double atol, double rtol, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        int worst = -1;
        double worstExcess = 0;
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs(actual[i] - expected[i]);
            maxDiff = Math.max(maxDiff, diff);
            double excess = diff - (atol + rtol * Math.abs(expected[i]));
            if (excess > worstExcess || Double.isNaN(diff)) {
                worstExcess = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : excess;
                worst = i;
            }
        }
        if (worst >= 0) {
            fail(what + ": index " + worst + " expected " + expected[worst] + " got " + actual[worst]
                    + ", largest difference " + maxDiff);
        }
    }

    @Test
    void memoryRoundTripAndMemset() {
        try (Arena arena = Arena.ofConfined()) {
            int n = 1031;
            float[] values = random(n, 1);
            MemorySegment device = deviceAlloc(arena, n * 4L);
            try {
                upload(device, values, arena);
                float[] back = download(device, n, arena);
                for (int i = 0; i < n; i++) {
                    assertEquals(values[i], back[i], "index " + i);
                }
                CudaCheck.runtime("cudaMemset", CudaRuntime.cudaMemset(device, 0, n * 4L));
                for (float v : download(device, n, arena)) {
                    assertEquals(0f, v);
                }
                MemorySegment free = arena.allocate(C_SIZE_T);
                MemorySegment total = arena.allocate(C_SIZE_T);
                CudaCheck.runtime("cudaMemGetInfo", CudaRuntime.cudaMemGetInfo(free, total));
                assertTrue(free.get(C_SIZE_T, 0) > 0 && total.get(C_SIZE_T, 0) >= free.get(C_SIZE_T, 0));
            } finally {
                CudaCheck.runtime("cudaFree", CudaRuntime.cudaFree(device));
            }
        }
    }

    @Test
    void cublasSgemmMatchesDoublePrecision() {
        assumeTrue(Cublas.isAvailable(), "cuBLAS not loadable");
        int m = 65;
        int n = 31;
        int k = 13;
        float[] a = random(m * k, 2); // column-major m x k
        float[] b = random(k * n, 3); // column-major k x n
        double[] expected = new double[m * n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (double) a[i + p * m] * b[p + j * k];
                }
                expected[i + j * m] = sum;
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handleOut = arena.allocate(C_POINTER);
            CudaCheck.cublas("cublasCreate_v2", Cublas.cublasCreate_v2(handleOut));
            MemorySegment handle = handleOut.get(C_POINTER, 0);
            MemorySegment da = deviceAlloc(arena, a.length * 4L);
            MemorySegment db = deviceAlloc(arena, b.length * 4L);
            MemorySegment dc = deviceAlloc(arena, (long) m * n * 4);
            try {
                CudaCheck.cublas("cublasSetMathMode", Cublas.cublasSetMathMode(handle, Cublas.CUBLAS_DEFAULT_MATH));
                upload(da, a, arena);
                upload(db, b, arena);
                CudaCheck.cublas("cublasSgemm_v2", Cublas.cublasSgemm_v2(handle, Cublas.CUBLAS_OP_N, Cublas.CUBLAS_OP_N,
                        m, n, k, arena.allocateFrom(F, 1f), da, m, db, k, arena.allocateFrom(F, 0f), dc, m));
                CudaCheck.runtime("cudaDeviceSynchronize", CudaRuntime.cudaDeviceSynchronize());
                // float32 products of 13 terms in [-1, 1]: rounding stays below 1e-5 (no TF32 in the default mode)
                assertClose(expected, download(dc, m * n, arena), 1e-5, 1e-5, "sgemm");
            } finally {
                CudaRuntime.cudaFree(da);
                CudaRuntime.cudaFree(db);
                CudaRuntime.cudaFree(dc);
                CudaCheck.cublas("cublasDestroy_v2", Cublas.cublasDestroy_v2(handle));
            }
        }
    }

    @Test
    void nvrtcKernelLaunchedThroughTheDriver() {
        assumeTrue(Nvrtc.isAvailable(), "NVRTC not loadable");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(C_INT);
            CudaCheck.runtime("cudaDeviceGetAttribute", CudaRuntime.cudaDeviceGetAttribute(attr,
                    CudaRuntime.cudaDevAttrComputeCapabilityMajor, 0));
            int major = attr.get(C_INT, 0);
            CudaCheck.runtime("cudaDeviceGetAttribute", CudaRuntime.cudaDeviceGetAttribute(attr,
                    CudaRuntime.cudaDevAttrComputeCapabilityMinor, 0));
            int minor = attr.get(C_INT, 0);
            String ptx = NvrtcCompiler.compileToPtx("""
                    extern "C" __global__ void saxpy(float a, const float* x, float* y, int n) {
                        int i = blockIdx.x * blockDim.x + threadIdx.x;
                        if (i < n) y[i] = a * x[i] + y[i];
                    }
                    """, "saxpy.cu", List.of("--gpu-architecture=compute_" + major + minor));
            assertTrue(ptx.contains(".entry saxpy"), "PTX names the kernel");

            CudaCheck.runtime("cudaFree", CudaRuntime.cudaFree(MemorySegment.NULL)); // makes the primary context current
            MemorySegment ctx = arena.allocate(C_POINTER);
            CudaCheck.driver("cuCtxGetCurrent", CudaDriver.cuCtxGetCurrent(ctx));
            assertTrue(!ctx.get(C_POINTER, 0).equals(MemorySegment.NULL), "the runtime's primary context is current");

            MemorySegment moduleOut = arena.allocate(C_POINTER);
            CudaCheck.driver("cuModuleLoadData", CudaDriver.cuModuleLoadData(moduleOut, arena.allocateFrom(ptx)));
            MemorySegment module = moduleOut.get(C_POINTER, 0);
            int n = 1000;
            float[] x = random(n, 4);
            float[] y = random(n, 5);
            MemorySegment dx = deviceAlloc(arena, n * 4L);
            MemorySegment dy = deviceAlloc(arena, n * 4L);
            try {
                MemorySegment functionOut = arena.allocate(C_POINTER);
                CudaCheck.driver("cuModuleGetFunction", CudaDriver.cuModuleGetFunction(functionOut, module,
                        arena.allocateFrom("saxpy")));
                upload(dx, x, arena);
                upload(dy, y, arena);
                float a = 2.5f;
                MemorySegment params = new KernelParams(arena).floatValue(a).pointer(dx).pointer(dy).intValue(n).array();
                int block = 128;
                CudaCheck.driver("cuLaunchKernel", CudaDriver.cuLaunchKernel(functionOut.get(C_POINTER, 0),
                        (n + block - 1) / block, 1, 1, block, 1, 1, 0, MemorySegment.NULL, params, MemorySegment.NULL));
                CudaCheck.driver("cuCtxSynchronize", CudaDriver.cuCtxSynchronize());
                double[] expected = new double[n];
                for (int i = 0; i < n; i++) {
                    expected[i] = (double) a * x[i] + y[i];
                }
                // one fused multiply-add in float32: within one rounding of the double result
                assertClose(expected, download(dy, n, arena), 1e-6, 1e-6, "saxpy");
            } finally {
                CudaRuntime.cudaFree(dx);
                CudaRuntime.cudaFree(dy);
                CudaCheck.driver("cuModuleUnload", CudaDriver.cuModuleUnload(module));
            }
        }
    }

    @Test
    void cudnnConvolutionForwardMatchesDirectLoops() {
        assumeTrue(Cudnn.isAvailable(), "cuDNN not loadable");
        int n = 2;
        int c = 3;
        int h = 7;
        int w = 7;
        int k = 4;
        int r = 3;
        float[] x = random(n * c * h * w, 6);
        float[] wt = random(k * c * r * r, 7);
        double[] expected = new double[n * k * h * w]; // stride 1, padding 1: same spatial size
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < k; o++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        double sum = 0;
                        for (int ch = 0; ch < c; ch++) {
                            for (int u = 0; u < r; u++) {
                                for (int v = 0; v < r; v++) {
                                    int yy = i + u - 1;
                                    int xx = j + v - 1;
                                    if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                                        sum += (double) x[((b * c + ch) * h + yy) * w + xx] * wt[((o * c + ch) * r + u) * r + v];
                                    }
                                }
                            }
                        }
                        expected[((b * k + o) * h + i) * w + j] = sum;
                    }
                }
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            CudaCheck.cudnn("cudnnCreate", Cudnn.cudnnCreate(out));
            MemorySegment handle = out.get(C_POINTER, 0);
            CudaCheck.cudnn("cudnnCreateTensorDescriptor", Cudnn.cudnnCreateTensorDescriptor(out));
            MemorySegment xDesc = out.get(C_POINTER, 0);
            CudaCheck.cudnn("cudnnCreateTensorDescriptor", Cudnn.cudnnCreateTensorDescriptor(out));
            MemorySegment yDesc = out.get(C_POINTER, 0);
            CudaCheck.cudnn("cudnnCreateFilterDescriptor", Cudnn.cudnnCreateFilterDescriptor(out));
            MemorySegment wDesc = out.get(C_POINTER, 0);
            CudaCheck.cudnn("cudnnCreateConvolutionDescriptor", Cudnn.cudnnCreateConvolutionDescriptor(out));
            MemorySegment convDesc = out.get(C_POINTER, 0);
            MemorySegment dx = deviceAlloc(arena, x.length * 4L);
            MemorySegment dw = deviceAlloc(arena, wt.length * 4L);
            MemorySegment dy = deviceAlloc(arena, expected.length * 4L);
            MemorySegment workspace = MemorySegment.NULL;
            try {
                CudaCheck.cudnn("cudnnSetTensor4dDescriptor", Cudnn.cudnnSetTensor4dDescriptor(xDesc,
                        Cudnn.CUDNN_TENSOR_NCHW, Cudnn.CUDNN_DATA_FLOAT, n, c, h, w));
                CudaCheck.cudnn("cudnnSetFilter4dDescriptor", Cudnn.cudnnSetFilter4dDescriptor(wDesc,
                        Cudnn.CUDNN_DATA_FLOAT, Cudnn.CUDNN_TENSOR_NCHW, k, c, r, r));
                CudaCheck.cudnn("cudnnSetConvolution2dDescriptor", Cudnn.cudnnSetConvolution2dDescriptor(convDesc,
                        1, 1, 1, 1, 1, 1, Cudnn.CUDNN_CROSS_CORRELATION, Cudnn.CUDNN_DATA_FLOAT));
                CudaCheck.cudnn("cudnnSetConvolutionMathType",
                        Cudnn.cudnnSetConvolutionMathType(convDesc, Cudnn.CUDNN_FMA_MATH));
                MemorySegment dims = arena.allocate(C_INT, 4);
                CudaCheck.cudnn("cudnnGetConvolution2dForwardOutputDim", Cudnn.cudnnGetConvolution2dForwardOutputDim(
                        convDesc, xDesc, wDesc, dims, dims.asSlice(4), dims.asSlice(8), dims.asSlice(12)));
                assertEquals(List.of(n, k, h, w), List.of(dims.getAtIndex(C_INT, 0), dims.getAtIndex(C_INT, 1),
                        dims.getAtIndex(C_INT, 2), dims.getAtIndex(C_INT, 3)), "output shape");
                CudaCheck.cudnn("cudnnSetTensor4dDescriptor", Cudnn.cudnnSetTensor4dDescriptor(yDesc,
                        Cudnn.CUDNN_TENSOR_NCHW, Cudnn.CUDNN_DATA_FLOAT, n, k, h, w));

                int requested = Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_COUNT;
                MemorySegment perf = arena.allocate(Cudnn.CONVOLUTION_FWD_ALGO_PERF, requested);
                MemorySegment returned = arena.allocate(C_INT);
                CudaCheck.cudnn("cudnnGetConvolutionForwardAlgorithm_v7", Cudnn.cudnnGetConvolutionForwardAlgorithm_v7(
                        handle, xDesc, wDesc, convDesc, yDesc, requested, returned, perf));
                int algo = -1;
                for (int i = 0; i < returned.get(C_INT, 0); i++) {
                    long base = i * Cudnn.CONVOLUTION_FWD_ALGO_PERF.byteSize();
                    if (perf.get(C_INT, base + Cudnn.ALGO_PERF_STATUS_OFFSET) == Cudnn.CUDNN_STATUS_SUCCESS) {
                        algo = perf.get(C_INT, base + Cudnn.ALGO_PERF_ALGO_OFFSET);
                        break;
                    }
                }
                assertTrue(algo >= 0, "cuDNN offers a working forward algorithm");
                MemorySegment wsSize = arena.allocate(C_SIZE_T);
                CudaCheck.cudnn("cudnnGetConvolutionForwardWorkspaceSize", Cudnn.cudnnGetConvolutionForwardWorkspaceSize(
                        handle, xDesc, wDesc, convDesc, yDesc, algo, wsSize));
                long bytes = wsSize.get(C_SIZE_T, 0);
                if (bytes > 0) {
                    workspace = deviceAlloc(arena, bytes);
                }
                upload(dx, x, arena);
                upload(dw, wt, arena);
                CudaCheck.cudnn("cudnnConvolutionForward", Cudnn.cudnnConvolutionForward(handle,
                        arena.allocateFrom(F, 1f), xDesc, dx, wDesc, dw, convDesc, algo, workspace, bytes,
                        arena.allocateFrom(F, 0f), yDesc, dy));
                CudaCheck.runtime("cudaDeviceSynchronize", CudaRuntime.cudaDeviceSynchronize());
                // 27-term float32 dot products without TF32 (CUDNN_FMA_MATH): rounding below 1e-5
                assertClose(expected, download(dy, expected.length, arena), 1e-5, 1e-5, "conv2d");
            } finally {
                CudaRuntime.cudaFree(dx);
                CudaRuntime.cudaFree(dw);
                CudaRuntime.cudaFree(dy);
                if (!workspace.equals(MemorySegment.NULL)) {
                    CudaRuntime.cudaFree(workspace);
                }
                Cudnn.cudnnDestroyConvolutionDescriptor(convDesc);
                Cudnn.cudnnDestroyFilterDescriptor(wDesc);
                Cudnn.cudnnDestroyTensorDescriptor(yDesc);
                Cudnn.cudnnDestroyTensorDescriptor(xDesc);
                CudaCheck.cudnn("cudnnDestroy", Cudnn.cudnnDestroy(handle));
            }
        }
    }

    @Test
    void capturedGraphReplaysAMemsetAndEventsTimeIt() {
        try (Arena arena = Arena.ofConfined()) {
            int n = 777;
            MemorySegment device = deviceAlloc(arena, n * 4L);
            MemorySegment out = arena.allocate(C_POINTER);
            CudaCheck.runtime("cudaStreamCreateWithFlags",
                    CudaRuntime.cudaStreamCreateWithFlags(out, CudaRuntime.cudaStreamNonBlocking));
            MemorySegment stream = out.get(C_POINTER, 0);
            CudaCheck.runtime("cudaEventCreate", CudaRuntime.cudaEventCreate(out));
            MemorySegment start = out.get(C_POINTER, 0);
            CudaCheck.runtime("cudaEventCreate", CudaRuntime.cudaEventCreate(out));
            MemorySegment stop = out.get(C_POINTER, 0);
            try {
                CudaCheck.runtime("cudaMemset", CudaRuntime.cudaMemset(device, 0, n * 4L));
                CudaCheck.runtime("cudaStreamBeginCapture",
                        CudaRuntime.cudaStreamBeginCapture(stream, CudaRuntime.cudaStreamCaptureModeGlobal));
                CudaCheck.runtime("cudaMemsetAsync", CudaRuntime.cudaMemsetAsync(device, 0x3f, n * 4L, stream));
                CudaCheck.runtime("cudaStreamEndCapture", CudaRuntime.cudaStreamEndCapture(stream, out));
                MemorySegment graph = out.get(C_POINTER, 0);
                CudaCheck.runtime("cudaGraphInstantiate", CudaRuntime.cudaGraphInstantiate(out, graph, 0L));
                MemorySegment exec = out.get(C_POINTER, 0);
                for (float v : download(device, n, arena)) {
                    assertEquals(0f, v, "capturing does not run the work");
                }
                CudaCheck.runtime("cudaEventRecord", CudaRuntime.cudaEventRecord(start, stream));
                CudaCheck.runtime("cudaGraphLaunch", CudaRuntime.cudaGraphLaunch(exec, stream));
                CudaCheck.runtime("cudaEventRecord", CudaRuntime.cudaEventRecord(stop, stream));
                CudaCheck.runtime("cudaStreamSynchronize", CudaRuntime.cudaStreamSynchronize(stream));
                CudaCheck.runtime("cudaEventSynchronize", CudaRuntime.cudaEventSynchronize(stop));
                MemorySegment ms = arena.allocate(F);
                CudaCheck.runtime("cudaEventElapsedTime", CudaRuntime.cudaEventElapsedTime(ms, start, stop));
                assertTrue(ms.get(F, 0) >= 0f, "elapsed " + ms.get(F, 0));
                float expected = Float.intBitsToFloat(0x3f3f3f3f);
                for (float v : download(device, n, arena)) {
                    assertEquals(expected, v, "every byte set to 0x3f by the replayed graph");
                }
                CudaCheck.runtime("cudaGraphExecDestroy", CudaRuntime.cudaGraphExecDestroy(exec));
                CudaCheck.runtime("cudaGraphDestroy", CudaRuntime.cudaGraphDestroy(graph));
            } finally {
                CudaRuntime.cudaEventDestroy(start);
                CudaRuntime.cudaEventDestroy(stop);
                CudaRuntime.cudaStreamDestroy(stream);
                CudaRuntime.cudaFree(device);
            }
        }
    }
}
