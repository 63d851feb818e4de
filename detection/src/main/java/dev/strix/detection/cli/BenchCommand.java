package dev.strix.detection.cli;

import dev.strix.kernels.GemmBenchmark;
import dev.strix.kernels.Parallel;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * {@code strix bench gemm --size N [--threads T] [--warmup W] [--iters I]}: times the SGEMM kernel and prints a
 * human-readable line, then the result as a JSON object on the last line of stdout.
 */
final class BenchCommand implements Command {
    private static final String DESCRIPTION = "Benchmarks a kernel. Available: gemm (C = A B with square N x N "
            + "matrices, 2 N^3 floating-point operations). The last line of the output is a JSON object with the "
            + "median time \"ms\" and \"gflops\".";

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "benchmark a kernel (gemm)";
    }

    private static OptionSpec gemmSpec() {
        return new OptionSpec("bench gemm")
                .required("size", "N", "matrix side (N x N times N x N)")
                .optional("threads", "T", "worker threads (default: the configured worker count, "
                        + Parallel.threads() + " here)")
                .optional("warmup", "W", "untimed runs before timing (default 3)")
                .optional("iters", "I", "timed runs; the median is reported (default 10)");
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.getFirst().startsWith("--")) {
            if (args.contains("--help")) {
                out.print(new OptionSpec("bench").positional("gemm").help(DESCRIPTION));
                return 0;
            }
            throw new UsageException("strix bench: missing benchmark name (available: gemm; see 'strix bench --help')");
        }
        String which = args.getFirst();
        if (!which.equals("gemm"))
            throw new UsageException("strix bench: unknown benchmark '" + which + "' (available: gemm)");
        OptionSpec spec = gemmSpec();
        ParsedArgs a = spec.parse(args.subList(1, args.size()));
        if (a.helpRequested()) {
            out.print(spec.help(DESCRIPTION));
            return 0;
        }
        int size = a.intValue("size", 0, 1);
        int threads = a.intValue("threads", Parallel.threads(), 1);
        int warmup = a.intValue("warmup", 3, 0);
        int iters = a.intValue("iters", 10, 1);
        GemmBenchmark.Result r = GemmBenchmark.run(size, threads, warmup, iters);
        out.println(String.format(Locale.ROOT, "sgemm %d x %d x %d, %d thread%s: %.3f ms (median of %d), %.2f GFLOP/s",
                size, size, size, r.threads(), r.threads() == 1 ? "" : "s", r.ms(), iters, r.gflops()));
        out.println(r.toJson());
        return 0;
    }
}
