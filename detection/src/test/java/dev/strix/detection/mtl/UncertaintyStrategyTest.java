package dev.strix.detection.mtl;

import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.MathOps;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.strix.detection.mtl.GradAsserts.assertClose;
import static dev.strix.detection.mtl.GradAsserts.assertGradsEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class UncertaintyStrategyTest {
    private static final List<String> TASKS = List.of("cls", "box", "ctr");
    private static final double[] S = {0.3, -0.2, 0.5};
    // float32 exp and products against double: a few ulps of values near 1
    private static final double ATOL = 1e-6, RTOL = 1e-5;

    private static MtlStrategy withLogVars() {
        MtlStrategy s = StrategyFactory.create("uncertainty");
        s.loadStateDict(Map.of("log_var.cls", Tensor.scalar((float) S[0]), "log_var.box", Tensor.scalar((float) S[1]),
                "log_var.ctr", Tensor.scalar((float) S[2])));
        return s;
    }

    @Test
    void logVarianceGradientIsOneMinusWeightedLoss() {
        TinyMultiTaskModel m = new TinyMultiTaskModel();
        MtlStrategy s = withLogVars();
        List<Tensor> extra = s.extraParameters();
        assertEquals(3, extra.size());
        for (Tensor t : extra) assertArrayEquals(new int[0], t.shape(), "log-variances are 0-d");
        StepResult r = s.backward(m.losses(), m.hardSharing(), m.parameters());
        Map<String, Tensor> l = m.losses();
        double value = 0;
        for (int t = 0; t < 3; t++) {
            double sv = (float) S[t], lt = l.get(TASKS.get(t)).item();
            assertClose(-Math.exp(-sv) * lt + 1, extra.get(t).grad().item(), ATOL, RTOL, "dL/ds_" + TASKS.get(t));
            assertClose(Math.exp(-sv), r.task(TASKS.get(t)).weight(), ATOL, RTOL, "reported weight");
            assertClose(Math.exp(-sv), s.weights().get(TASKS.get(t)), ATOL, RTOL, "weights()");
            value += Math.exp(-sv) * lt + sv;
        }
        assertClose(value, r.combinedLoss(), ATOL, RTOL, "objective");
    }

    @Test
    void modelGradientIsExpWeightedSum() {
        TinyMultiTaskModel m = new TinyMultiTaskModel();
        withLogVars().backward(m.losses(), m.hardSharing(), m.parameters());
        Map<String, Tensor> l = m.losses();
        Tensor total = null;
        for (int t = 0; t < 3; t++) {
            Tensor term = MathOps.scale(l.get(TASKS.get(t)), (float) Math.exp(-(float) S[t]));
            total = total == null ? term : MathOps.add(total, term);
        }
        assertGradsEqual(m.parameters(), Autograd.grad(total, m.parameters(), false), ATOL, RTOL, "model gradient");
    }

    @Test
    void stateRoundTripsAndRejectsWrongKeys() {
        MtlStrategy s = withLogVars();
        MtlStrategy other = StrategyFactory.create("uncertainty", Map.of("init_log_var", 2.0));
        assertEquals(Math.exp(-2.0), other.weights().get("box"), 1e-6);
        Tensor before = other.extraParameters().get(1);
        other.loadStateDict(s.stateDict());
        assertEquals(s.weights(), other.weights());
        assertSame(before, other.extraParameters().get(1), "loading keeps the optimizer's tensors");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> other.loadStateDict(Map.of("log_var.cls", Tensor.scalar(0f))));
        assertEquals(true, e.getMessage().contains("missing"), e.getMessage());
    }
}
