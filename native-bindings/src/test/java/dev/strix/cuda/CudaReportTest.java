package dev.strix.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CUDA part of {@code strix info}: formatting from known values, and the real probe of this machine. */
class CudaReportTest {

    @Test
    void versionsAreDecodedTheWayTheHeadersEncodeThem() {
        assertEquals("13.0", CudaReport.cudaVersion(13000));
        assertEquals("12.8", CudaReport.cudaVersion(12080));
        assertEquals("unknown", CudaReport.cudaVersion(0));
        assertEquals("9.19.0", CudaReport.libraryVersion(91900));
        assertEquals("13.1.2", CudaReport.libraryVersion(130102));
        assertEquals("unknown", CudaReport.libraryVersion(0));
    }

    @Test
    void aUsableMachineListsDevicesVersionsAndLibraryFiles() {
        Map<CudaLibrary, String> libs = new EnumMap<>(CudaLibrary.class);
        for (CudaLibrary l : CudaLibrary.values()) libs.put(l, "loaded from /opt/" + l.fileNames().get(0));
        CudaAvailability a = new CudaAvailability(true, "1 CUDA device(s), device 0: NVIDIA H200, driver CUDA 13.0", 1,
                13000, "NVIDIA H200", Map.of());
        CudaReport r = new CudaReport(a, 13000, List.of(new CudaReport.Gpu(0, "NVIDIA H200", 150754820096L, 9, 0, 132)),
                130100, 91900, libs, List.of());
        List<String> lines = r.lines();
        assertEquals("usable: 1 CUDA device(s), device 0: NVIDIA H200, driver CUDA 13.0", lines.get(0));
        assertEquals("driver: CUDA 13.0, runtime: CUDA 13.0, cuBLAS 13.1.0, cuDNN 9.19.0", lines.get(1));
        assertEquals("cuda:0  NVIDIA H200, 140.4 GiB, compute capability 9.0, 132 SMs", lines.get(2));
        assertEquals("libraries:", lines.get(3));
        assertEquals("  cudnn: loaded from /opt/libcudnn.so.9", lines.get(3 + 1 + CudaLibrary.CUDNN.ordinal()));
        assertEquals(4 + CudaLibrary.values().length, lines.size(), String.join("\n", lines));
    }

    @Test
    void anUnusableMachineSaysWhyAndWhereEachLibraryWasSearched() {
        Map<CudaLibrary, String> libs = new EnumMap<>(CudaLibrary.class);
        for (CudaLibrary l : CudaLibrary.values())
            libs.put(l, "Cannot load " + l.fileNames().get(0) + "\nPlaces tried, in order:\n  - /usr/lib: not there");
        CudaAvailability a = new CudaAvailability(false, "The NVIDIA driver library (libcuda.so.1) is not installed",
                0, 0, "", Map.of());
        List<String> lines = new CudaReport(a, 0, List.of(), 0, 0, libs, List.of("cudnnGetVersion failed")).lines();
        assertEquals("not usable: The NVIDIA driver library (libcuda.so.1) is not installed", lines.get(0));
        assertEquals("libraries:", lines.get(1));
        assertEquals("  driver: Cannot load libcuda.so.1", lines.get(2));
        assertEquals("    Places tried, in order:", lines.get(3));
        assertEquals("    - /usr/lib: not there", lines.get(4));
        assertEquals("problem: cudnnGetVersion failed", lines.getLast());
    }

    @Test
    void collectNeverThrowsAndAgreesWithTheProbe() {
        CudaReport r = assertDoesNotThrow(CudaReport::collect);
        CudaAvailability probe = CudaAvailability.probe();
        assertEquals(probe, r.availability());
        assertEquals(CudaLibrary.values().length, r.libraries().size());
        String text = String.join("\n", r.lines());
        if (probe.usable()) {
            assertEquals(probe.deviceCount(), r.devices().size(), text);
            assertTrue(r.devices().getFirst().totalBytes() > 0 && r.devices().getFirst().major() >= 5, text);
            assertTrue(r.runtimeVersion() >= 12000, text);
        } else {
            assertTrue(r.devices().isEmpty(), text);
            assertTrue(text.startsWith("not usable: " + probe.reason()), text);
            for (CudaLibrary l : CudaLibrary.values()) {
                String s = r.libraries().get(l);
                assertTrue(s.startsWith("loaded from ") || s.contains("Places tried"), l + ": " + s);
            }
        }
    }
}
