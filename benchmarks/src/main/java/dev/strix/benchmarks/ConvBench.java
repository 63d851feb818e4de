package dev.strix.benchmarks;

import dev.strix.kernels.Conv2d;
import dev.strix.kernels.Conv2dReference;
import dev.strix.kernels.ConvShape;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * Forward convolution at DetNet layer shapes, batch 8: {@link Conv2d} as it runs ({@code simd}: Winograd for the
 * 3x3 stride-1 layers where it pays, implicit GEMM or im2col + packed GEMM otherwise), {@link Conv2d} with the
 * Winograd path off ({@code implicit}), and the nested-loop {@link Conv2dReference}. Each setup checks the timed
 * variant against the reference.
 *
 * <p>Layer names: {@code cCIN_COUT_HW_kK_sS} for a K x K convolution with stride S on an HW x HW input.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss8m"})
public class ConvBench {
    static final int BATCH = 8;

    /** One layer's tensors and the implementation to time. */
    @State(Scope.Benchmark)
    public static class Layer {
        @Param({"c3_16_256_k3_s2", "c16_32_128_k3_s2", "c32_32_64_k3_s1", "c64_64_32_k3_s1", "c128_128_16_k3_s1",
                "c256_256_8_k3_s1", "c256_64_8_k1_s1", "c64_20_32_k1_s1"})
        public String layer;
        @Param({"simd", "implicit", "reference"})
        public String impl;

        ConvShape shape;
        float[] x, w, bias, y;

        @Setup(Level.Trial)
        public void setup() {
            Conv2d.useWinograd(!impl.equals("implicit"));
            shape = parse(layer);
            x = GemmBench.random(shape.inputSize(), 1);
            w = GemmBench.random(shape.weightSize(), 2);
            bias = GemmBench.random(shape.outChannels(), 3);
            y = new float[shape.outputSize()];
            float[] want = new float[shape.outputSize()];
            Conv2dReference.forward(want, x, w, bias, shape);
            run();
            for (int i = 0; i < want.length; i++) {
                // float sums of up to 2304 products of values in [-1, 1]
                if (!(Math.abs(want[i] - y[i]) <= 1e-3 + 1e-4 * Math.abs(want[i])))
                    throw new IllegalStateException(impl + " conv " + layer + ": y[" + i + "] = " + y[i]
                            + ", expected " + want[i]);
            }
        }

        void run() {
            if (impl.equals("reference")) Conv2dReference.forward(y, x, w, bias, shape);
            else Conv2d.forward(y, x, w, bias, shape);
        }

        @TearDown(Level.Trial)
        public void restore() {
            Conv2d.useWinograd(true);
        }
    }

    @Benchmark
    public void forward(Layer l, Blackhole bh) {
        l.run();
        bh.consume(l.y);
    }

    /** Parses {@code cCIN_COUT_HW_kK_sS} (padding K/2). */
    static ConvShape parse(String name) {
        String[] f = name.substring(1).split("_");
        int cin = Integer.parseInt(f[0]), cout = Integer.parseInt(f[1]), hw = Integer.parseInt(f[2]);
        int k = Integer.parseInt(f[3].substring(1)), s = Integer.parseInt(f[4].substring(1));
        return ConvShape.of(BATCH, cin, hw, hw, cout, k, s, k / 2);
    }
}
