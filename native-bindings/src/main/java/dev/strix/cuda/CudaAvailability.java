package dev.strix.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;

/**
 * Whether CUDA can be used on this machine and, when not, why.
 *
 * @param usable        true when the driver initialises, at least one device is present and the
 *                      runtime library loads
 * @param reason        a one-paragraph explanation: what works, or the first thing that does not
 * @param deviceCount   devices the driver reports (0 when unknown)
 * @param driverVersion the driver's CUDA version, e.g. 13000 (0 when unknown)
 * @param deviceName    the name of device 0, or an empty string
 * @param libraries     for the driver and the runtime (the two the probe loads): where each was loaded
 *                      from, or why it could not be; {@link #describeLibraries()} covers the others
 */
public record CudaAvailability(boolean usable, String reason, int deviceCount, int driverVersion,
                               String deviceName, Map<CudaLibrary, String> libraries) {
    public CudaAvailability {
        libraries = Map.copyOf(libraries);
    }

    private static volatile CudaAvailability cached;

    /**
     * Probes once per run (later calls return the same answer). Never throws.
     *
     * @return the verdict
     */
    public static CudaAvailability probe() {
        CudaAvailability result = cached;
        if (result == null) {
            synchronized (CudaAvailability.class) {
                result = cached;
                if (result == null) {
                    result = probeNow();
                    cached = result;
                }
            }
        }
        return result;
    }

    private static CudaAvailability probeNow() {
        Map<CudaLibrary, String> libraries = new EnumMap<>(CudaLibrary.class);
        try {
            libraries.put(CudaLibrary.DRIVER, describeLibrary(CudaLibrary.DRIVER));
            libraries.put(CudaLibrary.RUNTIME, describeLibrary(CudaLibrary.RUNTIME));
            if (!CudaLibraries.isLoaded(CudaLibrary.DRIVER)) {
                return notUsable("The NVIDIA driver library (libcuda.so.1) is not installed or cannot be loaded, "
                        + "so there is no usable GPU: " + firstLine(libraries.get(CudaLibrary.DRIVER)), libraries, 0, 0, "");
            }
            int init = CudaDriver.cuInit(0);
            if (init != 0) {
                String why = switch (init) {
                    case CudaDriver.CUDA_ERROR_NO_DEVICE -> "no CUDA-capable device is present";
                    case CudaDriver.CUDA_ERROR_STUB_LIBRARY -> "the libcuda that was loaded is a link-time stub";
                    case CudaDriver.CUDA_ERROR_SYSTEM_DRIVER_MISMATCH -> "the libcuda version does not match the kernel driver";
                    default -> "the driver did not initialise";
                };
                return notUsable("cuInit failed, " + why + ": "
                        + CudaCheck.exception(CudaException.Library.CUDA_DRIVER, "cuInit", init).getMessage(),
                        libraries, 0, 0, "");
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment intOut = arena.allocate(CTypes.C_INT);
                int driverVersion = CudaDriver.cuDriverGetVersion(intOut) == 0 ? intOut.get(CTypes.C_INT, 0) : 0;
                int countStatus = CudaDriver.cuDeviceGetCount(intOut);
                if (countStatus != 0) {
                    return notUsable(CudaCheck.exception(CudaException.Library.CUDA_DRIVER, "cuDeviceGetCount",
                            countStatus).getMessage(), libraries, 0, driverVersion, "");
                }
                int count = intOut.get(CTypes.C_INT, 0);
                if (count <= 0) {
                    return notUsable("The driver initialised but reports no CUDA device.", libraries, 0, driverVersion, "");
                }
                String name = deviceName(arena);
                if (!CudaLibraries.isLoaded(CudaLibrary.RUNTIME)) {
                    return notUsable("A GPU is present (" + name + ") but the CUDA runtime (libcudart) cannot be loaded: "
                            + firstLine(libraries.get(CudaLibrary.RUNTIME)), libraries, count, driverVersion, name);
                }
                return new CudaAvailability(true, count + " CUDA device(s), device 0: " + name + ", driver CUDA "
                        + (driverVersion / 1000) + "." + (driverVersion % 1000 / 10), count, driverVersion, name, libraries);
            }
        } catch (Throwable t) {
            return notUsable("Probing CUDA failed: " + t, libraries, 0, 0, "");
        }
    }

    /**
     * Loads every library (cuBLAS and cuDNN included, which takes a moment) and says where each came
     * from or why it could not be loaded. Never throws.
     *
     * @return one line (or one message) per library
     */
    public static Map<CudaLibrary, String> describeLibraries() {
        Map<CudaLibrary, String> all = new EnumMap<>(CudaLibrary.class);
        for (CudaLibrary library : CudaLibrary.values()) {
            try {
                all.put(library, describeLibrary(library));
            } catch (Throwable t) {
                all.put(library, "probing failed: " + t);
            }
        }
        return all;
    }

    private static String deviceName(Arena arena) {
        MemorySegment device = arena.allocate(CTypes.C_INT);
        if (CudaDriver.cuDeviceGet(device, 0) != 0) {
            return "";
        }
        MemorySegment buffer = arena.allocate(256);
        if (CudaDriver.cuDeviceGetName(buffer, 256, device.get(CTypes.C_INT, 0)) != 0) {
            return "";
        }
        return buffer.getString(0, StandardCharsets.UTF_8);
    }

    private static String describeLibrary(CudaLibrary library) {
        try {
            return "loaded from " + CudaLibraries.load(library).origin();
        } catch (LibraryLoadException e) {
            return e.getMessage();
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline) + " (strix info lists every place searched)";
    }

    private static CudaAvailability notUsable(String reason, Map<CudaLibrary, String> libraries, int count,
                                              int driverVersion, String name) {
        return new CudaAvailability(false, reason, count, driverVersion, name, libraries);
    }
}
