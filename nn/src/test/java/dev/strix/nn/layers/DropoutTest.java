package dev.strix.nn.layers;

import dev.strix.nn.CpuDevice;
import dev.strix.nn.Tensor;
import dev.strix.nn.init.Init;
import org.junit.jupiter.api.Test;

import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DropoutTest {
    @Test
    void trainingZeroesAFractionPAndScalesSurvivors() {
        Init.seed(42);
        float p = 0.3f;
        Dropout d = new Dropout(p);
        int n = 20_000;
        Tensor x = Tensor.full(CpuDevice.INSTANCE, 2f, n).requiresGrad(true);
        Tensor y = d.forward(x);
        float[] v = y.toArray();
        int zeros = 0;
        for (float e : v) {
            if (e == 0f) zeros++;
            else assertEquals(2f / (1f - p), e, 1e-6f, "survivors are scaled by 1/(1-p)");
        }
        // binomial(n, p): std sqrt(n p (1-p)) ~ 65 elements; allow 5 std
        assertEquals(p * n, zeros, 5 * Math.sqrt(n * p * (1 - p)), "fraction of zeros");
        double mean = 0;
        for (float e : v) mean += e;
        mean /= n;
        // E[y] = x; the sample mean's std is 2 sqrt(p/(1-p)/n) ~ 0.009; allow 5 std
        assertEquals(2.0, mean, 0.05, "inverted dropout keeps the expectation");

        y.sum().backward();
        float[] g = x.grad().toArray();
        for (int i = 0; i < n; i++) assertEquals(v[i] / 2f, g[i], 1e-6f, "gradient follows the same mask at " + i);
    }

    @Test
    void sameSeedSameMask() {
        Tensor x = Tensor.full(CpuDevice.INSTANCE, 1f, 257);
        Init.seed(7);
        float[] a = new Dropout(0.5f).forward(x).toArray();
        Init.seed(7);
        float[] b = new Dropout(0.5f).forward(x).toArray();
        assertClose("mask", a, b, 0, 0);
    }

    @Test
    void evalAndZeroProbabilityAreIdentity() {
        Tensor x = Tensor.of(new float[] {1, -2, 3}, 3);
        Dropout d = new Dropout(0.9f);
        d.eval();
        assertSame(x, d.forward(x));
        assertSame(x, new Dropout(0f).forward(x));
        assertClose("p = 1 drops everything", new float[] {0, 0, 0}, new Dropout(1f).forward(x).toArray(), 0, 0);
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5f));
        assertTrue(new Dropout(0.25f).toString().contains("0.25"));
    }
}
