package dev.strix.detection.cli;

import dev.strix.detection.bench.BenchMode;
import dev.strix.detection.bench.ComparisonChart;
import dev.strix.detection.bench.ConvBenchmark;
import dev.strix.detection.bench.DevicePeak;
import dev.strix.detection.bench.ModelBenchConfig;
import dev.strix.detection.bench.ModelBenchResult;
import dev.strix.detection.bench.ModelBenchmark;
import dev.strix.detection.model.DetNetConfig;
import dev.strix.kernels.GemmBenchmark;
import dev.strix.kernels.Parallel;
import dev.strix.nn.Device;
import dev.strix.nn.cuda.CudaDevice;
import dev.strix.nn.cuda.DeviceOutOfMemoryException;
import dev.strix.nn.io.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code strix bench gemm|model|conv|plot}: kernel and end-to-end benchmarks. Every benchmark prints a
 * human-readable summary, then its result as a JSON object on the last line of stdout ({@code --json FILE} also
 * writes that object to a file); {@code plot} draws a comparison summary as a PNG.
 */
final class BenchCommand implements Command {
    private static final List<String> BENCHMARKS = List.of("gemm", "model", "conv", "plot");
    private static final String DESCRIPTION = """
            Benchmarks Strix. Available:
              gemm   the SGEMM kernel, C = A B with square N x N matrices (2 N^3 flops)
              model  one DetNet step end to end: 'train' (forward, FCOS assignment on fixed synthetic targets,
                     focal + GIoU + centerness losses, backward, SGD update) or 'infer' (eval forward, no grad)
              conv   the convolution kernels (forward, backward-data, backward-filter) on DetNet's shapes
              plot   draws the summary of benchmarks/scripts/detnet_vs_pytorch.sh as a bar chart (PNG)
            The last line of a benchmark's output is a JSON object; see 'strix bench <name> --help'.""";
    private static final String MODEL_DESCRIPTION = "Times DetNet steps on a fixed seeded batch and fixed seeded "
            + "boxes (2-5 per image). Reports the median step time, images/s, achieved GFLOP/s (forward FLOPs x1 "
            + "for infer, x3 for train), the fraction of the device's peak (CPU: measured by an FMA-throughput probe "
            + "on the same threads, or -Dstrix.cpu.peak_gflops; the nominal cores x GHz x lanes x 2 x FMA units, "
            + "with -Dstrix.cpu.ghz overriding the clock read from /proc/cpuinfo, is reported beside it), the peak "
            + "Java heap during the timed steps and the per-phase medians. With --cuda-graph (CUDA only) each step "
            + "replays one captured CUDA graph: the forward pass for infer; for train the whole step (forward, loss, "
            + "backward, SGD update on the fixed targets, uploaded once), captured after 2 eager steps, with the "
            + "phases step (queuing the replay) and readback (reading the loss, which waits for the GPU). The last "
            + "line is a JSON object with ms_per_step, img_per_s, gflops, peak_fraction, peak_heap_mb, "
            + "peak_device_mb, heap_growth_mb and device_growth_mb (live memory after the timed steps minus before, "
            + "both after full collections), peak_gflops, peak_gflops_nominal, steps_ms (every timed step in order) "
            + "and the configuration. --profile adds a "
            + "table (and "
            + "a \"profile\" array in the JSON) of milliseconds per step for every op, forward and backward, one row "
            + "per convolution shape; an op's forward is the host time since the previous op, which on CUDA is its "
            + "launch rather than its kernels.";
    private static final String CONV_DESCRIPTION = "Times the convolution kernels (the CPU's, or cuDNN's with "
            + "--device cuda) on every distinct DetNet convolution shape (each pass checked against a "
            + "double-precision direct sum first). The last line is a JSON object with per-shape milliseconds, "
            + "GFLOP/s and, on the CPU, the fraction of the measured peak (see 'strix bench model --help').";
    private static final String PLOT_DESCRIPTION = "Draws a Strix-vs-PyTorch summary (the JSON that "
            + "benchmarks/scripts/detnet_vs_pytorch.sh writes) as a grouped bar chart of images/s.";

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "benchmark kernels and the DetNet step (gemm, model, conv, plot)";
    }

    private static OptionSpec gemmSpec() {
        return new OptionSpec("bench gemm")
                .required("size", "N", "matrix side (N x N times N x N)")
                .optional("threads", "T", threadsHelp())
                .optional("warmup", "W", "untimed runs before timing (default 3)")
                .optional("iters", "I", "timed runs; the median is reported (default 10)");
    }

    private static String threadsHelp() {
        return "worker threads (default: the configured worker count, " + Parallel.threads() + " here)";
    }

    private static OptionSpec withModelShape(OptionSpec spec) {
        DetNetConfig d = DetNetConfig.defaults();
        return spec.required("batch", "B", "images per step")
                .required("size", "S", "image side in pixels, a multiple of 32")
                .optional("classes", "C", "classes (default " + d.numClasses() + ")")
                .optional("width", "W", "backbone base width (default " + d.width() + ")")
                .optional("fpn", "F", "FPN and head channels (default " + d.fpnChannels() + ")")
                .optional("depth", "D", "conv layers per head tower (default " + d.towerDepth() + ")")
                .optional("threads", "T", threadsHelp());
    }

    private static OptionSpec modelSpec() {
        return withModelShape(new OptionSpec("bench model")
                .optional("model", "NAME", "the model (only detnet)"))
                .required("mode", "train|infer", "what one step does")
                .optional("device", "cpu|cuda|cuda:N|auto", "where to run (default cpu)")
                .flag("cuda-graph", "replay each step as one captured CUDA graph (CUDA only): the forward pass for "
                        + "--mode infer, forward, loss, backward and SGD update for --mode train")
                .flag("profile", "also time every op of the timed steps and print the table (slower steps)")
                .optional("warmup", "W", "untimed steps before timing (default 20: the JIT compiles the kernels "
                        + "during the first ~20 steps)")
                .optional("iters", "N", "timed steps; the median is reported (default 10)")
                .optional("seed", "SEED", "seed of weights, input and targets (default 0)")
                .optional("json", "FILE", "also write the JSON result to FILE");
    }

    private static OptionSpec convSpec() {
        return withModelShape(new OptionSpec("bench conv"))
                .optional("device", "cpu|cuda|cuda:N|auto", "where to run (default cpu: the CPU kernels)")
                .optional("warmup", "W", "untimed runs per pass (default 2)")
                .optional("iters", "N", "timed runs per pass; the median is reported (default 5)")
                .optional("json", "FILE", "also write the JSON result to FILE");
    }

    private static OptionSpec plotSpec() {
        return new OptionSpec("bench plot")
                .required("json", "FILE", "the comparison summary (JSON)")
                .required("out", "PNG", "the chart to write");
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.getFirst().startsWith("--")) {
            if (args.contains("--help")) {
                out.print(new OptionSpec("bench").positional(String.join("|", BENCHMARKS)).help(DESCRIPTION));
                return 0;
            }
            throw new UsageException("strix bench: missing benchmark name (available: " + String.join(", ", BENCHMARKS)
                    + "; see 'strix bench --help')");
        }
        String which = args.getFirst();
        List<String> rest = args.subList(1, args.size());
        return switch (which) {
            case "gemm" -> gemm(rest, out);
            case "model" -> model(rest, out, err);
            case "conv" -> conv(rest, out, err);
            case "plot" -> plot(rest, out);
            default -> throw new UsageException("strix bench: unknown benchmark '" + which + "' (available: "
                    + String.join(", ", BENCHMARKS) + ")");
        };
    }

    private static int gemm(List<String> args, PrintStream out) {
        OptionSpec spec = gemmSpec();
        ParsedArgs a = spec.parse(args);
        if (a.helpRequested()) {
            out.print(spec.help("Times the SGEMM kernel (C = A B, square N x N matrices, 2 N^3 flops). The last "
                    + "line of the output is a JSON object with the median time \"ms\", \"gflops\", \"peak_fraction\" "
                    + "of the measured peak \"peak_gflops\" and the nominal \"peak_gflops_nominal\" (see "
                    + "'strix bench model --help')."));
            return 0;
        }
        DevicePeak.configuredGflops();
        int size = a.intValue("size", 0, 1);
        int threads = a.intValue("threads", Parallel.threads(), 1);
        int warmup = a.intValue("warmup", 3, 0);
        int iters = a.intValue("iters", 10, 1);
        GemmBenchmark.Result r = GemmBenchmark.run(size, threads, warmup, iters);
        DevicePeak peak = DevicePeak.cpu(r.threads());
        out.println(String.format(Locale.ROOT, "sgemm %d x %d x %d, %d thread%s: %.3f ms (median of %d), %.2f GFLOP/s",
                size, size, size, r.threads(), r.threads() == 1 ? "" : "s", r.ms(), iters, r.gflops()));
        out.println(String.format(Locale.ROOT, "  %.1f%% of %s", 100 * peak.fraction(r.gflops()), peak.describe()));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("size", r.size());
        json.put("threads", r.threads());
        json.put("ms", Math.round(r.ms() * 1e4) / 1e4);
        json.put("gflops", Math.round(r.gflops() * 100) / 100.0);
        json.put("peak_fraction", Math.round(peak.fraction(r.gflops()) * 1e5) / 1e5);
        json.put("peak_gflops", Math.round(peak.gflops() * 100) / 100.0);
        json.put("peak_source", peak.source());
        json.put("peak_gflops_nominal", Math.round(peak.nominal().gflops() * 100) / 100.0);
        out.println(Json.write(json));
        return 0;
    }

    /** The DetNet layout from --classes/--width/--fpn/--depth, and the checked --size. */
    private static DetNetConfig modelConfig(ParsedArgs a, OptionSpec spec) {
        DetNetConfig d = DetNetConfig.defaults();
        int size = a.intValue("size", 0, 1);
        if (size % 32 != 0) throw spec.usage("option --size must be a multiple of 32, got " + size);
        return new DetNetConfig(a.intValue("classes", d.numClasses(), 1), a.intValue("width", d.width(), 1),
                a.intValue("fpn", d.fpnChannels(), 1), a.intValue("depth", d.towerDepth(), 0));
    }

    private static int model(List<String> args, PrintStream out, PrintStream err) {
        OptionSpec spec = modelSpec();
        ParsedArgs a = spec.parse(args);
        if (a.helpRequested()) {
            out.print(spec.help(MODEL_DESCRIPTION));
            return 0;
        }
        DevicePeak.configuredGflops();
        a.choice("model", "detnet", List.of("detnet"));
        BenchMode mode = BenchMode.parse(a.choice("mode", "train", List.of("train", "infer")));
        DetNetConfig model = modelConfig(a, spec);
        ModelBenchConfig config = new ModelBenchConfig(model, mode, a.intValue("batch", 0, 1), a.intValue("size", 0, 1),
                a.intValue("warmup", 20, 0), a.intValue("iters", 10, 1), a.intValue("threads", Parallel.threads(), 1),
                a.intValue("seed", 0, 0));
        boolean graph = a.has("cuda-graph");
        Device device = Devices.resolve(DeviceSelection.spec(a, "cpu"), err);
        if (graph && !(device instanceof CudaDevice))
            throw a.usage("--cuda-graph needs a CUDA device, got " + device.name());
        ModelBenchResult r;
        try {
            r = ModelBenchmark.run(config, device, graph, a.has("profile"));
        } catch (DeviceOutOfMemoryException e) {
            throw Devices.outOfMemory("bench model", e, config.batch(), config.size(), device.name());
        }
        out.println(r.describe());
        String json = r.toJson();
        writeJson(a, json);
        out.println(json);
        return 0;
    }

    private static int conv(List<String> args, PrintStream out, PrintStream err) {
        OptionSpec spec = convSpec();
        ParsedArgs a = spec.parse(args);
        if (a.helpRequested()) {
            out.print(spec.help(CONV_DESCRIPTION));
            return 0;
        }
        DevicePeak.configuredGflops();
        DetNetConfig model = modelConfig(a, spec);
        int batch = a.intValue("batch", 0, 1), size = a.intValue("size", 0, 1);
        int threads = a.intValue("threads", Parallel.threads(), 1), warmup = a.intValue("warmup", 2, 0);
        int iters = a.intValue("iters", 5, 1);
        Device device = Devices.resolve(DeviceSelection.spec(a, "cpu"), err);
        ConvBenchmark.Result r = ConvBenchmark.run(model, batch, size, threads, warmup, iters, device);
        out.println(r.describe());
        String json = r.toJson();
        writeJson(a, json);
        out.println(json);
        return 0;
    }

    private static int plot(List<String> args, PrintStream out) {
        OptionSpec spec = plotSpec();
        ParsedArgs a = spec.parse(args);
        if (a.helpRequested()) {
            out.print(spec.help(PLOT_DESCRIPTION));
            return 0;
        }
        Path summary = a.existingFile("json"), png = a.path("out");
        try {
            int n = ComparisonChart.write(summary, png, 960, 560);
            out.println("wrote " + png + " (" + n + " configuration" + (n == 1 ? "" : "s") + ")");
        } catch (IOException e) {
            throw new CliException("strix bench plot: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw CliException.failure("strix bench plot: " + summary + ": " + e.getMessage());
        }
        return 0;
    }

    private static void writeJson(ParsedArgs a, String json) {
        if (!a.has("json")) return;
        Path file = a.path("json");
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(file, json + "\n");
        } catch (IOException e) {
            throw new CliException("strix bench: cannot write --json " + file + ": " + e.getMessage(), e);
        }
    }
}
