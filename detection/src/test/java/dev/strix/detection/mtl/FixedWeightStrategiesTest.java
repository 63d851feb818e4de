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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** weighted, coupled, equal and independent against hand-written combined losses on the tiny model. */
class FixedWeightStrategiesTest {
    // both sides are float32 autograd over the same ops, summed in possibly different orders: a few ulps
    private static final double ATOL = 1e-6, RTOL = 1e-5;

    /** Gradients of w_cls L_cls + w_box L_box + w_ctr L_ctr written out by hand, on a fresh graph. */
    private static List<Tensor> handGradients(TinyMultiTaskModel m, double wCls, double wBox, double wCtr) {
        Map<String, Tensor> l = m.losses();
        Tensor total = MathOps.add(MathOps.add(MathOps.scale(l.get("cls"), (float) wCls),
                MathOps.scale(l.get("box"), (float) wBox)), MathOps.scale(l.get("ctr"), (float) wCtr));
        return Autograd.grad(total, m.parameters(), false);
    }

    private static double handValue(TinyMultiTaskModel m, double wCls, double wBox, double wCtr) {
        Map<String, Tensor> l = m.losses();
        return wCls * l.get("cls").item() + wBox * l.get("box").item() + wCtr * l.get("ctr").item();
    }

    @Test
    void weightedMatchesHandWrittenLoss() {
        TinyMultiTaskModel m = new TinyMultiTaskModel();
        MtlStrategy s = StrategyFactory.create("weighted", Map.of("weights", Map.of("cls", 0.5, "box", 2.0, "ctr", 1.5)));
        StepResult r = s.backward(m.losses(), m.hardSharing(), m.parameters());
        assertGradsEqual(m.parameters(), handGradients(m, 0.5, 2.0, 1.5), ATOL, RTOL, "weighted");
        assertClose(handValue(m, 0.5, 2.0, 1.5), r.combinedLoss(), 1e-6, 1e-6, "combined loss");
        assertEquals(2.0, r.task("box").weight());
        assertEquals(Map.of("cls", 0.5, "box", 2.0, "ctr", 1.5), s.weights());
        assertClose(m.losses().get("ctr").item(), r.task("ctr").loss(), 0, 0, "reported ctr loss");
    }

    @Test
    void weightedFromCommandLineString() {
        TinyMultiTaskModel m = new TinyMultiTaskModel();
        MtlStrategy s = StrategyFactory.create("weighted", Map.of("weights", "box=3"));
        s.backward(m.losses(), m.hardSharing(), m.parameters());
        assertGradsEqual(m.parameters(), handGradients(m, 1, 3, 1), ATOL, RTOL, "weighted box=3");
    }

    @Test
    void coupledMatchesHandWrittenLoss() {
        TinyMultiTaskModel m = new TinyMultiTaskModel();
        MtlStrategy s = StrategyFactory.create("coupled", Map.of("box_weight", 3.0, "ctr_weight", "0.7"));
        StepResult r = s.backward(m.losses(), m.hardSharing(), m.parameters());
        assertGradsEqual(m.parameters(), handGradients(m, 1, 3, 0.7), ATOL, RTOL, "coupled");
        assertClose(handValue(m, 1, 3, 0.7), r.combinedLoss(), 1e-6, 1e-6, "combined loss");
        assertEquals(1.0, r.task("cls").weight());
    }

    @Test
    void equalMatchesPlainSum() {
        TinyMultiTaskModel m = new TinyMultiTaskModel();
        MtlStrategy s = StrategyFactory.create("equal");
        assertEquals("equal", s.name());
        s.backward(m.losses(), m.hardSharing(), m.parameters());
        assertGradsEqual(m.parameters(), handGradients(m, 1, 1, 1), ATOL, RTOL, "equal");
        assertEquals(Map.of("cls", 1.0, "box", 1.0, "ctr", 1.0), s.weights());
    }

    @Test
    void gradientsAccumulateLikeBackward() {
        TinyMultiTaskModel m = new TinyMultiTaskModel();
        MtlStrategy s = StrategyFactory.create("equal");
        s.backward(m.losses(), m.hardSharing(), m.parameters());
        s.backward(m.losses(), m.hardSharing(), m.parameters());
        List<Tensor> once = handGradients(m, 1, 1, 1);
        List<Tensor> twice = once.stream().map(t -> t.mul(2f)).toList();
        assertGradsEqual(m.parameters(), twice, ATOL, RTOL, "two accumulated steps");
    }

    @Test
    void independentMovesEachTaskOnlyByItsOwnLoss() {
        TinyMultiTaskModel m = new TinyMultiTaskModel();
        MtlStrategy s = StrategyFactory.create("independent");
        StepResult r = s.backward(m.losses(), m.trunkOwnedByCls(), m.parameters());
        Map<String, Tensor> l = m.losses();
        // trunk and cls head: gradient of L_cls alone (box and ctr depend on the trunk but must not move it)
        List<Tensor> clsParams = m.trunkOwnedByCls().parametersOf("cls");
        assertGradsEqual(clsParams, Autograd.grad(l.get("cls"), clsParams, true), ATOL, RTOL, "cls trunk+head");
        assertGradsEqual(m.box.parameters(), Autograd.grad(l.get("box"), m.box.parameters(), true), ATOL, RTOL, "box head");
        assertGradsEqual(m.ctr.parameters(), Autograd.grad(l.get("ctr"), m.ctr.parameters(), false), ATOL, RTOL, "ctr head");
        // and differs from what the combined loss would give the trunk
        List<Tensor> combined = handGradients(m, 1, 1, 1);
        float[] trunkGrad = m.trunk.weight().grad().toArray();
        float[] combinedTrunk = combined.get(0).toArray();
        double diff = 0;
        for (int i = 0; i < trunkGrad.length; i++) diff = Math.max(diff, Math.abs(trunkGrad[i] - combinedTrunk[i]));
        assertTrue(diff > 1e-4, "box/ctr gradients must not reach the trunk; largest difference to the combined gradient " + diff);
        assertTrue(Double.isNaN(r.task("cls").sharedGradNorm()));
    }

    @Test
    void independentRefusesASharedTrunk() {
        TinyMultiTaskModel m = new TinyMultiTaskModel();
        MtlStrategy s = StrategyFactory.create("independent");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> s.backward(m.losses(), m.hardSharing(), m.parameters()));
        assertTrue(e.getMessage().contains("independent sharing mode"), e.getMessage());
        for (Tensor p : m.parameters()) assertNull(p.grad(), "nothing may be touched after the refusal");
    }

    @Test
    void independentRefusesParametersOfNoTask() {
        TinyMultiTaskModel m = new TinyMultiTaskModel();
        SharedParameters headsOnly = SharedParameters.independent(Map.of(
                "cls", m.cls.parameters(), "box", m.box.parameters(), "ctr", m.ctr.parameters()));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> StrategyFactory.create("independent").backward(m.losses(), headsOnly, m.parameters()));
        assertTrue(e.getMessage().contains("belong to no task"), e.getMessage());
    }

    @Test
    void lossWithoutGradientContributesNothing() {
        TinyMultiTaskModel m = new TinyMultiTaskModel();
        Map<String, Tensor> l = new java.util.LinkedHashMap<>(m.losses());
        l.put("ctr", Tensor.scalar(0.25f)); // e.g. no positive locations: a constant loss
        MtlStrategy s = StrategyFactory.create("weighted", Map.of("measure", true));
        StepResult r = s.backward(l, m.hardSharing(), m.parameters());
        assertGradsEqual(m.parameters(), handGradients(m, 1, 1, 0), ATOL, RTOL, "constant ctr loss");
        assertEquals(0.0, r.task("ctr").sharedGradNorm());
        assertEquals(0.0, r.cosine("cls", "ctr"));
    }

    @Test
    void wrongTaskSetIsExplained() {
        TinyMultiTaskModel m = new TinyMultiTaskModel();
        Map<String, Tensor> l = new java.util.LinkedHashMap<>(m.losses());
        l.remove("ctr");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StrategyFactory.create("equal").backward(l, m.hardSharing(), m.parameters()));
        assertTrue(e.getMessage().contains("tasks"), e.getMessage());
        MtlStrategy two = StrategyFactory.create("coupled", Map.of("tasks", "cls,box", "box_weight", 2));
        two.backward(l, m.hardSharing(), m.parameters());
        assertGradsEqual(m.parameters(), handGradients(m, 1, 2, 0), ATOL, RTOL, "coupled without ctr");
    }
}
