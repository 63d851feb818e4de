package dev.strix.detection.bench;

import jdk.incubator.vector.FloatVector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The nominal float32 peak of the machine the benchmark runs on, the denominator of {@code peak_fraction}.
 *
 * <p>CPU: {@code peak GFLOP/s = cores x GHz x lanes x 2 (a fused multiply-add is 2 flops) x FMA units per core},
 * where cores is the number of worker threads (at most the available processors), lanes the float lanes of
 * the CPU's widest vector ({@code FloatVector.SPECIES_PREFERRED}, 8 for AVX2, 16 for AVX-512), FMA units 2
 * (every AVX2 core since Haswell and Zen 2), except 1 for 512-bit vectors on AMD ({@code AuthenticAMD} in
 * {@code /proc/cpuinfo}: Zen 4 executes a 512-bit FMA as two 256-bit halves, so its peak equals the AVX2 one);
 * {@code -Dstrix.cpu.fma_units} overrides the count. GHz is taken from
 * {@code -Dstrix.cpu.ghz}, else the largest {@code cpu MHz} in {@code /proc/cpuinfo}, else assumed 3.0 (the
 * {@link #source} then says so). This is the sustained-all-core ideal; turbo and AVX clock offsets shift it
 * by some 10-20%.
 *
 * @param gflops      the peak in GFLOP/s (> 0)
 * @param cores       cores counted
 * @param ghz         clock used
 * @param lanes       float lanes per vector
 * @param fmaUnits    FMA pipes per core
 * @param source      where the clock came from: {@code property}, {@code /proc/cpuinfo} or {@code assumed}
 */
public record DevicePeak(double gflops, int cores, double ghz, int lanes, int fmaUnits, String source) {
    /** Property overriding the CPU clock in GHz. */
    public static final String GHZ_PROPERTY = "strix.cpu.ghz";
    /** Property overriding the FMA units per core. */
    public static final String FMA_PROPERTY = "strix.cpu.fma_units";
    private static final double ASSUMED_GHZ = 3.0;

    /** The CPU peak for {@code threads} worker threads. */
    public static DevicePeak cpu(int threads) {
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
        return new DevicePeak(cores * ghz * lanes * 2.0 * fma, cores, ghz, lanes, fma, source);
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

    /** {@code 2 cores x 2.60 GHz x 8 lanes x 2 x 2 FMA = 166.1 GFLOP/s (/proc/cpuinfo)}. */
    public String describe() {
        return String.format(Locale.ROOT, "%d core%s x %.2f GHz x %d lanes x 2 x %d FMA = %.1f GFLOP/s (%s)",
                cores, cores == 1 ? "" : "s", ghz, lanes, fmaUnits, gflops, source);
    }
}
