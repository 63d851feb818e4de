package dev.strix.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.strix.cuda.CudaAvailability;
import dev.strix.nn.CpuDevice;
import dev.strix.nn.Device;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/** Device selection rules, with a stand-in probe and CUDA factory so that they run without a GPU. */
class DevicesTest {
    private static final CudaAvailability NO_GPU =
            new CudaAvailability(false, "The NVIDIA driver library (libcuda.so.1) is not installed", 0, 0, "", Map.of());
    private static final CudaAvailability TWO_GPUS =
            new CudaAvailability(true, "2 CUDA device(s), device 0: Test GPU, driver CUDA 13.0", 2, 13000, "Test GPU",
                    Map.of());

    /** Records which CUDA indices were opened and answers with the CPU device as a stand-in. */
    private final List<Integer> opened = new ArrayList<>();
    private final IntFunction<Device> factory = i -> {
        opened.add(i);
        return CpuDevice.INSTANCE;
    };

    @Test
    void cpuIsAlwaysTheCpu() {
        Devices.Choice c = Devices.choose(" CPU ", () -> NO_GPU, factory);
        assertSame(CpuDevice.INSTANCE, c.device());
        assertEquals("cpu was asked for", c.reason());
        assertTrue(opened.isEmpty());
    }

    @Test
    void autoTakesTheCpuWithoutAGpuAndSaysWhy() {
        Devices.Choice c = Devices.choose("auto", () -> NO_GPU, factory);
        assertSame(CpuDevice.INSTANCE, c.device());
        assertEquals("auto: CUDA is not usable, took the CPU: The NVIDIA driver library (libcuda.so.1) is not installed",
                c.reason());
        assertTrue(opened.isEmpty());
    }

    @Test
    void autoTakesCudaZeroWhenUsable() {
        Devices.Choice c = Devices.choose("auto", () -> TWO_GPUS, factory);
        assertEquals(List.of(0), opened);
        assertEquals("auto: CUDA is usable (2 CUDA device(s), device 0: Test GPU, driver CUDA 13.0), took cuda:0",
                c.reason());
    }

    @Test
    void cudaWithAnIndexOpensThatDevice() {
        Devices.choose("cuda", () -> TWO_GPUS, factory);
        Devices.choose("cuda:1", () -> TWO_GPUS, factory);
        Devices.choose("Cuda:0", () -> TWO_GPUS, factory);
        assertEquals(List.of(0, 1, 0), opened);
    }

    @Test
    void cudaWithoutAGpuFailsWithTheProbesReason() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Devices.choose("cuda:0", () -> NO_GPU, factory));
        assertEquals("device cuda:0 was asked for but CUDA is not usable: The NVIDIA driver library (libcuda.so.1) is"
                + " not installed (use --device cpu or auto)", e.getMessage());
        assertTrue(opened.isEmpty());
    }

    @Test
    void anIndexPastTheLastDeviceIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Devices.choose("cuda:2", () -> TWO_GPUS, factory));
        assertEquals("device cuda:2 was asked for but only 2 CUDA device(s) are present (cuda:0 .. cuda:1)",
                e.getMessage());
    }

    @Test
    void unknownSpellingsAreRefusedWithTheAcceptedOnes() {
        for (String bad : new String[] {"gpu", "cuda:", "cuda:-1", "cuda:x", "cuda0", "", "cuda:1:2", "cuda:99999"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Devices.choose(bad, () -> TWO_GPUS, factory), bad);
            assertEquals("unknown device '" + bad + "'; expected cpu, cuda, cuda:N (N = 0, 1, ...) or auto",
                    e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Devices.choose(null, () -> TWO_GPUS, factory));
        assertTrue(opened.isEmpty());
    }

    @Test
    void autoFallsBackToTheCpuWhenCudaLooksUsableButDeviceZeroCannotBeOpened() {
        Devices.Choice c = Devices.choose("auto", () -> TWO_GPUS, i -> {
            throw new IllegalStateException("cudaSetDevice failed: out of memory");
        });
        assertSame(CpuDevice.INSTANCE, c.device());
        assertEquals("auto: CUDA looked usable (2 CUDA device(s), device 0: Test GPU, driver CUDA 13.0) but cuda:0 "
                + "could not be opened, took the CPU: cudaSetDevice failed: out of memory", c.reason());
    }

    @Test
    void checkSpecNormalisesWithoutProbing() {
        assertEquals("cuda:12", Devices.checkSpec(" CUDA:12 "));
        assertEquals("auto", Devices.checkSpec("Auto"));
        assertEquals("cpu", Devices.checkSpec("cpu"));
        for (String bad : new String[] {"gpu", "cuda:", "cuda:x", ""})
            assertThrows(IllegalArgumentException.class, () -> Devices.checkSpec(bad), bad);
        assertThrows(IllegalArgumentException.class, () -> Devices.checkSpec(null));
    }

    @Test
    void onThisMachineWithoutCudaTheRealProbeDecides() {
        CudaAvailability probe = CudaAvailability.probe();
        assumeFalse(probe.usable(), "a GPU is present; the no-GPU behaviour is covered by the tests above");
        assertSame(CpuDevice.INSTANCE, Devices.parse("auto"));
        assertTrue(Devices.choose("auto").reason().endsWith(probe.reason()));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Devices.parse("cuda"));
        assertTrue(e.getMessage().contains(probe.reason()), e.getMessage());
    }
}
