package dev.strix.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code strix info} says about CUDA: the verdict of {@link CudaAvailability}, the devices (name, memory,
 * compute capability), the driver, runtime, cuBLAS and cuDNN versions, and for every library the file it was
 * loaded from or every place that was searched and why each failed.
 *
 * @param availability   the probe's verdict
 * @param runtimeVersion {@code cudaRuntimeGetVersion}, e.g. 13000 (0 when unknown)
 * @param devices        the devices the driver reports (empty when CUDA is not usable)
 * @param cublasVersion  {@code cublasGetVersion}, e.g. 130100 (0 when unknown)
 * @param cudnnVersion   {@code cudnnGetVersion}, e.g. 91900 (0 when unknown)
 * @param libraries      per library: {@code loaded from ...}, or the loader's message (places tried, in order)
 * @param problems       what could not be read, one line each
 */
public record CudaReport(CudaAvailability availability, int runtimeVersion, List<Gpu> devices, int cublasVersion,
                         long cudnnVersion, Map<CudaLibrary, String> libraries, List<String> problems) {
    public CudaReport {
        devices = List.copyOf(devices);
        libraries = Map.copyOf(libraries);
        problems = List.copyOf(problems);
    }

    /**
     * One device.
     *
     * @param index           the CUDA ordinal
     * @param name            the marketing name
     * @param totalBytes      device memory in bytes
     * @param major           compute capability, major
     * @param minor           compute capability, minor
     * @param multiprocessors streaming multiprocessors
     */
    public record Gpu(int index, String name, long totalBytes, int major, int minor, int multiprocessors) {}

    /** Probes everything (loads cuBLAS and cuDNN, which takes a moment). Never throws. */
    public static CudaReport collect() {
        CudaAvailability a = CudaAvailability.probe();
        Map<CudaLibrary, String> libraries = CudaAvailability.describeLibraries();
        List<String> problems = new ArrayList<>();
        List<Gpu> devices = new ArrayList<>();
        int runtime = 0, cublas = 0;
        long cudnn = 0;
        if (a.usable()) {
            try (Arena arena = Arena.ofConfined()) {
                for (int i = 0; i < a.deviceCount(); i++) devices.add(gpu(arena, i, problems));
                MemorySegment v = arena.allocate(CTypes.C_INT);
                int status = CudaRuntime.cudaRuntimeGetVersion(v);
                if (status == 0) runtime = v.get(CTypes.C_INT, 0);
                else problems.add(CudaCheck.exception(CudaException.Library.CUDA_RUNTIME, "cudaRuntimeGetVersion",
                        status).getMessage());
                if (CudaLibraries.isLoaded(CudaLibrary.CUBLAS)) cublas = cublasVersion(arena, problems);
            } catch (RuntimeException | LinkageError e) {
                problems.add("reading the devices failed: " + e);
            }
        }
        if (CudaLibraries.isLoaded(CudaLibrary.CUDNN)) {
            try {
                cudnn = Cudnn.cudnnGetVersion();
            } catch (RuntimeException | LinkageError e) {
                problems.add("cudnnGetVersion failed: " + e);
            }
        }
        return new CudaReport(a, runtime, devices, cublas, cudnn, new EnumMap<>(libraries), problems);
    }

    private static Gpu gpu(Arena arena, int ordinal, List<String> problems) {
        MemorySegment out = arena.allocate(CTypes.C_INT);
        int status = CudaDriver.cuDeviceGet(out, ordinal);
        if (status != 0) {
            problems.add(CudaCheck.exception(CudaException.Library.CUDA_DRIVER, "cuDeviceGet", status).getMessage());
            return new Gpu(ordinal, "", 0, 0, 0, 0);
        }
        int dev = out.get(CTypes.C_INT, 0);
        MemorySegment name = arena.allocate(256);
        String n = CudaDriver.cuDeviceGetName(name, 256, dev) == 0 ? name.getString(0, StandardCharsets.UTF_8) : "";
        MemorySegment bytes = arena.allocate(CTypes.C_SIZE_T);
        status = CudaDriver.cuDeviceTotalMem_v2(bytes, dev);
        if (status != 0) problems.add(CudaCheck.exception(CudaException.Library.CUDA_DRIVER, "cuDeviceTotalMem",
                status).getMessage());
        long total = status == 0 ? bytes.get(CTypes.C_SIZE_T, 0) : 0;
        return new Gpu(ordinal, n, total, attribute(out, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev),
                attribute(out, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev),
                attribute(out, CudaDriver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev));
    }

    private static int attribute(MemorySegment out, int attribute, int dev) {
        return CudaDriver.cuDeviceGetAttribute(out, attribute, dev) == 0 ? out.get(CTypes.C_INT, 0) : 0;
    }

    /** The version through a short-lived handle (cuBLAS reports it per handle). */
    private static int cublasVersion(Arena arena, List<String> problems) {
        MemorySegment handle = arena.allocate(CTypes.C_POINTER);
        int status = Cublas.cublasCreate_v2(handle);
        if (status != 0) {
            problems.add(CudaCheck.exception(CudaException.Library.CUBLAS, "cublasCreate", status).getMessage());
            return 0;
        }
        MemorySegment h = handle.get(CTypes.C_POINTER, 0);
        try {
            MemorySegment v = arena.allocate(CTypes.C_INT);
            status = Cublas.cublasGetVersion_v2(h, v);
            if (status == 0) return v.get(CTypes.C_INT, 0);
            problems.add(CudaCheck.exception(CudaException.Library.CUBLAS, "cublasGetVersion", status).getMessage());
            return 0;
        } finally {
            Cublas.cublasDestroy_v2(h);
        }
    }

    /** {@code 13000} as {@code 13.0} (the CUDA driver and runtime encoding, 1000 x major + 10 x minor). */
    public static String cudaVersion(int v) {
        return v <= 0 ? "unknown" : (v / 1000) + "." + (v % 1000 / 10);
    }

    /** {@code 91900} as {@code 9.19.0} (the cuBLAS and cuDNN encoding, 10000 x major + 100 x minor + patch). */
    public static String libraryVersion(long v) {
        return v <= 0 ? "unknown" : (v / 10000) + "." + (v % 10000 / 100) + "." + (v % 100);
    }

    /** The report as indented lines, without a heading. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        if (availability.usable()) {
            out.add("usable: " + availability.reason());
            out.add("driver: CUDA " + cudaVersion(availability.driverVersion()) + ", runtime: CUDA "
                    + cudaVersion(runtimeVersion) + ", cuBLAS " + libraryVersion(cublasVersion) + ", cuDNN "
                    + libraryVersion(cudnnVersion));
            for (Gpu g : devices)
                out.add(String.format(Locale.ROOT, "cuda:%d  %s, %.1f GiB, compute capability %d.%d, %d SMs", g.index(),
                        g.name(), g.totalBytes() / 1073741824.0, g.major(), g.minor(), g.multiprocessors()));
        } else {
            out.add("not usable: " + availability.reason());
            if (availability.driverVersion() > 0)
                out.add("driver: CUDA " + cudaVersion(availability.driverVersion()));
        }
        out.add("libraries:");
        for (CudaLibrary library : CudaLibrary.values()) {
            String text = libraries.getOrDefault(library, "not probed");
            String[] rows = text.split("\\R");
            out.add("  " + library.key() + ": " + rows[0]);
            for (int i = 1; i < rows.length; i++) out.add("    " + rows[i].strip());
        }
        for (String p : problems) out.add("problem: " + p);
        return out;
    }
}
