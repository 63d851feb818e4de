package dev.strix.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Checks every binding class's descriptor table without loading any library: the functions the GPU
 * backend needs are there, each descriptor links (an address-less downcall handle builds from it),
 * each has a public static method of the same name whose Java signature is the descriptor's, and a
 * handle field in the holder.
 */
class BindingTablesTest {

    private static final List<String> DRIVER = List.of("cuInit", "cuDriverGetVersion", "cuDeviceGet",
            "cuDeviceGetCount", "cuDeviceGetName", "cuDeviceTotalMem_v2", "cuDevicePrimaryCtxRetain", "cuDevicePrimaryCtxRelease_v2",
            "cuCtxSetCurrent", "cuCtxGetCurrent", "cuModuleLoadData", "cuModuleUnload", "cuModuleGetFunction",
            "cuLaunchKernel", "cuGetErrorName", "cuGetErrorString");
    private static final List<String> RUNTIME = List.of("cudaGetDeviceCount", "cudaSetDevice",
            "cudaDeviceGetAttribute", "cudaRuntimeGetVersion", "cudaDriverGetVersion", "cudaMalloc", "cudaFree",
            "cudaMallocHost", "cudaFreeHost", "cudaMemcpy", "cudaMemcpyAsync", "cudaMemsetAsync", "cudaStreamCreate",
            "cudaStreamCreateWithFlags", "cudaStreamDestroy", "cudaStreamSynchronize", "cudaEventCreate",
            "cudaEventRecord", "cudaEventSynchronize", "cudaEventElapsedTime", "cudaEventDestroy",
            "cudaStreamBeginCapture", "cudaStreamEndCapture", "cudaGraphInstantiate", "cudaGraphLaunch",
            "cudaGraphExecDestroy", "cudaGraphDestroy", "cudaMemGetInfo", "cudaGetErrorString", "cudaGetErrorName",
            "cudaGetLastError", "cudaDeviceSynchronize");
    private static final List<String> CUBLAS = List.of("cublasCreate_v2", "cublasDestroy_v2", "cublasSetStream_v2",
            "cublasSetMathMode", "cublasSgemm_v2", "cublasSgemmStridedBatched", "cublasGemmEx", "cublasGetStatusString");
    private static final List<String> CUDNN = List.of("cudnnCreate", "cudnnDestroy", "cudnnSetStream",
            "cudnnGetErrorString", "cudnnGetVersion", "cudnnCreateTensorDescriptor", "cudnnSetTensor4dDescriptor",
            "cudnnSetTensorNdDescriptor", "cudnnDestroyTensorDescriptor", "cudnnCreateFilterDescriptor",
            "cudnnSetFilter4dDescriptor", "cudnnDestroyFilterDescriptor", "cudnnCreateConvolutionDescriptor",
            "cudnnSetConvolution2dDescriptor", "cudnnSetConvolutionMathType", "cudnnDestroyConvolutionDescriptor",
            "cudnnCreateActivationDescriptor", "cudnnSetActivationDescriptor", "cudnnDestroyActivationDescriptor",
            "cudnnCreatePoolingDescriptor", "cudnnSetPooling2dDescriptor", "cudnnDestroyPoolingDescriptor",
            "cudnnFindConvolutionForwardAlgorithmEx", "cudnnGetConvolutionForwardAlgorithm_v7",
            "cudnnFindConvolutionBackwardDataAlgorithmEx", "cudnnGetConvolutionBackwardDataAlgorithm_v7",
            "cudnnFindConvolutionBackwardFilterAlgorithmEx", "cudnnGetConvolutionBackwardFilterAlgorithm_v7",
            "cudnnGetConvolutionForwardWorkspaceSize", "cudnnGetConvolutionBackwardDataWorkspaceSize",
            "cudnnGetConvolutionBackwardFilterWorkspaceSize", "cudnnConvolutionForward", "cudnnConvolutionBackwardData",
            "cudnnConvolutionBackwardFilter", "cudnnConvolutionBackwardBias", "cudnnConvolutionBiasActivationForward",
            "cudnnBatchNormalizationForwardTraining", "cudnnBatchNormalizationForwardInference",
            "cudnnBatchNormalizationBackward", "cudnnActivationForward", "cudnnActivationBackward",
            "cudnnPoolingForward", "cudnnPoolingBackward", "cudnnOpTensor", "cudnnAddTensor",
            "cudnnCreateReduceTensorDescriptor", "cudnnSetReduceTensorDescriptor", "cudnnDestroyReduceTensorDescriptor",
            "cudnnGetReductionWorkspaceSize", "cudnnReduceTensor");
    private static final List<String> NVRTC = List.of("nvrtcVersion", "nvrtcCreateProgram", "nvrtcCompileProgram",
            "nvrtcGetPTXSize", "nvrtcGetPTX", "nvrtcGetProgramLogSize", "nvrtcGetProgramLog", "nvrtcDestroyProgram",
            "nvrtcGetErrorString");

    @Test
    void driverTable() throws Exception {
        check(CudaDriver.class, CudaDriver.functions(), DRIVER);
        FunctionDescriptor launch = CudaDriver.functions().get("cuLaunchKernel");
        assertEquals(11, launch.argumentLayouts().size(), "cuLaunchKernel has 11 parameters");
    }

    @Test
    void runtimeTable() throws Exception {
        check(CudaRuntime.class, CudaRuntime.functions(), RUNTIME);
        Map<String, FunctionDescriptor> f = CudaRuntime.functions();
        assertEquals(List.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), f.get("cudaMalloc").argumentLayouts(),
                "cudaMalloc(void**, size_t)");
        assertEquals(ValueLayout.JAVA_LONG, f.get("cudaGraphInstantiate").argumentLayouts().get(2),
                "CUDA 12+ cudaGraphInstantiate takes unsigned long long flags");
        assertEquals(ValueLayout.ADDRESS, f.get("cudaGetErrorString").returnLayout().orElseThrow(),
                "cudaGetErrorString returns const char*");
    }

    @Test
    void cublasTable() throws Exception {
        check(Cublas.class, Cublas.functions(), CUBLAS);
        assertEquals(14, Cublas.functions().get("cublasSgemm_v2").argumentLayouts().size());
        assertEquals(18, Cublas.functions().get("cublasSgemmStridedBatched").argumentLayouts().size());
        assertEquals(19, Cublas.functions().get("cublasGemmEx").argumentLayouts().size());
    }

    @Test
    void cudnnTable() throws Exception {
        check(Cudnn.class, Cudnn.functions(), CUDNN);
        assertEquals(ValueLayout.JAVA_LONG, Cudnn.functions().get("cudnnGetVersion").returnLayout().orElseThrow(),
                "cudnnGetVersion returns size_t");
        assertEquals(19, Cudnn.functions().get("cudnnBatchNormalizationBackward").argumentLayouts().size());
        assertEquals(ValueLayout.JAVA_DOUBLE,
                Cudnn.functions().get("cudnnBatchNormalizationForwardTraining").argumentLayouts().get(11),
                "exponentialAverageFactor is a double");
    }

    @Test
    void nvrtcTable() throws Exception {
        check(Nvrtc.class, Nvrtc.functions(), NVRTC);
    }

    @Test
    void algorithmPerfLayoutMatchesTheCStruct() {
        MemoryLayout perf = Cudnn.CONVOLUTION_FWD_ALGO_PERF;
        assertEquals(48, perf.byteSize(), "sizeof(cudnnConvolutionFwdAlgoPerf_t) on LP64");
        assertEquals(8, perf.byteAlignment());
        assertEquals(Cudnn.ALGO_PERF_ALGO_OFFSET, perf.byteOffset(MemoryLayout.PathElement.groupElement("algo")));
        assertEquals(Cudnn.ALGO_PERF_STATUS_OFFSET, perf.byteOffset(MemoryLayout.PathElement.groupElement("status")));
        assertEquals(Cudnn.ALGO_PERF_TIME_OFFSET, perf.byteOffset(MemoryLayout.PathElement.groupElement("time")));
        assertEquals(Cudnn.ALGO_PERF_MEMORY_OFFSET, perf.byteOffset(MemoryLayout.PathElement.groupElement("memory")));
        assertEquals(Cudnn.ALGO_PERF_DETERMINISM_OFFSET,
                perf.byteOffset(MemoryLayout.PathElement.groupElement("determinism")));
        assertEquals(Cudnn.ALGO_PERF_MATH_TYPE_OFFSET,
                perf.byteOffset(MemoryLayout.PathElement.groupElement("mathType")));
        assertEquals(48, Cudnn.CONVOLUTION_BWD_DATA_ALGO_PERF.byteSize());
        assertEquals(48, Cudnn.CONVOLUTION_BWD_FILTER_ALGO_PERF.byteSize());
    }

    private static void check(Class<?> binding, Map<String, FunctionDescriptor> table, List<String> required)
            throws Exception {
        List<String> missing = new ArrayList<>(required);
        missing.removeAll(table.keySet());
        assertTrue(missing.isEmpty(), binding.getSimpleName() + " lacks " + missing);

        Class<?> handles = Class.forName(binding.getName() + "$Handles", false, binding.getClassLoader());
        Set<String> handleFields = new java.util.HashSet<>();
        for (Field field : handles.getDeclaredFields()) {
            if (field.getType() == MethodHandle.class) {
                handleFields.add(field.getName());
            }
        }
        Linker linker = Linker.nativeLinker();
        for (Map.Entry<String, FunctionDescriptor> entry : table.entrySet()) {
            String name = entry.getKey();
            FunctionDescriptor descriptor = entry.getValue();
            MethodHandle unbound = linker.downcallHandle(descriptor);
            assertNotNull(unbound, name);
            assertEquals(descriptor.argumentLayouts().size() + 1, unbound.type().parameterCount(),
                    name + ": the address-less handle takes the address first");
            assertTrue(handleFields.contains(name), name + " has no handle field in " + handles.getName());
            MethodType expected = descriptor.toMethodType();
            Method method = findMethod(binding, name);
            assertTrue(Modifier.isPublic(method.getModifiers()) && Modifier.isStatic(method.getModifiers()),
                    name + " must be public static");
            assertEquals(expected.returnType(), method.getReturnType(), name + " return type");
            assertEquals(expected.parameterList(), List.of(method.getParameterTypes()), name + " parameter types");
        }
        assertEquals(table.size(), handleFields.size(), binding.getSimpleName() + ": one handle per descriptor");
    }

    private static Method findMethod(Class<?> binding, String name) {
        for (Method method : binding.getDeclaredMethods()) {
            if (method.getName().equals(name)) {
                return method;
            }
        }
        fail(binding.getSimpleName() + " has no method " + name);
        return null;
    }
}
