package dev.strix.nn.init;

import dev.strix.nn.CpuDevice;
import dev.strix.nn.Tensor;
import dev.strix.nn.layers.Conv2d;
import dev.strix.nn.layers.Linear;
import org.junit.jupiter.api.Test;

import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Initialisation statistics with a fixed seed. Bounds are checked exactly; means and standard deviations within
 * 5 standard errors of the sample statistic (stated at each check).
 */
class InitTest {
    /** {mean, std, max |v|} in double. */
    private static double[] stats(float[] v) {
        double s = 0, s2 = 0, max = 0;
        for (float e : v) {
            s += e;
            s2 += (double) e * e;
            max = Math.max(max, Math.abs(e));
        }
        double mean = s / v.length;
        return new double[] {mean, Math.sqrt(s2 / v.length - mean * mean), max};
    }

    @Test
    void fanInFollowsPyTorch() {
        assertEquals(3 * 3 * 3, Init.fanIn(new int[] {16, 3, 3, 3}));
        assertEquals(5, Init.fanIn(new int[] {4, 5}));
        assertEquals(1 * 3 * 3, Init.fanIn(new int[] {6, 1, 3, 3}));
        assertThrows(IllegalArgumentException.class, () -> Init.fanIn(new int[] {7}));
    }

    @Test
    void convDefaultInitIsKaimingUniformWithSqrt5() {
        Init.seed(0);
        Conv2d c = new Conv2d(64, 32, 3, 1, 1, true);
        int fanIn = 64 * 9;
        // gain sqrt(2 / (1 + 5)) times sqrt(3 / fan_in) = 1 / sqrt(fan_in)
        double bound = Math.sqrt(2.0 / 6) * Math.sqrt(3.0 / fanIn);
        assertEquals(1 / Math.sqrt(fanIn), bound, 1e-15);
        float[] w = c.weight().toArray();
        double[] st = stats(w);
        assertTrue(st[2] <= bound, "max |w| " + st[2] + " exceeds bound " + bound);
        assertTrue(st[2] > 0.99 * bound, "values fill the range: max |w| " + st[2]);
        double std = bound / Math.sqrt(3); // of U(-b, b)
        // standard error of the mean: std / sqrt(n); of the std: about std * sqrt(0.8 / n) / 2 for a uniform
        assertClose("weight mean", 0, st[0], 5 * std / Math.sqrt(w.length), 0);
        assertClose("weight std", std, st[1], 5 * std * Math.sqrt(0.8 / w.length) / 2, 0);

        float[] b = c.bias().toArray();
        for (float e : b) assertTrue(Math.abs(e) <= 1 / Math.sqrt(fanIn), "bias " + e + " within 1/sqrt(fan_in)");
    }

    @Test
    void linearAndGroupedConvUseTheirOwnFanIn() {
        Init.seed(3);
        Linear l = new Linear(50, 400, true);
        assertTrue(stats(l.weight().toArray())[2] <= 1 / Math.sqrt(50));
        assertTrue(stats(l.weight().toArray())[2] > 0.99 / Math.sqrt(50));
        assertTrue(stats(l.bias().toArray())[2] <= 1 / Math.sqrt(50));
        Conv2d dw = new Conv2d(64, 64, 3, 1, 1, 1, 64, true); // depthwise: fan_in = 1 * 3 * 3
        assertTrue(stats(dw.weight().toArray())[2] <= 1 / 3.0);
        assertTrue(stats(dw.weight().toArray())[2] > 0.95 / 3.0);
    }

    @Test
    void kaimingGainDependsOnSlope() {
        Init.seed(5);
        Tensor w = Tensor.zeros(CpuDevice.INSTANCE, 256, 100);
        Init.kaimingUniform(w, 0); // ReLU gain sqrt(2): bound sqrt(6 / fan_in)
        double[] st = stats(w.toArray());
        double bound = Math.sqrt(6.0 / 100);
        assertTrue(st[2] <= bound && st[2] > 0.99 * bound, "max " + st[2] + " vs bound " + bound);
    }

    @Test
    void normalUniformConstantStatistics() {
        Init.seed(11);
        int n = 40_000;
        Tensor t = Tensor.zeros(CpuDevice.INSTANCE, n);
        Init.normal(t, 0.5, 2.0);
        double[] st = stats(t.toArray());
        // standard errors: mean 2 / sqrt(n) = 0.01, std 2 / sqrt(2n) = 0.007
        assertClose("normal mean", 0.5, st[0], 0.05, 0);
        assertClose("normal std", 2.0, st[1], 0.035, 0);

        Init.uniform(t, -1, 3);
        float[] u = t.toArray();
        for (float e : u) assertTrue(e >= -1 && e <= 3, "uniform value " + e + " outside [-1, 3]");
        st = stats(u);
        // U(-1, 3): mean 1, std 4 / sqrt(12) = 1.155; standard error of the mean 0.0058
        assertClose("uniform mean", 1, st[0], 0.03, 0);
        assertClose("uniform std", 4 / Math.sqrt(12), st[1], 0.02, 0);

        Init.constant(t, 0.25);
        for (float e : t.toArray()) assertEquals(0.25f, e);

        Tensor b = Tensor.zeros(CpuDevice.INSTANCE, 1000);
        Init.biasUniform(b, 16);
        double[] bs = stats(b.toArray());
        assertTrue(bs[2] <= 0.25 && bs[2] > 0.24, "bias bound 1/sqrt(16): max " + bs[2]);
    }

    @Test
    void seedMakesInitialisationReproducible() {
        Init.seed(123);
        float[] a = new Conv2d(3, 8, 3).weight().toArray();
        float[] a2 = new Conv2d(3, 8, 3).weight().toArray();
        Init.seed(123);
        float[] b = new Conv2d(3, 8, 3).weight().toArray();
        assertClose("same seed", a, b, 0, 0);
        assertFalse(java.util.Arrays.equals(a, a2), "consecutive layers differ");
        Init.seed(124);
        assertFalse(java.util.Arrays.equals(a, new Conv2d(3, 8, 3).weight().toArray()), "another seed differs");
        assertTrue(Init.generator() != null);
    }
}
