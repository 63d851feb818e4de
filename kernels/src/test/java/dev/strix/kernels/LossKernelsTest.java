package dev.strix.kernels;

import static dev.strix.kernels.KernelTestSupport.assertClose;
import static dev.strix.kernels.KernelTestSupport.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

/**
 * {@link LossKernels} against double references written from the PyTorch / torchvision definitions
 * ({@code binary_cross_entropy_with_logits}, {@code sigmoid_focal_loss}), gradients against central finite
 * differences of those references in double, the saturated ends, and thread-count independence.
 */
class LossKernelsTest {
    /** PyTorch's stable BCE on logits. */
    static double bceRef(double x, double t) {
        return Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** torchvision's sigmoid_focal_loss per element. */
    static double focalRef(double x, double t, double alpha, double gamma) {
        double p = 1 / (1 + Math.exp(-x));
        double pt = p * t + (1 - p) * (1 - t);
        double loss = bceRef(x, t) * Math.pow(1 - pt, gamma);
        return alpha >= 0 ? (alpha * t + (1 - alpha) * (1 - t)) * loss : loss;
    }

    private static double central(java.util.function.DoubleUnaryOperator f, double x) {
        double h = 1e-6 * Math.max(1, Math.abs(x));
        return (f.applyAsDouble(x + h) - f.applyAsDouble(x - h)) / (2 * h);
    }

    /** Logits over [-12, 12] and targets that are hard 0/1 labels for even elements, soft values for odd ones. */
    private static float[][] inputs(long seed, int n) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = random(rnd, n, -12, 12), t = random(rnd, n, 0, 1), dy = random(rnd, n, -2, 2);
        for (int i = 0; i < n; i += 2) t[i] = t[i] < 0.5f ? 0f : 1f;
        return new float[][] {x, t, dy};
    }

    @Test
    void bceMatchesDefinitionAndFiniteDifferences() {
        for (int n : KernelTestSupport.SIZES) {
            float[][] in = inputs(n, n);
            float[] x = in[0], t = in[1], dy = in[2];
            float[] loss = new float[n], dx = new float[n];
            LossKernels.bceWithLogitsForward(loss, x, t, n);
            LossKernels.bceWithLogitsBackward(dx, dy, x, t, n);
            double[] el = new double[n], ed = new double[n];
            for (int i = 0; i < n; i++) {
                double ti = t[i];
                el[i] = bceRef(x[i], ti);
                ed[i] = dy[i] * central(u -> bceRef(u, ti), x[i]);
            }
            assertClose("bce n=" + n, loss, el, n, 1e-6, 1e-5);
            assertClose("bce grad n=" + n, dx, ed, n, 1e-5, 1e-4);
        }
    }

    @ParameterizedTest(name = "alpha {0} gamma {1}")
    @CsvSource({"0.25, 2", "-1, 2", "0.25, 0", "0.5, 1", "0.25, 0.5", "0.75, 3", "0.25, 1.5"})
    void focalMatchesTorchvisionDefinitionAndFiniteDifferences(float alpha, float gamma) {
        for (int n : KernelTestSupport.SIZES) {
            float[][] in = inputs(31L * n + (long) (gamma * 10), n);
            float[] x = in[0], t = in[1], dy = in[2];
            float[] loss = new float[n], dx = new float[n];
            LossKernels.focalForward(alpha, gamma, loss, x, t, n);
            LossKernels.focalBackward(alpha, gamma, dx, dy, x, t, n);
            double[] el = new double[n], ed = new double[n];
            for (int i = 0; i < n; i++) {
                double ti = t[i];
                el[i] = focalRef(x[i], ti, alpha, gamma);
                ed[i] = dy[i] * central(u -> focalRef(u, ti, alpha, gamma), x[i]);
            }
            assertClose("focal n=" + n, loss, el, n, 1e-6, 1e-5);
            assertClose("focal grad n=" + n, dx, ed, n, 1e-5, 1e-4);
        }
    }

    @Test
    void saturatedLogitsStayFinite() {
        float[] x = {100f, -100f, 100f, -100f, 0f}, t = {1f, 0f, 0f, 1f, 1f}, ones = {1, 1, 1, 1, 1};
        float[] loss = new float[5], dx = new float[5];
        LossKernels.focalForward(0.25f, 2f, loss, x, t, 5);
        // right answers: 0, 0, 0.75 * 100, 0.25 * 100, 0.25 * log 2 * 0.25
        assertClose("focal at |x| = 100", loss, new double[] {0, 0, 75, 25, 0.25 * Math.log(2) * 0.25}, 5, 1e-5, 1e-6);
        for (float gamma : new float[] {0f, 0.5f, 2f}) {
            LossKernels.focalBackward(0.25f, gamma, dx, ones, x, t, 5);
            for (int i = 0; i < 5; i++) assertTrue(Float.isFinite(dx[i]), "gamma " + gamma + " element " + i + ": " + dx[i]);
            // confidently right: no gradient; confidently wrong: a_t times (p - t) = -+1
            assertEquals(0f, dx[0], 1e-30f);
            assertEquals(0f, dx[1], 1e-30f);
            assertEquals(0.75f, dx[2], 1e-6f);
            assertEquals(-0.25f, dx[3], 1e-6f);
        }
        LossKernels.bceWithLogitsForward(loss, x, t, 5);
        assertClose("bce at |x| = 100", loss, new double[] {0, 0, 100, 100, Math.log(2)}, 5, 1e-5, 1e-6);
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        int n = 100_003, previous = Parallel.threads();
        float[][] in = inputs(5, n);
        float[][] out = new float[2][];
        try {
            for (int k = 0; k < 2; k++) {
                Parallel.setThreads(k == 0 ? 1 : 3);
                float[] loss = new float[n], dx = new float[n];
                LossKernels.focalForward(0.25f, 2f, loss, in[0], in[1], n);
                LossKernels.focalBackward(0.25f, 2f, dx, in[2], in[0], in[1], n);
                float[] both = new float[2 * n];
                System.arraycopy(loss, 0, both, 0, n);
                System.arraycopy(dx, 0, both, n, n);
                out[k] = both;
            }
        } finally {
            Parallel.setThreads(previous);
        }
        assertArrayEquals(out[0], out[1]);
    }

    @Test
    void badArgumentsAreRejected() {
        float[] a = new float[4], b = new float[3];
        assertThrows(IllegalArgumentException.class, () -> LossKernels.bceWithLogitsForward(a, a, b, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LossKernels.focalForward(0.25f, -1f, a, a, a, 4));
        assertTrue(e.getMessage().contains("gamma"), e.getMessage());
    }
}
