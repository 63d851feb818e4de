package dev.strix.nn;

import dev.strix.nn.ops.MathOps;
import dev.strix.nn.ops.ReduceOps;
import dev.strix.nn.testing.RandomTensors;
import org.junit.jupiter.api.Test;

import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A backward pass without retainGraph unlinks each node from its inputs, so intermediates can be collected. */
class AutogradReleaseTest {
    @Test
    void backwardUnlinksTheGraphAndStillGivesTheGradient() {
        Tensor x = RandomTensors.uniform(5, -1f, 1f, 3, 4).requiresGrad(true);
        Tensor y = MathOps.square(x);
        Tensor z = MathOps.mul(y, x);            // z = x^3
        Tensor loss = ReduceOps.sum(MathOps.add(z, y)); // sum x^3 + x^2, y used twice
        loss.backward();
        float[] xs = x.toArray(), g = x.grad().toArray();
        for (int i = 0; i < xs.length; i++)
            assertClose("d/dx (x^3 + x^2)", 3 * xs[i] * xs[i] + 2 * xs[i], g[i], 1e-6, 1e-5);
        assertEquals(0, loss.gradFn().inputs().length, "loss node unlinked");
        assertEquals(0, z.gradFn().inputs().length, "z node unlinked");
        assertEquals(0, y.gradFn().inputs().length, "y node unlinked");
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertEquals(true, e.getMessage().contains("retainGraph"), e.getMessage());
        // a new root on a released intermediate reaches the released node and says so
        assertThrows(IllegalStateException.class, () -> ReduceOps.sum(MathOps.scale(y, 2f)).backward());
    }

    @Test
    void retainedGraphKeepsItsLinks() {
        Tensor x = RandomTensors.normal(6, 5).requiresGrad(true);
        Tensor y = MathOps.square(x);
        Tensor loss = ReduceOps.sum(y);
        loss.backward(true);
        assertEquals(1, y.gradFn().inputs().length);
        loss.backward();
        float[] xs = x.toArray(), g = x.grad().toArray();
        for (int i = 0; i < xs.length; i++) assertClose("two backwards", 4 * xs[i], g[i], 1e-6, 1e-5);
    }
}
