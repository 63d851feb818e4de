package dev.strix.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The probe never throws and explains itself; missing libraries fail calls cleanly. */
class CudaAvailabilityTest {

    @Test
    void probeAnswersWithAReason() {
        CudaAvailability probe = assertDoesNotThrow(CudaAvailability::probe);
        assertFalse(probe.reason().isBlank());
        assertSame(probe, CudaAvailability.probe(), "probed once per run");
        assertTrue(probe.libraries().containsKey(CudaLibrary.DRIVER));
        if (probe.usable()) {
            assertTrue(probe.deviceCount() > 0, probe.reason());
            assertTrue(probe.driverVersion() >= 12000, "driver version " + probe.driverVersion());
        } else {
            assertFalse(probe.deviceCount() > 0 && CudaLibraries.isLoaded(CudaLibrary.RUNTIME),
                    "not usable although devices and the runtime are present: " + probe.reason());
            if (!CudaLibraries.isLoaded(CudaLibrary.DRIVER)) {
                assertTrue(probe.reason().contains("libcuda.so.1"), probe.reason());
                assertTrue(probe.libraries().get(CudaLibrary.DRIVER).contains("Places tried"),
                        probe.libraries().get(CudaLibrary.DRIVER));
            }
        }
    }

    @Test
    void describeLibrariesCoversEveryLibraryWithoutThrowing() {
        Map<CudaLibrary, String> all = assertDoesNotThrow(CudaAvailability::describeLibraries);
        assertEquals(CudaLibrary.values().length, all.size());
        for (Map.Entry<CudaLibrary, String> entry : all.entrySet()) {
            String text = entry.getValue();
            assertTrue(text.startsWith("loaded from ") || text.startsWith("Cannot load "), entry.toString());
        }
    }

    @Test
    void aCallIntoAMissingLibraryThrowsTheLoadReport() {
        if (Cudnn.isAvailable()) {
            assertTrue(Cudnn.cudnnGetVersion() >= 9000, "cuDNN 9 or newer");
            return;
        }
        LibraryLoadException e = assertThrows(LibraryLoadException.class, Cudnn::cudnnGetVersion);
        assertTrue(e.getMessage().startsWith("Cannot load libcudnn.so.9"), e.getMessage());
        LibraryLoadException again = assertThrows(LibraryLoadException.class, () -> {
            try (Arena arena = Arena.ofConfined()) {
                Cudnn.cudnnCreate(arena.allocate(CTypes.C_POINTER));
            }
        });
        assertEquals(e.getMessage(), again.getMessage(), "every call explains the same way");
    }
}
