package dev.strix.kernels;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.strix.kernels.KernelTestSupport.SIZES;
import static dev.strix.kernels.KernelTestSupport.assertClose;
import static dev.strix.kernels.KernelTestSupport.random;
import static dev.strix.kernels.KernelTestSupport.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Activations} against {@link ActivationsReference} and finite differences. */
@Tag("simd")
class ActivationsTest {
    private static final float SLOPE = 0.1f;
    // the float kernels compute 1 / (1 + exp(-x)) and tanh with a few float roundings (vector exp/tanh are
    // within ~2 ulp): 1e-6 relative plus 1e-7 absolute (near zero crossings) covers them; observed ~3e-7
    private static final double ATOL = 1e-7, RTOL = 1e-6;

    @Test
    void forwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(31);
        for (int n : SIZES) {
            float[] x = random(rnd, n, -12, 12);
            if (n > 4) {
                x[0] = -100f; // exp overflow path
                x[1] = 100f;
                x[2] = 0f;
            }
            for (Activation kind : Activation.values()) {
                float[] y = new float[n], ref = new float[n];
                Activations.forward(kind, SLOPE, y, x, n);
                ActivationsReference.forward(kind, SLOPE, ref, x, n);
                assertClose(kind + " n=" + n, y, ref, n, ATOL, RTOL);
                float[] inPlace = x.clone();
                Activations.forward(kind, SLOPE, inPlace, inPlace, n);
                assertClose(kind + " in place n=" + n, inPlace, ref, n, ATOL, RTOL);
            }
        }
    }

    @Test
    void backwardMatchesReferenceFromEitherSavedTensor() {
        SplittableRandom rnd = new SplittableRandom(32);
        for (int n : SIZES) {
            float[] x = random(rnd, n, -6, 6), dy = random(rnd, n, -1, 1);
            for (Activation kind : Activation.values()) {
                float[] y = new float[n], ref = new float[n], dx = new float[n];
                Activations.forward(kind, SLOPE, y, x, n);
                ActivationsReference.backward(kind, SLOPE, ref, dy, x, n);
                Activations.backward(kind, SLOPE, dx, dy, x, y, n);
                // from y, sigmoid' = y (1 - y) loses ~1 ulp of y relative to the exact derivative: 2e-6 relative
                assertClose(kind + " backward n=" + n, dx, ref, n, 2e-7, 2e-6);
                if (kind != Activation.SILU) {
                    Activations.backward(kind, SLOPE, dx, dy, null, y, n);
                    // tanh' = 1 - y^2 from a rounded y: absolute error ~2 * |y| * ulp(y) ~ 2.4e-7
                    assertClose(kind + " backward from y n=" + n, dx, ref, n, 5e-7, 2e-6);
                }
                Activations.backward(kind, SLOPE, dx, dy, x, null, n);
                assertClose(kind + " backward from x n=" + n, dx, ref, n, 2e-7, 2e-6);
            }
        }
    }

    @Test
    void backwardsMatchFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(33);
        int n = 65;
        float[] x = random(rnd, n, -4, 4), g = random(rnd, n, -1, 1);
        for (int i = 0; i < n; i++) if (Math.abs(x[i]) < 0.05f) x[i] += 0.1f; // keep ReLU kinks out of reach
        double[] gd = toDouble(g);
        for (Activation kind : Activation.values()) {
            float[] y = new float[n], dx = new float[n];
            Activations.forward(kind, SLOPE, y, x, n);
            Activations.backward(kind, SLOPE, dx, g, x, y, n);
            double[] num = KernelTestSupport.numericGradient(xs -> {
                double s = 0;
                for (int i = 0; i < n; i++) s += ActivationsReference.forward(kind, SLOPE, xs[i]) * gd[i];
                return s;
            }, toDouble(x), 1e-5);
            // double central differences are accurate to ~1e-10; the float backward to ~1e-7
            assertClose(kind + " gradient", dx, num, n, 1e-6, 1e-5);
        }
    }

    @Test
    void reluIsExactAndLeakyUsesTheSlope() {
        float[] x = {-2f, -0.5f, 0f, 0.5f, 3f, -1e-30f, 7f}, y = new float[7], dx = new float[7];
        Activations.forward(Activation.RELU, 0f, y, x, 7);
        assertClose("relu", y, new float[] {0, 0, 0, 0.5f, 3f, 0, 7f}, 7, 0, 0);
        Activations.forward(Activation.LEAKY_RELU, 0.25f, y, x, 7);
        assertClose("leaky", y, new float[] {-0.5f, -0.125f, 0, 0.5f, 3f, -0.25e-30f, 7f}, 7, 0, 0);
        float[] ones = {1, 1, 1, 1, 1, 1, 1};
        Activations.backward(Activation.LEAKY_RELU, 0.25f, dx, ones, x, null, 7);
        assertClose("leaky backward", dx, new float[] {0.25f, 0.25f, 0.25f, 1, 1, 0.25f, 1}, 7, 0, 0);
        Activations.backward(Activation.RELU, 0f, dx, ones, x, null, 7);
        assertEquals(0f, dx[2], "ReLU'(0) is 0, as PyTorch");
    }

    @Test
    void backwardRejectsMissingInputs() {
        float[] a = new float[3];
        assertThrows(IllegalArgumentException.class, () -> Activations.backward(Activation.SILU, 0f, a, a, null, a, 3));
        assertThrows(IllegalArgumentException.class, () -> Activations.backward(Activation.TANH, 0f, a, a, null, null, 3));
        assertThrows(IllegalArgumentException.class,
                () -> Activations.backward(Activation.LEAKY_RELU, -0.5f, a, a, null, a, 3));
    }
}
