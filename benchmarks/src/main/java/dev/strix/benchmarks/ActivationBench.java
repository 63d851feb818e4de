package dev.strix.benchmarks;

import dev.strix.kernels.Activation;
import dev.strix.kernels.Activations;
import dev.strix.kernels.ActivationsReference;
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
 * ReLU forward and backward at DetNet activation sizes, batch 8: the SIMD {@link Activations} against the
 * double-precision {@link ActivationsReference}. Each setup checks both passes of the timed variant against the
 * reference first.
 *
 * <p>Sizes: {@code CxHxWxN} floats, e.g. {@code 64x32x32x8} (a stride-8 feature map) and {@code 16x128x128x8}
 * (the stem's output).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss8m"})
public class ActivationBench {

    /** One activation tensor, its gradient and the implementation to time. */
    @State(Scope.Benchmark)
    public static class Data {
        @Param({"64x32x32x8", "16x128x128x8"})
        public String size;
        @Param({"simd", "reference"})
        public String impl;

        int n;
        float[] x, y, dy, dx;

        @Setup(Level.Trial)
        public void setup() {
            n = Agreement.numel(size);
            x = Agreement.uniform(n, 1, 1);
            dy = Agreement.uniform(n, 1, 2);
            y = new float[n];
            dx = new float[n];
            float[] wantY = new float[n], wantDx = new float[n];
            ActivationsReference.forward(Activation.RELU, 0f, wantY, x, n);
            ActivationsReference.backward(Activation.RELU, 0f, wantDx, dy, x, n);
            forward();
            backward();
            // max(x, 0) and the masked copy of dy are exact in any precision
            Agreement.check(impl + " relu forward " + size, y, wantY, 0, 0);
            Agreement.check(impl + " relu backward " + size, dx, wantDx, 0, 0);
        }

        void forward() {
            if (impl.equals("simd")) Activations.forward(Activation.RELU, 0f, y, x, n);
            else ActivationsReference.forward(Activation.RELU, 0f, y, x, n);
        }

        void backward() {
            if (impl.equals("simd")) Activations.backward(Activation.RELU, 0f, dx, dy, x, null, n);
            else ActivationsReference.backward(Activation.RELU, 0f, dx, dy, x, n);
        }
    }

    @Benchmark
    public void reluForward(Data d, Blackhole bh) {
        d.forward();
        bh.consume(d.y);
    }

    @Benchmark
    public void reluBackward(Data d, Blackhole bh) {
        d.backward();
        bh.consume(d.dx);
    }
}
