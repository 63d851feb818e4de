package dev.strix.nn.optim;

import dev.strix.nn.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-computed cases of clip_grad_norm_ (the PyTorch comparisons are in OptimizerFixturesTest). */
class GradClipTest {
    private static Tensor withGrad(float... g) {
        Tensor p = Tensor.of(new float[g.length], g.length).requiresGrad(true);
        p.setGrad(Tensor.of(g.clone(), g.length));
        return p;
    }

    @Test
    void scalesWhenTheNormExceedsTheLimit() {
        Tensor a = withGrad(3f), b = withGrad(0f, 4f);
        Tensor none = Tensor.of(new float[2], 2).requiresGrad(true);
        double total = GradClip.clipGradNorm(List.of(a, none, b), 1.0);
        assertEquals(5.0, total, 1e-12);
        double coef = 1.0 / (5.0 + 1e-6);
        assertEquals(3 * coef, a.grad().item(), 1e-7);
        assertEquals(4 * coef, b.grad().toArray()[1], 1e-7);
        assertEquals(null, none.grad());
    }

    @Test
    void leavesSmallGradientsAlone() {
        Tensor a = withGrad(0.3f, -0.4f);
        assertEquals(0.5, GradClip.clipGradNorm(List.of(a), 0.5 + 2e-6), 1e-7);
        assertArrayEquals(new float[] {0.3f, -0.4f}, a.grad().toArray());
        assertEquals(0.0, GradClip.clipGradNorm(List.of(Tensor.of(new float[1], 1)), 1.0), "no gradients");
    }

    @Test
    void reportsNonFiniteNormsWithoutTouchingGradients() {
        Tensor a = withGrad(1f, Float.NaN), b = withGrad(7f);
        assertTrue(Double.isNaN(GradClip.clipGradNorm(List.of(a, b), 1.0)));
        assertEquals(7f, b.grad().item());
        Tensor c = withGrad(Float.POSITIVE_INFINITY, 2f);
        assertEquals(Double.POSITIVE_INFINITY, GradClip.clipGradNorm(List.of(c), 1.0));
        assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, 2f}, c.grad().toArray());
    }
}
