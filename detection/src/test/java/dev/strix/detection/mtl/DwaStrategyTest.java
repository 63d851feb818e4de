package dev.strix.detection.mtl;

import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.MathOps;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.strix.detection.mtl.GradAsserts.assertClose;
import static dev.strix.detection.mtl.GradAsserts.assertGradsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;

class DwaStrategyTest {
    // float32 storage of the epoch losses against double arithmetic
    private static final double ATOL = 1e-6, RTOL = 1e-6;

    /** T exp(r_t / 2) / sum_k exp(r_k / 2) for the hand ratios r. */
    private static double[] expected(double... r) {
        double sum = 0;
        for (double v : r) sum += Math.exp(v / 2);
        double[] w = new double[r.length];
        for (int t = 0; t < r.length; t++) w[t] = r.length * Math.exp(r[t] / 2) / sum;
        return w;
    }

    private static void assertWeights(double[] w, MtlStrategy s, String when) {
        assertClose(w[0], s.weights().get("cls"), ATOL, RTOL, "cls " + when);
        assertClose(w[1], s.weights().get("box"), ATOL, RTOL, "box " + when);
        assertClose(w[2], s.weights().get("ctr"), ATOL, RTOL, "ctr " + when);
    }

    @Test
    void weightsFollowTheHandSequence() {
        MtlStrategy s = StrategyFactory.create("dwa");
        assertWeights(new double[] {1, 1, 1}, s, "before any epoch");
        s.onEpochEnd(Map.of("cls", 2.0, "box", 1.0, "ctr", 0.5));
        assertWeights(new double[] {1, 1, 1}, s, "after one epoch");
        s.onEpochEnd(Map.of("cls", 1.0, "box", 0.9, "ctr", 0.5));
        // r = (1/2, 0.9/1, 0.5/0.5)
        assertWeights(expected(0.5, 0.9, 1.0), s, "after two epochs");
        s.onEpochEnd(Map.of("cls", 0.8, "box", 0.9, "ctr", 0.25));
        // r = (0.8/1, 0.9/0.9, 0.25/0.5)
        assertWeights(expected(0.8, 1.0, 0.5), s, "after three epochs");
        double sum = s.weights().values().stream().mapToDouble(Double::doubleValue).sum();
        assertClose(3.0, sum, 1e-12, 1e-12, "weights sum to T");

        MtlStrategy resumed = StrategyFactory.create("dwa");
        resumed.loadStateDict(s.stateDict());
        assertEquals(s.weights(), resumed.weights());
        s.onEpochEnd(Map.of("cls", 0.7, "box", 0.6, "ctr", 0.2));
        resumed.onEpochEnd(Map.of("cls", 0.7, "box", 0.6, "ctr", 0.2));
        assertEquals(s.weights(), resumed.weights(), "resumed strategy continues identically");
    }

    @Test
    void temperatureOptionAndStepGradients() {
        MtlStrategy s = StrategyFactory.create("dwa", Map.of("temperature", 0.5));
        s.onEpochEnd(Map.of("cls", 1.0, "box", 1.0, "ctr", 1.0));
        s.onEpochEnd(Map.of("cls", 0.5, "box", 1.0, "ctr", 2.0));
        double[] r = {0.5, 1.0, 2.0};
        double sum = 0;
        for (double v : r) sum += Math.exp(v / 0.5);
        double[] w = new double[3];
        for (int t = 0; t < 3; t++) w[t] = 3 * Math.exp(r[t] / 0.5) / sum;
        assertWeights(w, s, "Temp 0.5");

        TinyMultiTaskModel m = new TinyMultiTaskModel();
        StepResult res = s.backward(m.losses(), m.hardSharing(), m.parameters());
        assertClose(w[2], res.task("ctr").weight(), ATOL, RTOL, "reported weight");
        Map<String, Tensor> l = m.losses();
        Tensor total = MathOps.add(MathOps.add(MathOps.scale(l.get("cls"), (float) w[0]),
                MathOps.scale(l.get("box"), (float) w[1])), MathOps.scale(l.get("ctr"), (float) w[2]));
        List<Tensor> ref = Autograd.grad(total, m.parameters(), false);
        // weights rounded to float32 on each side in the same way; summation order may differ: a few ulps
        assertGradsEqual(m.parameters(), ref, 1e-6, 1e-5, "dwa gradient");
    }
}
