package dev.strix.detection.mtl;

import dev.strix.nn.Tensor;
import dev.strix.nn.ops.MathOps;
import dev.strix.nn.ops.ReduceOps;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.strix.detection.mtl.GradAsserts.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GradNorm on a last shared layer W (2 values) with linear losses L_1 = a_1 . W, L_2 = a_2 . W, so that
 * grad_W L_1 = a_1 = (3, 0) and grad_W L_2 = a_2 = (0, 4) have the known norms 3 and 4.
 */
class GradNormStrategyTest {
    private static final float[] A1 = {3, 0}, A2 = {0, 4};
    // weights are kept in float32: a few ulps of values near 1
    private static final double ATOL = 1e-6, RTOL = 1e-6;

    private static Map<String, Tensor> losses(Tensor w) {
        Map<String, Tensor> l = new LinkedHashMap<>();
        l.put("a", ReduceOps.sum(MathOps.mul(Tensor.of(A1.clone(), 2), w)));
        l.put("b", ReduceOps.sum(MathOps.mul(Tensor.of(A2.clone(), 2), w)));
        return l;
    }

    @Test
    void weightUpdateMatchesHandComputation() {
        Tensor w = Tensor.of(new float[] {1, 1}, 2).requiresGrad(true);
        SharedParameters shared = SharedParameters.hardSharing(List.of(w), List.of(w), Map.of());
        MtlStrategy s = StrategyFactory.create("gradnorm", Map.of("tasks", "a,b", "lr", 0.025, "alpha", 1.5));

        // step 1 at W = (1, 1): L = (3, 4) = L(0), so r = (1, 1); G = (3, 4), G_avg = 3.5, targets 3.5;
        // dL_grad/dw = (sign(3 - 3.5) * 3, sign(4 - 3.5) * 4) = (-3, 4); w = (1.075, 0.9), sum 1.975
        StepResult r1 = s.backward(losses(w), shared, List.of(w));
        assertEquals(1.0, r1.task("a").weight(), "step 1 uses the initial weights");
        GradAsserts.assertClose(new double[] {3, 4}, w.grad().toArray(), 0, 0, "model gradient of 1*L_1 + 1*L_2");
        double w1 = 1.075 * 2 / 1.975, w2 = 0.9 * 2 / 1.975;
        assertClose(w1, s.weights().get("a"), ATOL, RTOL, "w_a after step 1");
        assertClose(w2, s.weights().get("b"), ATOL, RTOL, "w_b after step 1");
        assertClose(2.0, s.weights().get("a") + s.weights().get("b"), ATOL, RTOL, "sum of weights");

        // step 2 at W = (2, 1): L = (6, 4), L~ = (2, 1), r = (4/3, 2/3); G = (3 w1, 4 w2)
        w.device().copy(w, Tensor.of(new float[] {2, 1}, 2));
        w.setGrad(null);
        double wa = s.weights().get("a"), wb = s.weights().get("b");
        StepResult r2 = s.backward(losses(w), shared, List.of(w));
        assertClose(wa, r2.task("a").weight(), 0, 0, "step 2 uses the weights from step 1");
        GradAsserts.assertClose(new double[] {3 * wa, 4 * wb}, w.grad().toArray(), ATOL, RTOL, "model gradient");
        double g1 = 3 * wa, g2 = 4 * wb, gAvg = (g1 + g2) / 2;
        double t1 = gAvg * Math.pow(4.0 / 3, 1.5), t2 = gAvg * Math.pow(2.0 / 3, 1.5);
        assertTrue(g1 < t1 && g2 > t2, "hand case: task a is behind (G below target), b ahead");
        double n1 = wa + 0.025 * 3, n2 = wb - 0.025 * 4;
        assertClose(2 * n1 / (n1 + n2), s.weights().get("a"), ATOL, RTOL, "w_a after step 2");
        assertClose(2 * n2 / (n1 + n2), s.weights().get("b"), ATOL, RTOL, "w_b after step 2");
    }

    @Test
    void weightsStayNormalisedAndPositiveOnTheTinyModel() {
        TinyMultiTaskModel m = new TinyMultiTaskModel();
        GradNormStrategy s = (GradNormStrategy) StrategyFactory.create("gradnorm", Map.of("lr", 0.5));
        for (int step = 0; step < 20; step++) {
            m.zeroGrad();
            s.backward(m.losses(), m.hardSharing(), m.parameters());
            double sum = 0;
            for (double v : s.weights().values()) {
                assertTrue(v > 0, "weight " + v + " at step " + step);
                sum += v;
            }
            // float32 rounding of each of 3 weights near 1
            assertClose(3.0, sum, 1e-6, 1e-6, "sum of weights at step " + step);
            for (Tensor p : m.parameters()) p.device().axpy(p, -0.05f, p.grad());
        }
        assertTrue(s.initialLosses().get("cls") > 0);
    }

    @Test
    void stateRoundTrips() {
        TinyMultiTaskModel m = new TinyMultiTaskModel();
        MtlStrategy a = StrategyFactory.create("gradnorm");
        for (int i = 0; i < 3; i++) a.backward(m.losses(), m.hardSharing(), m.parameters());
        MtlStrategy b = StrategyFactory.create("gradnorm");
        b.loadStateDict(a.stateDict());
        assertEquals(a.weights(), b.weights());
        a.backward(m.losses(), m.hardSharing(), m.parameters());
        b.backward(m.losses(), m.hardSharing(), m.parameters());
        assertEquals(a.weights(), b.weights(), "resumed strategy continues identically");
    }

    @Test
    void needsALastSharedLayer() {
        TinyMultiTaskModel m = new TinyMultiTaskModel();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> StrategyFactory.create("gradnorm").backward(m.losses(), m.trunkOwnedByCls(), m.parameters()));
        assertTrue(e.getMessage().contains("last shared layer"), e.getMessage());
    }
}
