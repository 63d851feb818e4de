package dev.strix.benchmarks;

import dev.strix.kernels.Reductions;
import dev.strix.kernels.ReductionsReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Full sums (loss totals, gradient norms) at DetNet activation sizes, batch 8: the blocked SIMD
 * {@link Reductions#sum} against the double-accumulating {@link ReductionsReference#sum}, checked in setup first.
 *
 * <p>Sizes: {@code CxHxWxN} floats.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss8m"})
public class ReductionBench {

    /** The input and the implementation to time. */
    @State(Scope.Benchmark)
    public static class Data {
        @Param({"64x32x32x8", "16x128x128x8"})
        public String size;
        @Param({"simd", "reference"})
        public String impl;

        int n;
        float[] x;

        @Setup(Level.Trial)
        public void setup() {
            n = Agreement.numel(size);
            x = Agreement.uniform(n, 1, 1);
            double absSum = 0;
            for (int i = 0; i < n; i++) absSum += Math.abs(x[i]);
            // float blocks of at most Reductions.BLOCK terms: error well under 1e-6 of the sum of |x|
            Agreement.check(impl + " sum " + size, sum(), ReductionsReference.sum(x, 0, n), 1e-6 * absSum, 0);
        }

        double sum() {
            return impl.equals("simd") ? Reductions.sum(x, 0, n) : ReductionsReference.sum(x, 0, n);
        }
    }

    @Benchmark
    public double sum(Data d) {
        return d.sum();
    }
}
