package dev.strix.detection.bench;

import dev.strix.nn.io.Json;

import dev.strix.nn.OpProfiler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code strix bench model} measured.
 *
 * @param config         the configuration
 * @param device         device name ({@code cpu}, ...)
 * @param msPerStep      median wall time of one step in milliseconds
 * @param msMin          fastest step
 * @param msMax          slowest step
 * @param gflopPerImage  forward GFLOP of one image ({@code DetNet.forwardFlops})
 * @param peak           the measured (and nominal) peak of the device, or null when unknown (accelerators for now)
 * @param peakHeapMb     largest used Java heap during the timed steps, MiB
 * @param peakDeviceMb   largest device memory in use during the timed steps, MiB (0 on the CPU)
 * @param phaseMs        median milliseconds per phase (insertion ordered)
 * @param loss           summed task losses of the last step (NaN for inference)
 * @param positives      positive locations of the last step's assignment (0 for inference)
 * @param collections    garbage collections during the timed steps
 * @param cudaGraph      true when each step replayed a captured CUDA graph (CUDA only; for training the whole step)
 * @param simd           description of the vector width in use
 * @param profile        wall time per op over the timed steps ({@link OpProfiler}), or null when not profiled
 * @param heapGrowthMb   live Java heap after the timed steps minus before them (after full collections), MiB
 * @param deviceGrowthMb device memory in use after the timed steps minus before them, MiB (0 on the CPU)
 * @param stepsMs        wall time of each timed step in order, milliseconds (the median and extremes above are of
 *                       these)
 */
public record ModelBenchResult(ModelBenchConfig config, String device, double msPerStep, double msMin, double msMax,
                               double gflopPerImage, DevicePeak peak, double peakHeapMb, double peakDeviceMb,
                               Map<String, Double> phaseMs, double loss, int positives, long collections,
                               boolean cudaGraph, String simd, List<OpProfiler.Entry> profile,
                               double heapGrowthMb, double deviceGrowthMb, double[] stepsMs) {
    /** Images per second at the median step time. */
    public double imagesPerSecond() {
        return config.batch() * 1000.0 / msPerStep;
    }

    /** Achieved GFLOP/s: forward GFLOP per image x batch x {@link BenchMode#flopsFactor()} / median time. */
    public double gflops() {
        return gflopPerImage * config.batch() * config.mode().flopsFactor() / (msPerStep / 1000.0);
    }

    /** {@link #gflops()} over the device's measured peak; 0 when the peak is unknown. */
    public double peakFraction() {
        return peak == null ? 0 : peak.fraction(gflops());
    }

    /** Human-readable summary (several lines, no trailing newline). */
    public String describe() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "detnet %s [%s] batch %d x %d, %s%s, %d thread%s, simd %s%n",
                config.mode().label(), config.model().summary(), config.batch(), config.size(), device,
                cudaGraph ? " (CUDA graph replay)" : "",
                config.threads(), config.threads() == 1 ? "" : "s", simd));
        sb.append(String.format(Locale.ROOT,
                "  %.2f ms/step (median of %d, min %.2f, max %.2f), %.2f img/s, %.2f GFLOP/s%n",
                msPerStep, config.iters(), msMin, msMax, imagesPerSecond(), gflops()));
        sb.append(peak == null ? "  peak: unknown for this device\n"
                : String.format(Locale.ROOT, "  %.1f%% of %s%n", 100 * peakFraction(), peak.describe()));
        sb.append(String.format(Locale.ROOT, "  peak heap %.1f MiB (%d GCs while timing), device memory %s%n",
                peakHeapMb, collections, device.equals("cpu") ? "n/a" : String.format(Locale.ROOT, "%.1f MiB", peakDeviceMb)));
        sb.append(String.format(Locale.ROOT, "  live memory after the %d timed steps minus before (after a full GC): "
                + "heap %+.1f MiB, device %s%n", config.iters(), heapGrowthMb,
                device.equals("cpu") ? "n/a" : String.format(Locale.ROOT, "%+.1f MiB", deviceGrowthMb)));
        sb.append("  phases (median ms):");
        for (var e : phaseMs.entrySet()) sb.append(String.format(Locale.ROOT, " %s %.2f", e.getKey(), e.getValue()));
        if (config.mode() == BenchMode.TRAIN)
            sb.append(String.format(Locale.ROOT, "%n  last loss %.4f, %d positive locations", loss, positives));
        if (profile != null) sb.append(System.lineSeparator()).append(profileTable());
        return sb.toString();
    }

    /** Rows of the profile shown before the rest is summed into one line. */
    static final int PROFILE_ROWS = 30;

    /** The profile as a table, milliseconds per step (several lines, no trailing newline). */
    String profileTable() {
        double total = 0;
        for (OpProfiler.Entry e : profile) total += e.totalMs();
        int n = config.iters();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "  profile, ms per step (mean of %d; an op's forward is the time since the previous op):%n", n));
        sb.append(String.format(Locale.ROOT, "    %-40s %6s %9s %9s %9s %6s", "op", "calls", "forward", "backward",
                "total", "share"));
        double rest = 0;
        int restOps = 0;
        for (int i = 0; i < profile.size(); i++) {
            OpProfiler.Entry e = profile.get(i);
            if (i >= PROFILE_ROWS) {
                rest += e.totalMs();
                restOps++;
                continue;
            }
            sb.append(String.format(Locale.ROOT, "%n    %-40s %6.1f %9.2f %9.2f %9.2f %5.1f%%", e.op(),
                    (double) Math.max(e.forwardCalls(), e.backwardCalls()) / n, e.forwardMs() / n, e.backwardMs() / n,
                    e.totalMs() / n, total > 0 ? 100 * e.totalMs() / total : 0));
        }
        if (restOps > 0)
            sb.append(String.format(Locale.ROOT, "%n    %-40s %6s %9s %9s %9.2f %5.1f%%", "(" + restOps + " more ops)", "",
                    "", "", rest / n, total > 0 ? 100 * rest / total : 0));
        sb.append(String.format(Locale.ROOT, "%n    %-40s %6s %9s %9s %9.2f", "all ops", "", "", "", total / n));
        return sb.toString();
    }

    /** One-line JSON with the result keys first, then the configuration. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ms_per_step", Medians.round(msPerStep, 4));
        m.put("img_per_s", Medians.round(imagesPerSecond(), 3));
        m.put("gflops", Medians.round(gflops(), 3));
        m.put("peak_fraction", Medians.round(peakFraction(), 5));
        m.put("peak_heap_mb", Medians.round(peakHeapMb, 2));
        m.put("peak_device_mb", Medians.round(peakDeviceMb, 2));
        m.put("heap_growth_mb", Medians.round(heapGrowthMb, 2));
        m.put("device_growth_mb", Medians.round(deviceGrowthMb, 2));
        m.put("impl", "strix");
        m.put("model", "detnet");
        m.put("mode", config.mode().label());
        m.put("device", device);
        m.put("cuda_graph", cudaGraph);
        m.put("batch", config.batch());
        m.put("size", config.size());
        m.put("classes", config.model().numClasses());
        m.put("width", config.model().width());
        m.put("fpn", config.model().fpnChannels());
        m.put("depth", config.model().towerDepth());
        m.put("threads", config.threads());
        m.put("warmup", config.warmup());
        m.put("iters", config.iters());
        m.put("ms_min", Medians.round(msMin, 4));
        m.put("ms_max", Medians.round(msMax, 4));
        // every timed step, so that a run's spread and drift can be seen, not only its median
        List<Object> steps = new ArrayList<>();
        for (double v : stepsMs) steps.add(Medians.round(v, 3));
        m.put("steps_ms", steps);
        m.put("gflop_per_image", Medians.round(gflopPerImage, 5));
        m.put("flops_factor", config.mode().flopsFactor());
        m.put("peak_gflops", peak == null ? 0.0 : Medians.round(peak.gflops(), 2));
        if (peak != null) {
            m.put("peak_source", peak.source());
            m.put("peak_gflops_nominal", Medians.round(peak.nominal().gflops(), 2));
            m.put("peak_fraction_nominal", Medians.round(peak.nominalFraction(gflops()), 5));
            m.put("cpu_ghz", Medians.round(peak.nominal().ghz(), 3));
        }
        Map<String, Object> phases = new LinkedHashMap<>();
        phaseMs.forEach((k, v) -> phases.put(k, Medians.round(v, 4)));
        m.put("phases_ms", phases);
        if (config.mode() == BenchMode.TRAIN) {
            m.put("loss", Medians.round(loss, 5));
            m.put("positives", positives);
        }
        m.put("gc_count", collections);
        m.put("simd", simd);
        if (profile != null) {
            List<Object> rows = new ArrayList<>();
            int n = config.iters();
            for (OpProfiler.Entry e : profile) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("op", e.op());
                row.put("calls_per_step", Medians.round((double) Math.max(e.forwardCalls(), e.backwardCalls()) / n, 3));
                row.put("forward_ms", Medians.round(e.forwardMs() / n, 4));
                row.put("backward_ms", Medians.round(e.backwardMs() / n, 4));
                rows.add(row);
            }
            m.put("profile", rows);
        }
        return Json.write(m);
    }
}
