package dev.strix.benchmarks;

import dev.strix.kernels.Elementwise;
import dev.strix.kernels.ElementwiseReference;
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
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * Same-shape element-wise addition (the residual and FPN merges) at DetNet activation sizes, batch 8: the SIMD
 * {@link Elementwise} against the scalar {@link ElementwiseReference}, checked against it in setup first.
 *
 * <p>Sizes: {@code CxHxWxN} floats.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss8m"})
public class ElementwiseBench {

    /** Two operands, the output and the implementation to time. */
    @State(Scope.Benchmark)
    public static class Data {
        @Param({"64x32x32x8", "16x128x128x8"})
        public String size;
        @Param({"simd", "reference"})
        public String impl;

        int n;
        float[] a, b, out;

        @Setup(Level.Trial)
        public void setup() {
            n = Agreement.numel(size);
            a = Agreement.uniform(n, 1, 1);
            b = Agreement.uniform(n, 1, 2);
            out = new float[n];
            float[] want = new float[n];
            ElementwiseReference.binary(Elementwise.Binary.ADD, want, a, b, n);
            add();
            // one float addition per element: correctly rounded in both
            Agreement.check(impl + " add " + size, out, want, 0, 0);
        }

        void add() {
            if (impl.equals("simd")) Elementwise.binary(Elementwise.Binary.ADD, out, a, b, n);
            else ElementwiseReference.binary(Elementwise.Binary.ADD, out, a, b, n);
        }
    }

    @Benchmark
    public void add(Data d, Blackhole bh) {
        d.add();
        bh.consume(d.out);
    }
}
