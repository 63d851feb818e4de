package dev.strix.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Status codes to exceptions: the built-in tables and the message format. */
class CudaCheckTest {

    @Test
    void successDoesNotThrow() {
        assertDoesNotThrow(() -> {
            CudaCheck.driver("cuInit", 0);
            CudaCheck.runtime("cudaMalloc", 0);
            CudaCheck.cublas("cublasSgemm_v2", 0);
            CudaCheck.cudnn("cudnnConvolutionForward", 0);
            CudaCheck.nvrtc("nvrtcCompileProgram", 0);
        });
    }

    @Test
    void builtInNamesForEachLibrary() {
        assertEquals("cudaErrorMemoryAllocation", name(CudaException.Library.CUDA_RUNTIME, 2));
        assertEquals("cudaErrorInsufficientDriver", name(CudaException.Library.CUDA_RUNTIME, 35));
        assertEquals("cudaErrorNoDevice", name(CudaException.Library.CUDA_RUNTIME, 100));
        assertEquals("CUDA_ERROR_NO_DEVICE", name(CudaException.Library.CUDA_DRIVER, 100));
        assertEquals("CUDA_ERROR_STUB_LIBRARY", name(CudaException.Library.CUDA_DRIVER, 34));
        assertEquals("CUBLAS_STATUS_EXECUTION_FAILED", name(CudaException.Library.CUBLAS, 13));
        assertEquals("CUDNN_STATUS_BAD_PARAM_NULL_POINTER", name(CudaException.Library.CUDNN, 2002));
        assertEquals("CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED", name(CudaException.Library.CUDNN, 1008));
        assertEquals("NVRTC_ERROR_COMPILATION", name(CudaException.Library.NVRTC, 6));
    }

    @Test
    void unknownCodes() {
        assertEquals("CUDNN_STATUS_BAD_PARAM_999", name(CudaException.Library.CUDNN, 2999),
                "an unlisted cuDNN code is named after its category");
        assertEquals("UNKNOWN_STATUS", name(CudaException.Library.CUDA_RUNTIME, 123456));
        assertEquals("UNKNOWN_STATUS", name(CudaException.Library.NVRTC, -3));
    }

    @Test
    void messageFormatWithoutLibraryText() {
        CudaException e = CudaCheck.builtIn(CudaException.Library.CUDA_RUNTIME, "cudaMalloc", 2);
        assertEquals("cudaMalloc failed: cudaErrorMemoryAllocation (2) [CUDA runtime]", e.getMessage());
        assertEquals(CudaException.Library.CUDA_RUNTIME, e.library());
        assertEquals("cudaMalloc", e.call());
        assertEquals(2, e.code());
        assertEquals("cudaErrorMemoryAllocation", e.symbolicName());
        assertEquals("cudaErrorMemoryAllocation", e.description(), "the name stands in for missing text");
    }

    @Test
    void messageFormatWithTextAndDetail() {
        CudaException e = new CudaException(CudaException.Library.NVRTC, "nvrtcCompileProgram", 6,
                "NVRTC_ERROR_COMPILATION", "NVRTC_ERROR_COMPILATION", "k.cu(3): error: identifier \"x\" is undefined\n");
        assertEquals("nvrtcCompileProgram failed: NVRTC_ERROR_COMPILATION (6) [NVRTC]\n"
                + "k.cu(3): error: identifier \"x\" is undefined", e.getMessage());
        CudaException withText = new CudaException(CudaException.Library.CUBLAS, "cublasSgemm_v2", 7,
                "CUBLAS_STATUS_INVALID_VALUE", "an invalid numeric value was used as an argument", null);
        assertEquals("cublasSgemm_v2 failed: CUBLAS_STATUS_INVALID_VALUE (7): an invalid numeric value was used "
                + "as an argument [cuBLAS]", withText.getMessage());
    }

    @Test
    void failedChecksThrowWithTheCode() {
        CudaException e = assertThrows(CudaException.class, () -> CudaCheck.driver("cuInit", 100));
        assertEquals(100, e.code());
        assertEquals("CUDA_ERROR_NO_DEVICE", e.symbolicName());
        assertTrue(e.getMessage().startsWith("cuInit failed: CUDA_ERROR_NO_DEVICE (100)"), e.getMessage());
        assertTrue(e.getMessage().endsWith("[CUDA driver]"), e.getMessage());
        CudaException d = assertThrows(CudaException.class, () -> CudaCheck.cudnn("cudnnCreate", 1001));
        assertEquals("CUDNN_STATUS_NOT_INITIALIZED", d.symbolicName());
        CudaException n = assertThrows(CudaException.class, () -> CudaCheck.nvrtc("nvrtcGetPTX", 4));
        assertEquals("NVRTC_ERROR_INVALID_PROGRAM", n.symbolicName());
    }

    @Test
    void tablesHaveNoDuplicateNames() {
        for (CudaException.Library library : CudaException.Library.values()) {
            var names = StatusNames.table(library).values();
            assertEquals(names.size(), new java.util.HashSet<>(names).size(), library + " has a repeated name");
            assertTrue(StatusNames.table(library).containsKey(0), library + " lacks its success code");
        }
    }

    private static String name(CudaException.Library library, int code) {
        return CudaCheck.builtIn(library, "f", code).symbolicName();
    }
}
