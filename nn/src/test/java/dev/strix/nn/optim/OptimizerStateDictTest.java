package dev.strix.nn.optim;

import dev.strix.nn.Tensor;
import dev.strix.nn.io.DType;
import dev.strix.nn.testing.RandomTensors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Saving and restoring optimizer state gives bitwise the same continuation. */
class OptimizerStateDictTest {
    private static final int[][] SHAPES = {{3, 7}, {13}, {2, 2, 5}};

    private static List<Tensor> params(long seed) {
        List<Tensor> ps = new ArrayList<>();
        for (int i = 0; i < SHAPES.length; i++) ps.add(RandomTensors.normal(seed + i, SHAPES[i]).requiresGrad(true));
        return ps;
    }

    /** Gradients of step {@code s}; the middle parameter has none on even steps. */
    private static void setGrads(List<Tensor> ps, int s) {
        for (int i = 0; i < ps.size(); i++)
            ps.get(i).setGrad(i == 1 && s % 2 == 0 ? null : RandomTensors.normal(1000L * s + i, SHAPES[i]));
    }

    private static List<Tensor> copies(List<Tensor> ps) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor p : ps) out.add(Tensor.of(p.toArray(), p.shape()).requiresGrad(true));
        return out;
    }

    private static List<ParamGroup> twoGroups(List<Tensor> ps) {
        return List.of(new ParamGroup(ps.subList(0, 2)), new ParamGroup(ps.subList(2, 3)).set(ParamGroup.LR, 0.03));
    }

    private void resumesBitwise(String what, Function<List<ParamGroup>, Optimizer> make) {
        List<Tensor> ps = params(5);
        Optimizer opt = make.apply(twoGroups(ps));
        Scheduler sched = new Scheduler(opt, new WarmupCosine(2, 10, 0.1, 0.05));
        for (int s = 0; s < 3; s++) {
            setGrads(ps, s);
            opt.step();
            sched.step();
        }
        Map<String, Tensor> saved = opt.stateDict();
        List<Tensor> savedParams = copies(ps);
        int savedStep = sched.currentStep();
        for (int s = 3; s < 5; s++) {
            setGrads(ps, s);
            opt.step();
            sched.step();
        }
        // the snapshot must not follow the live state
        List<Tensor> ps2 = savedParams;
        Optimizer opt2 = make.apply(twoGroups(ps2));
        opt2.loadStateDict(saved);
        Scheduler sched2 = new Scheduler(opt2, new WarmupCosine(2, 10, 0.1, 0.05));
        sched2.seek(savedStep);
        for (int s = 3; s < 5; s++) {
            setGrads(ps2, s);
            opt2.step();
            sched2.step();
        }
        for (int i = 0; i < ps.size(); i++)
            assertArrayEquals(ps.get(i).toArray(), ps2.get(i).toArray(), what + ": parameter " + i + " after resuming");
        Map<String, Tensor> end1 = opt.stateDict(), end2 = opt2.stateDict();
        assertEquals(end1.keySet(), end2.keySet(), what + ": state keys");
        for (String k : end1.keySet()) {
            Tensor a = end1.get(k), b = end2.get(k);
            if (a.dtype() == DType.I64) assertArrayEquals(a.longs(), b.longs(), what + ": " + k);
            else assertArrayEquals(a.toArray(), b.toArray(), what + ": " + k);
        }
    }

    @Test
    void sgdResumesBitwise() {
        resumesBitwise("sgd", g -> new Sgd(g, 0.1, 0.9, 0, 1e-4, true));
    }

    @Test
    void adamResumesBitwise() {
        resumesBitwise("adam", g -> new Adam(g, 1e-3, 0.9, 0.999, 1e-8, 1e-2));
    }

    @Test
    void adamWResumesBitwise() {
        resumesBitwise("adamw", g -> new AdamW(g, 1e-3));
    }

    @Test
    void keysFollowTheDocumentedLayout() {
        List<Tensor> ps = params(9);
        Adam opt = new Adam(twoGroups(ps), 1e-3);
        setGrads(ps, 0);
        opt.step();
        opt.step();
        Map<String, Tensor> sd = opt.stateDict();
        assertEquals(2, sd.get("state.0.step").longs()[0]);
        assertEquals(DType.I64, sd.get("state.0.step").dtype());
        assertArrayEquals(SHAPES[0], sd.get("state.0.exp_avg").shape());
        assertArrayEquals(SHAPES[2], sd.get("state.2.exp_avg_sq").shape());
        assertFalse(sd.containsKey("state.1.exp_avg"), "parameter 1 had no gradient, so no state");
        assertEquals(1e-3f, sd.get("group.0.lr").item());
        assertEquals(0.03f, sd.get("group.1.lr").item());
        assertEquals(0.999f, sd.get("group.1.beta2").item());
        assertArrayEquals(new long[] {0, 1}, sd.get("group.0.params").longs());
        assertArrayEquals(new long[] {2}, sd.get("group.1.params").longs());
    }

    @Test
    void restoresLearningRateAndOptionsAndRejectsMismatches() {
        List<Tensor> ps = params(3);
        Sgd opt = new Sgd(twoGroups(ps), 0.1, 0.9, 0, 0, false);
        opt.setLrFactor(0.25);
        opt.groups().get(1).set(ParamGroup.MOMENTUM, 0.5);
        Map<String, Tensor> sd = opt.stateDict();

        Sgd fresh = new Sgd(twoGroups(params(3)), 0.1, 0.9, 0, 0, false);
        fresh.loadStateDict(sd);
        assertEquals((float) (0.1 * 0.25), (float) fresh.groups().get(0).lr());
        assertEquals((float) (0.03 * 0.25), (float) fresh.groups().get(1).lr());
        assertEquals(0.1, fresh.groups().get(0).baseLr(), 0, "an option that agrees keeps its double value");
        assertEquals(0.5, fresh.groups().get(1).get(ParamGroup.MOMENTUM));

        Sgd oneGroup = new Sgd(ParamGroup.single(params(3)), 0.1);
        assertThrows(IllegalArgumentException.class, () -> oneGroup.loadStateDict(sd), "group layout differs");
        Map<String, Tensor> bad = new java.util.LinkedHashMap<>(sd);
        bad.put("state.7.momentum_buffer", Tensor.of(new float[] {1f}, 1));
        assertThrows(IllegalArgumentException.class, () -> fresh.loadStateDict(bad), "no parameter 7");
        Map<String, Tensor> wrongShape = new java.util.LinkedHashMap<>(sd);
        wrongShape.put("state.0.momentum_buffer", Tensor.of(new float[5], 5));
        assertThrows(IllegalArgumentException.class, () -> fresh.loadStateDict(wrongShape), "buffer shape differs");
        Map<String, Tensor> adamState = new java.util.LinkedHashMap<>(sd);
        adamState.put("state.0.exp_avg", Tensor.of(new float[21], 3, 7));
        assertThrows(IllegalArgumentException.class, () -> fresh.loadStateDict(adamState), "Adam state into SGD");
        assertEquals((float) (0.1 * 0.25), (float) fresh.groups().get(0).lr(), "failed loads change nothing");
        Map<String, Tensor> odd = Map.of("momentum", Tensor.scalar(1f));
        assertThrows(IllegalArgumentException.class, () -> fresh.loadStateDict(odd), "unknown key");
        assertTrue(fresh.state(0).isEmpty());
    }
}
