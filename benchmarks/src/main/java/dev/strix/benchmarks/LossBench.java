package dev.strix.benchmarks;

import dev.strix.kernels.LossKernels;
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
import java.util.SplittableRandom;

/**
 * Sigmoid focal loss (alpha 0.25, gamma 2, torchvision's defaults), forward and backward, over DetNet's class
 * logits: batch 8 x 1344 points (strides 8, 16, 32 at 256 x 256) x 20 classes. Only the fused {@link LossKernels}
 * is timed (it has no scalar twin in {@code kernels}); setup first checks it against the textbook formulas
 * evaluated in double here:
 * <pre>
 *   p = sigmoid(x), p_t = p t + (1 - p)(1 - t), a_t = alpha t + (1 - alpha)(1 - t)
 *   focal = a_t (1 - p_t)^gamma bce(x, t),  bce = -t log p - (1 - t) log(1 - p)
 *   d focal / dx = a_t [ (p - t)(1 - p_t)^gamma - gamma (1 - p_t)^(gamma - 1) p (1 - p)(2t - 1) bce ]
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss8m"})
public class LossBench {
    static final float ALPHA = 0.25f, GAMMA = 2f;

    /** Logits, targets, the upstream gradient and the outputs. */
    @State(Scope.Benchmark)
    public static class Data {
        @Param({"8x1344x20"})
        public String size;

        int n;
        float[] x, t, dy, loss, dx;

        @Setup(Level.Trial)
        public void setup() {
            n = Agreement.numel(size);
            SplittableRandom rnd = new SplittableRandom(5);
            x = new float[n];
            t = new float[n];
            dy = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (rnd.nextGaussian() * 3 - 2); // mostly confident negatives, as after the prior bias
                // about one positive in 40, some of them soft (IoU-quality) targets
                t[i] = rnd.nextInt(40) == 0 ? (rnd.nextBoolean() ? 1f : (float) rnd.nextDouble()) : 0f;
                dy[i] = (float) (rnd.nextDouble() + 0.5);
            }
            loss = new float[n];
            dx = new float[n];
            forward();
            backward();
            float[] wantLoss = new float[n], wantDx = new float[n];
            for (int i = 0; i < n; i++) {
                double[] r = focal(x[i], t[i]);
                wantLoss[i] = (float) r[0];
                wantDx[i] = (float) (dy[i] * r[1]);
            }
            // float exp/log and products of a few terms (relative 1e-5), plus the float rounding of 1 - p_t near 0
            Agreement.check("focal loss forward " + size, loss, wantLoss, 1e-6, 1e-5);
            Agreement.check("focal loss backward " + size, dx, wantDx, 1e-6, 1e-4);
        }

        void forward() {
            LossKernels.focalForward(ALPHA, GAMMA, loss, x, t, n);
        }

        void backward() {
            LossKernels.focalBackward(ALPHA, GAMMA, dx, dy, x, t, n);
        }
    }

    /** {focal loss, its derivative in x} of one element, in double. */
    static double[] focal(double x, double t) {
        double p = 1 / (1 + Math.exp(-x));
        double logP = -Math.log1p(Math.exp(-x)), log1mP = -Math.log1p(Math.exp(x)); // log p, log(1 - p)
        if (x > 30) log1mP = -x;
        if (x < -30) logP = x;
        double bce = -t * logP - (1 - t) * log1mP;
        double pt = p * t + (1 - p) * (1 - t), m = 1 - pt, at = ALPHA * t + (1 - ALPHA) * (1 - t);
        double loss = at * Math.pow(m, GAMMA) * bce;
        double grad = at * ((p - t) * Math.pow(m, GAMMA) - GAMMA * Math.pow(m, GAMMA - 1) * p * (1 - p) * (2 * t - 1) * bce);
        return new double[] {loss, grad};
    }

    @Benchmark
    public void focalForward(Data d, Blackhole bh) {
        d.forward();
        bh.consume(d.loss);
    }

    @Benchmark
    public void focalBackward(Data d, Blackhole bh) {
        d.backward();
        bh.consume(d.dx);
    }
}
