package dev.strix.kernels;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Times {@link Gemm#sgemm} on square size x size x size products (C = A * B, no transposes).
 *
 * <p>Before timing, a few entries of C are checked against double-precision dot products; a wrong
 * result throws instead of reporting a speed.
 */
public final class GemmBenchmark {
    private GemmBenchmark() {}

    /** One measurement: median wall time of one product and the resulting GFLOP/s (2 size^3 flops). */
    public record Result(int size, int threads, double ms, double gflops) {
        /** {@code {"size":1024,"threads":2,"ms":...,"gflops":...}}. */
        public String toJson() {
            return String.format(Locale.ROOT, "{\"size\":%d,\"threads\":%d,\"ms\":%.4f,\"gflops\":%.2f}",
                    size, threads, ms, gflops);
        }
    }

    /**
     * Runs the benchmark with {@code threads} workers (the previous worker count is restored afterwards).
     *
     * @param size    matrix side (>= 1)
     * @param threads worker threads (>= 1)
     * @param warmup  untimed runs before measuring (>= 0)
     * @param iters   timed runs (>= 1); the median is reported
     */
    public static Result run(int size, int threads, int warmup, int iters) {
        if (size < 1 || threads < 1 || warmup < 0 || iters < 1)
            throw new IllegalArgumentException("need size >= 1, threads >= 1, warmup >= 0, iters >= 1; got size="
                    + size + " threads=" + threads + " warmup=" + warmup + " iters=" + iters);
        int previous = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            SplittableRandom rnd = new SplittableRandom(42);
            float[] a = random(rnd, size * size), b = random(rnd, size * size), c = new float[size * size];
            Gemm.sgemm(false, false, size, size, size, 1f, a, 0, size, b, 0, size, 0f, c, 0, size);
            verify(a, b, c, size, rnd);
            for (int i = 0; i < warmup; i++)
                Gemm.sgemm(false, false, size, size, size, 1f, a, 0, size, b, 0, size, 0f, c, 0, size);
            double[] ms = new double[iters];
            for (int i = 0; i < iters; i++) {
                long t0 = System.nanoTime();
                Gemm.sgemm(false, false, size, size, size, 1f, a, 0, size, b, 0, size, 0f, c, 0, size);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            double median = iters % 2 == 1 ? ms[iters / 2] : 0.5 * (ms[iters / 2 - 1] + ms[iters / 2]);
            double gflops = 2.0 * size * size * size / (median * 1e6);
            return new Result(size, threads, median, gflops);
        } finally {
            Parallel.setThreads(previous);
        }
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }

    /** Checks corners and a few random entries of C against double dot products. */
    private static void verify(float[] a, float[] b, float[] c, int size, SplittableRandom rnd) {
        int[][] at = new int[12][];
        at[0] = new int[] {0, 0};
        at[1] = new int[] {size - 1, size - 1};
        at[2] = new int[] {0, size - 1};
        at[3] = new int[] {size - 1, 0};
        for (int t = 4; t < at.length; t++) at[t] = new int[] {rnd.nextInt(size), rnd.nextInt(size)};
        for (int[] ij : at) {
            int i = ij[0], j = ij[1];
            double sum = 0, abs = 0;
            for (int p = 0; p < size; p++) {
                double t = (double) a[i * size + p] * b[p * size + j];
                sum += t;
                abs += Math.abs(t);
            }
            float got = c[i * size + j];
            // float accumulation over `size` terms: error grows at most like size * 2^-24 * sum|terms|
            double tol = 1e-6 + 4.0 * size * 0x1p-24 * abs;
            if (!(Math.abs(got - sum) <= tol))
                throw new IllegalStateException("sgemm check failed at C[" + i + "][" + j + "]: got " + got
                        + ", expected " + sum + " (difference " + Math.abs(got - sum) + ", tolerance " + tol + ")");
        }
    }

    /** Prints one JSON line per size: {@code GemmBenchmark [size [threads [iters]]]}. */
    public static void main(String[] args) {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Parallel.threads();
        int iters = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        System.out.println(run(size, threads, Math.max(3, iters / 2), iters).toJson());
    }
}
