package dev.strix.detection.mtl;

import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.strix.detection.mtl.GradAsserts.assertClose;
import static dev.strix.detection.mtl.GradAsserts.dot;
import static dev.strix.detection.mtl.GradAsserts.flatten;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shared-trunk gradient norms and cosines against direct computation from Autograd.grad in double precision. */
class GradientDiagnosticsTest {
    private static final List<String> TASKS = List.of("cls", "box", "ctr");
    // float32 gradients reduced in float32 on the device vs double reductions of the same float32 values
    private static final double ATOL = 1e-6, RTOL = 1e-5;

    private static void assertStatsMatchDirect(TinyMultiTaskModel m, StepResult r) {
        double[][] g = new double[3][];
        for (int t = 0; t < 3; t++) {
            Map<String, Tensor> l = m.losses();
            g[t] = flatten(Autograd.grad(l.get(TASKS.get(t)), m.sharedParams(), false));
        }
        for (int a = 0; a < 3; a++) {
            double na = Math.sqrt(dot(g[a], g[a]));
            assertClose(na, r.task(TASKS.get(a)).sharedGradNorm(), ATOL, RTOL, "norm of " + TASKS.get(a));
            for (int b = 0; b < 3; b++) {
                if (a == b) continue;
                double cos = dot(g[a], g[b]) / (na * Math.sqrt(dot(g[b], g[b])));
                assertClose(cos, r.cosine(TASKS.get(a), TASKS.get(b)), ATOL, RTOL, "cos " + TASKS.get(a) + "/" + TASKS.get(b));
            }
        }
    }

    @Test
    void measuredStatsMatchDirectComputationForEveryLinearStrategy() {
        for (String name : List.of("weighted", "coupled", "equal", "uncertainty", "gradnorm", "dwa")) {
            TinyMultiTaskModel m = new TinyMultiTaskModel();
            MtlStrategy s = StrategyFactory.create(name, Map.of("measure", true));
            StepResult r = s.backward(m.losses(), m.hardSharing(), m.parameters());
            assertTrue(r.gradientsMeasured(), name);
            assertStatsMatchDirect(m, r);
            Map<String, Double> flat = r.toFlatMap();
            assertEquals(r.cosine("cls", "box"), flat.get("cos_cls_box"), name);
            assertEquals(r.task("ctr").sharedGradNorm(), flat.get("grad_norm_ctr"), name);
        }
    }

    @Test
    void measurementDoesNotChangeTheGradients() {
        TinyMultiTaskModel a = new TinyMultiTaskModel(), b = new TinyMultiTaskModel();
        StrategyFactory.create("weighted", Map.of("weights", "cls=2", "measure", true)).backward(a.losses(), a.hardSharing(), a.parameters());
        StrategyFactory.create("weighted", Map.of("weights", "cls=2")).backward(b.losses(), b.hardSharing(), b.parameters());
        List<Tensor> pa = a.parameters(), pb = b.parameters();
        for (int i = 0; i < pa.size(); i++)
            GradAsserts.assertClose(GradAsserts.toDouble(pb.get(i).grad().toArray()), pa.get(i).grad().toArray(), 0, 0, "param " + i);
    }

    @Test
    void cheapPathReportsLossesAndWeightsOnly() {
        TinyMultiTaskModel m = new TinyMultiTaskModel();
        MtlStrategy s = StrategyFactory.create("equal");
        assertFalse(s.measuresGradients());
        StepResult r = s.backward(m.losses(), m.hardSharing(), m.parameters());
        assertFalse(r.gradientsMeasured());
        assertTrue(Double.isNaN(r.task("cls").sharedGradNorm()));
        assertTrue(r.task("cls").cosines().isEmpty());
        assertFalse(r.toFlatMap().containsKey("grad_norm_cls"));
        s.setMeasureGradients(true);
        StepResult measured = s.backward(m.losses(), m.hardSharing(), m.parameters());
        assertStatsMatchDirect(m, measured);
    }

    @Test
    void pcgradAlwaysReportsStats() {
        TinyMultiTaskModel m = new TinyMultiTaskModel();
        StepResult r = StrategyFactory.create("pcgrad").backward(m.losses(), m.hardSharing(), m.parameters());
        assertStatsMatchDirect(m, r);
    }
}
