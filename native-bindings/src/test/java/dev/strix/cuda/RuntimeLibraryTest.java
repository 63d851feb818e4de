package dev.strix.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * Real calls into {@code libcudart}, which the development machines have (the CUDA toolkit is
 * installed) even without a GPU or driver: versions, error strings, and a device count that is
 * either a clean error or the true count. Skipped where the runtime library is absent.
 */
class RuntimeLibraryTest {

    private static void assumeRuntime() {
        assumeTrue(CudaRuntime.isAvailable(), () -> "libcudart not loadable here: "
                + CudaAvailability.describeLibraries().get(CudaLibrary.RUNTIME));
    }

    @Test
    void runtimeVersionIsCuda12OrNewer() {
        assumeRuntime();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment version = arena.allocate(CTypes.C_INT);
            CudaCheck.runtime("cudaRuntimeGetVersion", CudaRuntime.cudaRuntimeGetVersion(version));
            int v = version.get(CTypes.C_INT, 0);
            assertTrue(v >= 12000 && v < 100000, "runtime version " + v);
        }
    }

    @Test
    void errorStringsComeFromTheLibrary() {
        assumeRuntime();
        assertEquals("cudaErrorMemoryAllocation", CTypes.readCString(CudaRuntime.cudaGetErrorName(2)));
        String text = CTypes.readCString(CudaRuntime.cudaGetErrorString(2));
        assertEquals("out of memory", text);
        for (int code : StatusNames.RUNTIME.keySet()) {
            if (code == 10000) {
                continue; // cudaErrorApiFailureBase is a base value, not an error the library names
            }
            assertEquals(StatusNames.RUNTIME.get(code), CTypes.readCString(CudaRuntime.cudaGetErrorName(code)),
                    "built-in name of runtime code " + code + " differs from the library's");
        }
        CudaException e = CudaCheck.exception(CudaException.Library.CUDA_RUNTIME, "cudaMalloc", 2);
        assertEquals("cudaMalloc failed: cudaErrorMemoryAllocation (2): out of memory [CUDA runtime]", e.getMessage());
    }

    @Test
    void deviceCountIsACleanErrorOrTheCount() {
        assumeRuntime();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(CTypes.C_INT);
            int status = CudaRuntime.cudaGetDeviceCount(count);
            CudaAvailability probe = CudaAvailability.probe();
            if (status == CudaRuntime.cudaSuccess) {
                assertEquals(probe.deviceCount(), count.get(CTypes.C_INT, 0), "runtime and driver agree");
                return;
            }
            assertFalse(probe.usable(), "a usable CUDA would report its devices: " + probe.reason());
            assertTrue(status == CudaRuntime.cudaErrorInsufficientDriver || status == CudaRuntime.cudaErrorNoDevice
                    || status == CudaRuntime.cudaErrorStubLibrary || status == 999 || status == 3,
                    "unexpected status " + status);
            CudaException e = assertThrows(CudaException.class,
                    () -> CudaCheck.runtime("cudaGetDeviceCount", status));
            assertEquals(status, e.code());
            assertEquals(StatusNames.RUNTIME.get(status), e.symbolicName());
            assertNotEquals(e.symbolicName(), e.description(), "the library's own text is used");
            assertFalse(e.description().isBlank());
            assertTrue(e.getMessage().startsWith("cudaGetDeviceCount failed: " + e.symbolicName() + " (" + status
                    + "): "), e.getMessage());
            int last = CudaRuntime.cudaGetLastError();
            assertTrue(last == status || last == 0, "sticky last error " + last);
        }
    }

    @Test
    void theLoadedLibraryIsNeverAStub() {
        assumeRuntime();
        String origin = CudaLibraries.load(CudaLibrary.RUNTIME).origin();
        assertFalse(origin.contains("/stubs/"), origin);
    }
}
