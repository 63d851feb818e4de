package dev.strix.nn.losses;

import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;
import dev.strix.nn.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;
import java.util.function.DoubleUnaryOperator;

import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegressionLossesTest {
    private static float[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (1.5 * r.nextGaussian());
        return v;
    }

    private interface Loss {
        Tensor apply(Tensor x, Tensor y, Reduction r);
    }

    private static void checkAgainst(String name, Loss loss, DoubleUnaryOperator perDifference, int n) {
        float[] x = gaussian(n, n), y = gaussian(n, n + 100);
        float[] expected = new float[n];
        double sum = 0;
        for (int i = 0; i < n; i++) sum += expected[i] = (float) perDifference.applyAsDouble((double) x[i] - y[i]);
        assertClose(name + " none", expected, loss.apply(Tensor.of(x, n), Tensor.of(y, n), Reduction.NONE).toArray(),
                1e-6, 1e-5);
        assertClose(name + " sum", sum, loss.apply(Tensor.of(x, n), Tensor.of(y, n), Reduction.SUM).item(), 1e-5, 1e-5);
        assertClose(name + " mean", sum / n, loss.apply(Tensor.of(x, n), Tensor.of(y, n), Reduction.MEAN).item(), 1e-6, 1e-5);
        int[] s = {n};
        // h = 1e-3 keeps the difference quotient off the kinks (|d| = 0 for L1) for these seeds; losses are
        // piecewise quadratic, so the truncation error is zero and float32 rounding dominates: the SUM result is
        // a float32 scalar of magnitude ~n whose ulp (~1e-7 * n) divided by 2h gives ~5e-5 * n per element
        double atol = 5e-4 + 1e-4 * n;
        for (Reduction r : Reduction.values()) {
            GradCheck.check(name + " " + r, in -> loss.apply(in[0], in[1], r), 1e-3, atol, 1e-2,
                    Tensor.of(x.clone(), s).requiresGrad(true), Tensor.of(y.clone(), s).requiresGrad(true));
        }
    }

    @ParameterizedTest(name = "n={0}")
    @CsvSource({"1", "7", "13", "65"})
    void matchDoubleReferences(int n) {
        checkAgainst("mse", RegressionLosses::mse, d -> d * d, n);
        checkAgainst("l1", RegressionLosses::l1, Math::abs, n);
        for (float beta : new float[] {1f, 0.5f, 2.5f}) {
            double b = beta;
            checkAgainst("smoothL1 beta " + beta, (x, y, r) -> RegressionLosses.smoothL1(x, y, beta, r),
                    d -> Math.abs(d) < b ? 0.5 * d * d / b : Math.abs(d) - 0.5 * b, n);
        }
    }

    @Test
    void smoothL1GradientAtTheSeams() {
        // d = 0: gradient 0 (PyTorch: d / beta); |d| = beta: the linear branch, gradient sign(d)
        float[] x = {0f, 1f, -1f, 0.5f}, y = {0f, 0f, 0f, 0f};
        Tensor xs = Tensor.of(x, 4).requiresGrad(true);
        Tensor loss = RegressionLosses.smoothL1(xs, Tensor.of(y, 4), 1f, Reduction.NONE);
        assertClose("values", new float[] {0f, 0.5f, 0.5f, 0.125f}, loss.toArray(), 1e-7, 0);
        Autograd.backward(loss, Tensor.of(new float[] {1, 1, 1, 1}, 4), false);
        assertClose("gradient", new float[] {0f, 1f, -1f, 0.5f}, xs.grad().toArray(), 1e-7, 0);
    }

    @Test
    void smoothL1WithZeroBetaIsL1() {
        float[] x = gaussian(13, 4), y = gaussian(13, 5);
        assertClose("beta 0", RegressionLosses.l1(Tensor.of(x, 13), Tensor.of(y, 13), Reduction.NONE).toArray(),
                RegressionLosses.smoothL1(Tensor.of(x, 13), Tensor.of(y, 13), 0f, Reduction.NONE).toArray(), 0, 0);
        assertThrows(IllegalArgumentException.class,
                () -> RegressionLosses.smoothL1(Tensor.of(x, 13), Tensor.of(y, 13), -1f, Reduction.NONE));
    }

    @Test
    void emptyInputs() {
        Tensor x = Tensor.of(new float[0], 0), y = Tensor.of(new float[0], 0);
        for (Loss l : new Loss[] {RegressionLosses::mse, RegressionLosses::l1,
                (a, b, r) -> RegressionLosses.smoothL1(a, b, 1f, r)}) {
            assertTrue(Float.isNaN(l.apply(x, y, Reduction.MEAN).item()), "mean of nothing is NaN as in PyTorch");
            assertEquals(0f, l.apply(x, y, Reduction.SUM).item());
            assertArrayEquals(new int[] {0}, l.apply(x, y, Reduction.NONE).shape());
        }
    }

    @Test
    void reductionApply() {
        Tensor t = Tensor.of(new float[] {1f, 2f, 3f, 6f}, 2, 2);
        assertSame(t, Reduction.NONE.apply(t));
        assertEquals(12f, Reduction.SUM.apply(t).item());
        assertEquals(3f, Reduction.MEAN.apply(t).item());
        assertArrayEquals(new int[0], Reduction.MEAN.apply(t).shape());
    }

    @Test
    void rejectsMismatchedShapes() {
        assertThrows(IllegalArgumentException.class,
                () -> RegressionLosses.mse(Tensor.of(new float[4], 4), Tensor.of(new float[4], 2, 2), Reduction.SUM));
    }
}
