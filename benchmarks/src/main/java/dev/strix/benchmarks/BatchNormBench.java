package dev.strix.benchmarks;

import dev.strix.kernels.BatchNorm;
import dev.strix.kernels.BatchNormReference;
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
 * Training-mode batch norm, forward and backward, plain and fused with the ReLU that follows it, at DetNet shapes
 * (batch 8): the blocked {@link BatchNorm} against the double-precision {@link BatchNormReference} (the fused
 * variant's reference is the reference batch norm followed by a scalar ReLU pass, and dy masked where y &lt;= 0
 * before the reference backward). Each setup checks both passes of the timed variant first.
 *
 * <p>Shapes: {@code N_C_HxW}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss8m"})
public class BatchNormBench {

    /** One layer's tensors, the fusion flag and the implementation to time. */
    @State(Scope.Benchmark)
    public static class Layer {
        @Param({"8_16_128x128", "8_256_8x8"})
        public String shape;
        @Param({"false", "true"})
        public boolean relu;
        @Param({"simd", "reference"})
        public String impl;

        int n, c, hw;
        float[] x, y, dy, dx, gamma, beta, runningMean, runningVar, saveMean, saveInvStd, dgamma, dbeta, masked;
        static final float MOMENTUM = 0.1f, EPS = 1e-5f;

        @Setup(Level.Trial)
        public void setup() {
            String[] f = shape.split("_");
            n = Integer.parseInt(f[0]);
            c = Integer.parseInt(f[1]);
            hw = Agreement.numel(f[2]);
            int total = n * c * hw;
            x = Agreement.uniform(total, 2, 1);
            for (int i = 0; i < total; i++) x[i] += 0.5f; // a non-zero mean, as after a convolution
            dy = Agreement.uniform(total, 1, 2);
            gamma = Agreement.uniform(c, 1, 3);
            for (int i = 0; i < c; i++) gamma[i] += 1.5f;
            beta = Agreement.uniform(c, 0.5, 4);
            runningMean = new float[c];
            runningVar = new float[c];
            java.util.Arrays.fill(runningVar, 1f);
            y = new float[total];
            dx = new float[total];
            masked = new float[total];
            saveMean = new float[c];
            saveInvStd = new float[c];
            dgamma = new float[c];
            dbeta = new float[c];

            float[] wantY = new float[total], wantMean = new float[c], wantInvStd = new float[c];
            float[] wantDx = new float[total], wantDgamma = new float[c], wantDbeta = new float[c];
            float[] wantMasked = dy;
            BatchNormReference.forwardTraining(wantY, wantMean, wantInvStd, x, gamma, beta, null, null, MOMENTUM, EPS,
                    n, c, hw);
            if (relu) {
                wantMasked = new float[total];
                for (int i = 0; i < total; i++) {
                    wantY[i] = Math.max(wantY[i], 0f);
                    wantMasked[i] = wantY[i] > 0f ? dy[i] : 0f;
                }
            }
            BatchNormReference.backward(wantDx, wantDgamma, wantDbeta, wantMasked, x, gamma, wantMean, wantInvStd, n, c,
                    hw);
            forward();
            String what = impl + " batch norm" + (relu ? "+relu " : " ") + shape;
            // float normalisation of |x| <= 2.5 by statistics accumulated in double: a few float ulps of |y| <= 5
            Agreement.check(what + " y", y, wantY, 1e-5, 1e-5);
            Agreement.check(what + " mean", saveMean, wantMean, 1e-6, 1e-5);
            Agreement.check(what + " invStd", saveInvStd, wantInvStd, 0, 1e-5);
            // the backward from the reference's y and statistics, so a ReLU mask flipped at y ~ 0 cannot differ
            System.arraycopy(wantY, 0, y, 0, total);
            System.arraycopy(wantMean, 0, saveMean, 0, c);
            System.arraycopy(wantInvStd, 0, saveInvStd, 0, c);
            backward();
            // dgamma, dbeta: sums of n*hw (up to 131072) products of size <= 3, float blocks added in double
            double sums = 1e-4 * Math.sqrt((double) n * hw);
            Agreement.check(what + " dbeta", dbeta, wantDbeta, sums, 1e-5);
            Agreement.check(what + " dgamma", dgamma, wantDgamma, sums, 1e-5);
            Agreement.check(what + " dx", dx, wantDx, 1e-5 * Agreement.maxAbs(wantDx), 1e-4);
        }

        void forward() {
            if (impl.equals("simd")) {
                BatchNorm.forwardTraining(y, saveMean, saveInvStd, x, gamma, beta, runningMean, runningVar, MOMENTUM, EPS,
                        relu, n, c, hw);
                return;
            }
            BatchNormReference.forwardTraining(y, saveMean, saveInvStd, x, gamma, beta, runningMean, runningVar,
                    MOMENTUM, EPS, n, c, hw);
            if (relu) for (int i = 0; i < y.length; i++) y[i] = Math.max(y[i], 0f);
        }

        void backward() {
            if (impl.equals("simd")) {
                BatchNorm.backward(dx, dgamma, dbeta, dy, relu ? y : null, x, gamma, saveMean, saveInvStd, n, c, hw);
                return;
            }
            float[] g = dy;
            if (relu) {
                for (int i = 0; i < dy.length; i++) masked[i] = y[i] > 0f ? dy[i] : 0f;
                g = masked;
            }
            BatchNormReference.backward(dx, dgamma, dbeta, g, x, gamma, saveMean, saveInvStd, n, c, hw);
        }
    }

    @Benchmark
    public void forwardTraining(Layer l, Blackhole bh) {
        l.forward();
        bh.consume(l.y);
    }

    @Benchmark
    public void backward(Layer l, Blackhole bh) {
        l.backward();
        bh.consume(l.dx);
    }
}
