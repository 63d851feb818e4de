package dev.strix.nn.ops;

import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;
import dev.strix.nn.testing.RandomTensors;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The autograd engine: gradients w.r.t. intermediates, graph retention, noGrad and accumulation. */
class AutogradTest {
    @Test
    void gradWithRespectToAnIntermediate() {
        Tensor x = RandomTensors.uniform(1, -1f, 1f, 2, 3).requiresGrad(true);
        Tensor y = MathOps.square(x);              // y = x^2
        Tensor z = ReduceOps.sum(MathOps.exp(y));  // z = sum exp(y)
        List<Tensor> g = Autograd.grad(z, List.of(y, x), false);
        float[] xs = x.toArray();
        float[] dy = new float[xs.length], dx = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            double e = Math.exp((double) xs[i] * xs[i]);
            dy[i] = (float) e;
            dx[i] = (float) (2 * xs[i] * e);
        }
        assertClose("dz/dy = exp(y)", dy, g.get(0).toArray(), 1e-6, 1e-5);
        assertClose("dz/dx = 2x exp(x^2)", dx, g.get(1).toArray(), 1e-6, 1e-5);
        assertNull(x.grad(), "Autograd.grad leaves .grad alone");
    }

    @Test
    void gradOfAnUnrelatedTensorIsZero() {
        Tensor x = RandomTensors.normal(1, 3).requiresGrad(true), other = RandomTensors.normal(2, 4).requiresGrad(true);
        List<Tensor> g = Autograd.grad(ReduceOps.sum(MathOps.scale(x, 2f)), List.of(x, other), false);
        assertClose("dx", new float[] {2, 2, 2}, g.get(0).toArray(), 0, 0);
        assertClose("unrelated", new float[4], g.get(1).toArray(), 0, 0);
    }

    @Test
    void secondBackwardNeedsRetainGraph() {
        Tensor x = RandomTensors.normal(3, 4).requiresGrad(true);
        Tensor loss = ReduceOps.sum(MathOps.mul(x, x));
        loss.backward(true);
        float[] once = x.grad().toArray();
        loss.backward(); // allowed: the graph was retained; this one frees it
        float[] xs = x.toArray(), twice = x.grad().toArray();
        for (int i = 0; i < xs.length; i++) {
            assertClose("first backward", 2 * xs[i], once[i], 1e-6, 1e-6);
            assertClose("accumulated over two backwards", 4 * xs[i], twice[i], 1e-6, 1e-6);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("retainGraph"), "message explains the fix: " + e.getMessage());
        assertThrows(IllegalStateException.class, () -> Autograd.grad(loss, List.of(x), false));
    }

    @Test
    void gradientsAccumulateAcrossGraphs() {
        Tensor x = RandomTensors.normal(4, 5).requiresGrad(true);
        ReduceOps.sum(MathOps.scale(x, 3f)).backward();
        ReduceOps.sum(MathOps.square(x)).backward();
        float[] xs = x.toArray(), g = x.grad().toArray();
        for (int i = 0; i < xs.length; i++) assertClose("3 + 2x", 3 + 2 * xs[i], g[i], 1e-6, 1e-6);
    }

    @Test
    void sharedInputsSumTheirGradients() {
        Tensor x = RandomTensors.normal(5, 6).requiresGrad(true);
        ReduceOps.sum(MathOps.add(MathOps.mul(x, x), MathOps.scale(x, 2f))).backward();
        float[] xs = x.toArray(), g = x.grad().toArray();
        for (int i = 0; i < xs.length; i++) assertClose("2x + 2", 2 * xs[i] + 2, g[i], 1e-6, 1e-6);
    }

    @Test
    void noGradRecordsNothing() {
        Tensor x = RandomTensors.normal(6, 3).requiresGrad(true);
        Tensor y;
        try (var ignored = Autograd.noGrad()) {
            assertFalse(Autograd.isEnabled());
            y = ReduceOps.sum(MathOps.exp(MathOps.mul(x, x)));
        }
        assertTrue(Autograd.isEnabled(), "recording resumes after the scope");
        assertFalse(y.requiresGrad());
        assertNull(y.gradFn());
        assertThrows(IllegalStateException.class, y::backward);
        Tensor z = ReduceOps.sum(x);
        assertTrue(z.requiresGrad() && z.gradFn() != null, "recording is back on");
    }

    @Test
    void detachCutsHistory() {
        Tensor x = RandomTensors.normal(7, 3).requiresGrad(true);
        Tensor y = MathOps.mul(MathOps.square(x).detach(), x); // d/dx = x^2 (detached factor held constant)
        ReduceOps.sum(y).backward();
        float[] xs = x.toArray(), g = x.grad().toArray();
        for (int i = 0; i < xs.length; i++) assertClose("detached factor", xs[i] * xs[i], g[i], 1e-6, 1e-6);
    }
}
