package dev.strix.detection.bench;

import dev.strix.kernels.FmaPeak;
import jdk.incubator.vector.FloatVector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The float32 peak of the machine the benchmark runs on, the denominator of {@code peak_fraction}: a measured
 * one, with the nominal one alongside.
 *
 * <p>Measured: {@link FmaPeak}, fused multiply-adds on independent vector accumulators on as many threads as
 * the benchmark uses, i.e. the throughput the cores sustain at the clock they actually run (turbo included),
 * measured once per thread count in a process (under a second). {@code -Dstrix.cpu.peak_gflops} replaces the
 * measurement with a fixed number, for reports that must not move with the probe.
 *
 * <p>Nominal ({@link Nominal}): {@code cores x GHz x lanes x 2 (a fused multiply-add is 2 flops) x FMA units per
 * core}, where cores is the number of worker threads (at most the available processors), lanes the float lanes
 * of the CPU's widest vector ({@code FloatVector.SPECIES_PREFERRED}, 8 for AVX2, 16 for AVX-512), FMA units 2
 * (every AVX2 core since Haswell and Zen 2), except 1 for 512-bit vectors on AMD ({@code AuthenticAMD} in
 * {@code /proc/cpuinfo}: Zen 4 executes a 512-bit FMA as two 256-bit halves, so its peak equals the AVX2 one);
 * {@code -Dstrix.cpu.fma_units} overrides the count. GHz is taken from {@code -Dstrix.cpu.ghz}, else the largest
 * {@code cpu MHz} in {@code /proc/cpuinfo}, else assumed 3.0 (the {@link Nominal#source} then says so). The
 * {@code cpu MHz} figure is often the base clock, so kernels can exceed this nominal peak when the cores turbo.
 *
 * @param gflops  the peak in GFLOP/s (> 0), measured or from the property
 * @param threads threads the probe ran on (the benchmark's worker count)
 * @param source  {@code FMA probe} or {@code property}
 * @param nominal the nominal peak for the same thread count
 */
public record DevicePeak(double gflops, int threads, String source, Nominal nominal) {
    /** Property overriding the CPU clock in GHz. */
    public static final String GHZ_PROPERTY = "strix.cpu.ghz";
    /** Property overriding the FMA units per core. */
    public static final String FMA_PROPERTY = "strix.cpu.fma_units";
    /** Property replacing the measured peak (GFLOP/s). */
    public static final String PEAK_PROPERTY = "strix.cpu.peak_gflops";
    /** {@link #source} of a measured peak. */
    public static final String PROBE = "FMA probe";
    /** {@link #source} of a peak given by {@link #PEAK_PROPERTY}. */
    public static final String PROPERTY = "property";
    private static final double ASSUMED_GHZ = 3.0;
    private static final Map<Integer, Double> MEASURED = new ConcurrentHashMap<>();

    public DevicePeak {
        if (!(gflops > 0) || !Double.isFinite(gflops))
            throw new IllegalArgumentException("peak must be a positive finite GFLOP/s, got " + gflops);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }

    /**
     * The nominal float32 peak: {@code cores x GHz x lanes x 2 x FMA units}.
     *
     * @param gflops   the peak in GFLOP/s (> 0)
     * @param cores    cores counted
     * @param ghz      clock used
     * @param lanes    float lanes per vector
     * @param fmaUnits FMA pipes per core
     * @param source   where the clock came from: {@code property}, {@code /proc/cpuinfo} or {@code assumed}
     */
    public record Nominal(double gflops, int cores, double ghz, int lanes, int fmaUnits, String source) {
        /** {@code 2 cores x 2.60 GHz x 8 lanes x 2 x 2 FMA = 166.1 GFLOP/s (/proc/cpuinfo)}. */
        public String describe() {
            return String.format(Locale.ROOT, "%d core%s x %.2f GHz x %d lanes x 2 x %d FMA = %.1f GFLOP/s (%s)",
                    cores, cores == 1 ? "" : "s", ghz, lanes, fmaUnits, gflops, source);
        }
    }

    /**
     * The CPU peak for {@code threads} worker threads: {@link #PEAK_PROPERTY} when set, else the {@link FmaPeak}
     * probe on {@code threads} threads (run on the first call for that count, then remembered).
     */
    public static DevicePeak cpu(int threads) {
        int n = Math.max(1, threads);
        Nominal nominal = nominal(n);
        double configured = configuredGflops();
        if (configured > 0) return new DevicePeak(configured, n, PROPERTY, nominal);
        double measured = MEASURED.computeIfAbsent(n, t -> FmaPeak.measure(t).gflops());
        return new DevicePeak(measured, n, PROBE, nominal);
    }

    /**
     * The value of {@link #PEAK_PROPERTY}, or 0 when it is not set; a value that is not a positive number
     * throws, naming the property. Commands call it first so that a typo fails before any benchmark runs.
     */
    public static double configuredGflops() {
        String configured = System.getProperty(PEAK_PROPERTY);
        if (configured == null) return 0;
        double v;
        try {
            v = Double.parseDouble(configured.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + PEAK_PROPERTY + " needs a number of GFLOP/s, got '" + configured + "'");
        }
        if (!(v > 0) || !Double.isFinite(v))
            throw new IllegalArgumentException("-D" + PEAK_PROPERTY + " must be a positive number of GFLOP/s, got '"
                    + configured + "'");
        return v;
    }

    /** The nominal CPU peak for {@code threads} worker threads. */
    public static Nominal nominal(int threads) {
        int cores = Math.max(1, Math.min(threads, Runtime.getRuntime().availableProcessors()));
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        Path cpuinfo = Path.of("/proc/cpuinfo");
        int fma = Integer.getInteger(FMA_PROPERTY, lanes >= 16 && isAmd(cpuinfo) ? 1 : 2);
        if (fma < 1) throw new IllegalArgumentException("-D" + FMA_PROPERTY + " must be >= 1, got " + fma);
        String configured = System.getProperty(GHZ_PROPERTY);
        double ghz;
        String source;
        if (configured != null) {
            try {
                ghz = Double.parseDouble(configured.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + GHZ_PROPERTY + " needs a number, got '" + configured + "'");
            }
            if (!(ghz > 0)) throw new IllegalArgumentException("-D" + GHZ_PROPERTY + " must be > 0, got " + ghz);
            source = "property";
        } else {
            ghz = cpuinfoGhz(cpuinfo);
            source = ghz > 0 ? "/proc/cpuinfo" : "assumed";
            if (!(ghz > 0)) ghz = ASSUMED_GHZ;
        }
        return new Nominal(cores * ghz * lanes * 2.0 * fma, cores, ghz, lanes, fma, source);
    }

    /** {@code achieved} GFLOP/s over this (measured) peak. */
    public double fraction(double achieved) {
        return achieved / gflops;
    }

    /** {@code achieved} GFLOP/s over the nominal peak. */
    public double nominalFraction(double achieved) {
        return achieved / nominal.gflops();
    }

    /** True when a cpuinfo file names AMD as the vendor. */
    static boolean isAmd(Path cpuinfo) {
        try {
            for (String line : Files.readAllLines(cpuinfo))
                if (line.startsWith("vendor_id")) return line.contains("AuthenticAMD");
        } catch (IOException | SecurityException e) {
            return false;
        }
        return false;
    }

    /** The largest {@code cpu MHz} entry of a cpuinfo file in GHz, or 0 when there is none. */
    static double cpuinfoGhz(Path cpuinfo) {
        List<String> lines;
        try {
            lines = Files.readAllLines(cpuinfo);
        } catch (IOException | SecurityException e) {
            return 0;
        }
        double mhz = 0;
        for (String line : lines) {
            if (!line.startsWith("cpu MHz")) continue;
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            try {
                mhz = Math.max(mhz, Double.parseDouble(line.substring(colon + 1).trim()));
            } catch (NumberFormatException ignored) {
                // a malformed line: skip it
            }
        }
        return mhz / 1000.0;
    }

    /**
     * {@code measured peak 230.0 GFLOP/s (2 threads, FMA probe); nominal 2 cores x 2.60 GHz x 16 lanes x 2 x 1 FMA
     * = 166.1 GFLOP/s (/proc/cpuinfo)}.
     */
    public String describe() {
        return String.format(Locale.ROOT, "%s peak %.1f GFLOP/s (%d thread%s, %s); nominal %s",
                source.equals(PROBE) ? "measured" : "configured", gflops, threads, threads == 1 ? "" : "s", source,
                nominal.describe());
    }
}
