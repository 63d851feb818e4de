package dev.strix.detection.cli;

import dev.strix.cuda.CudaAvailability;
import dev.strix.cuda.CudaReport;
import dev.strix.kernels.Parallel;
import dev.strix.kernels.Simd;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * {@code strix info}: the Java runtime, SIMD width, cores, worker threads, heap and available backends, and what
 * {@link CudaReport} finds out about CUDA.
 */
final class InfoCommand implements Command {
    @Override
    public String name() {
        return "info";
    }

    @Override
    public String summary() {
        return "show the Java runtime, SIMD width, threads and backends";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        OptionSpec spec = new OptionSpec("info");
        if (spec.parse(args).helpRequested()) {
            out.print(spec.help("Prints what Strix runs on: Java version and vendor, JAVA_HOME, the SIMD width "
                    + "of the Vector API, CPU cores, worker threads, maximum heap and the available backends; for "
                    + "CUDA the devices (name, memory, compute capability), the driver, runtime, cuBLAS and cuDNN "
                    + "versions and the library files loaded, or why CUDA is not usable and every place searched "
                    + "for each library."));
            return 0;
        }
        String javaHome = System.getenv("JAVA_HOME");
        out.println("strix:   " + Version.string());
        out.println("java:    " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor")
                + ", " + System.getProperty("java.vm.name") + ")");
        out.println("runtime: " + System.getProperty("java.home"));
        out.println("JAVA_HOME: " + (javaHome == null || javaHome.isBlank() ? "(not set)" : javaHome));
        out.println("simd:    " + simd());
        out.println("cores:   " + Runtime.getRuntime().availableProcessors());
        out.println("threads: " + Parallel.threads() + " workers (set with -D" + Parallel.PROPERTY + "=N)");
        out.println("heap:    " + String.format(Locale.ROOT, "%.1f GiB max", Runtime.getRuntime().maxMemory() / 1073741824.0));
        out.println("backends: cpu (always), cuda (" + (CudaAvailability.probe().usable() ? "usable" : "not usable") + ")");
        out.println("cuda:");
        for (String line : CudaReport.collect().lines()) out.println("  " + line);
        return 0;
    }

    /** The Vector API species, or why it cannot be used (the module was not added to the JVM). */
    private static String simd() {
        try {
            return Simd.describe();
        } catch (LinkageError e) {
            return "unavailable (start Java with --add-modules jdk.incubator.vector)";
        }
    }
}
