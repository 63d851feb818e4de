package dev.strix.detection.mtl;

import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.MathOps;
import dev.strix.nn.ops.ReduceOps;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.strix.detection.mtl.GradAsserts.assertClose;
import static dev.strix.detection.mtl.GradAsserts.dot;
import static dev.strix.detection.mtl.GradAsserts.flatten;
import static dev.strix.detection.mtl.GradAsserts.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcGradStrategyTest {
    // float32 dot products and axpys against the double reference on values of order 1
    private static final double ATOL = 1e-5, RTOL = 1e-5;

    /** Shared θ (3) and per-task φ_t (2): L_t = a_t . θ + sum(b_t φ_t^2), so g_t on θ is a_t. */
    private record Linear2(Tensor theta, Tensor phi1, Tensor phi2, float[] a1, float[] a2) {
        Linear2(float[] a1, float[] a2) {
            this(Tensor.of(new float[] {0.5f, -1, 2}, 3).requiresGrad(true),
                    Tensor.of(new float[] {1, -2}, 2).requiresGrad(true),
                    Tensor.of(new float[] {0.5f, 3}, 2).requiresGrad(true), a1, a2);
        }

        Map<String, Tensor> losses() {
            Map<String, Tensor> l = new LinkedHashMap<>();
            l.put("t1", MathOps.add(ReduceOps.sum(MathOps.mul(Tensor.of(a1.clone(), 3), theta)),
                    ReduceOps.sum(MathOps.square(phi1))));
            l.put("t2", MathOps.add(ReduceOps.sum(MathOps.mul(Tensor.of(a2.clone(), 3), theta)),
                    MathOps.scale(ReduceOps.sum(MathOps.square(phi2)), 0.5f)));
            return l;
        }

        SharedParameters shared() {
            return SharedParameters.hardSharing(List.of(theta), List.of(theta), Map.of("t1", List.of(phi1), "t2", List.of(phi2)));
        }

        List<Tensor> all() {
            return List.of(theta, phi1, phi2);
        }
    }

    /** PCGrad on flat double vectors with the given projection orders (row i: the j's for task i). */
    static double[] reference(double[][] g, int[][] orders) {
        int n = g.length, d = g[0].length;
        double[] sum = new double[d];
        for (int i = 0; i < n; i++) {
            double[] p = g[i].clone();
            for (int j : orders[i]) {
                double dd = dot(p, g[j]), nn = dot(g[j], g[j]);
                if (dd < 0 && nn > 0) for (int k = 0; k < d; k++) p[k] -= dd / nn * g[j][k];
            }
            for (int k = 0; k < d; k++) sum[k] += p[k];
        }
        return sum;
    }

    @Test
    void conflictingGradientsBecomeOrthogonal() {
        float[] a1 = {1, 2, 0}, a2 = {-2, 0.5f, 1}; // a1 . a2 = -1 < 0
        Linear2 m = new Linear2(a1, a2);
        PcGradStrategy s = (PcGradStrategy) StrategyFactory.create("pcgrad", Map.of("tasks", List.of("t1", "t2")));
        StepResult r = s.backward(m.losses(), m.shared(), m.all());
        double[] g1 = toDouble(a1), g2 = toDouble(a2);
        double[] p1 = flatten(s.lastProjected().get(0)), p2 = flatten(s.lastProjected().get(1));
        assertClose(0, dot(p1, g2), ATOL, 0, "projected g1 . g2");
        assertClose(0, dot(p2, g1), ATOL, 0, "projected g2 . g1");
        double[] ref = reference(new double[][] {g1, g2}, new int[][] {{1}, {0}});
        GradAsserts.assertClose(ref, m.theta().grad().toArray(), ATOL, RTOL, "shared gradient");
        // heads: their own task's gradient (2 φ_1 and φ_2)
        GradAsserts.assertClose(new double[] {2, -4}, m.phi1().grad().toArray(), 0, 0, "phi1");
        GradAsserts.assertClose(new double[] {0.5, 3}, m.phi2().grad().toArray(), 0, 0, "phi2");
        assertTrue(r.cosine("t1", "t2") < 0, "conflict reported before projection");
    }

    @Test
    void nonConflictingGradientsAreUnchanged() {
        float[] a1 = {1, 2, 0}, a2 = {1, 0, 1}; // a1 . a2 = 1 > 0
        Linear2 m = new Linear2(a1, a2);
        PcGradStrategy s = (PcGradStrategy) StrategyFactory.create("pcgrad", Map.of("tasks", "t1,t2"));
        s.backward(m.losses(), m.shared(), m.all());
        GradAsserts.assertClose(toDouble(a1), s.lastProjected().get(0).get(0).toArray(), 0, 0, "g1");
        GradAsserts.assertClose(new double[] {2, 2, 1}, m.theta().grad().toArray(), 0, 0, "plain sum");
    }

    private static double[][] perTaskShared(TinyMultiTaskModel m) {
        double[][] g = new double[3][];
        List<String> tasks = List.of("cls", "box", "ctr");
        for (int t = 0; t < 3; t++) g[t] = flatten(Autograd.grad(m.losses().get(tasks.get(t)), m.sharedParams(), false));
        return g;
    }

    @Test
    void threeTasksMatchTheDoubleReferenceAndAreDeterministic() {
        TinyMultiTaskModel m = new TinyMultiTaskModel(), m2 = new TinyMultiTaskModel();
        PcGradStrategy s = (PcGradStrategy) StrategyFactory.create("pcgrad", Map.of("seed", 7));
        PcGradStrategy s2 = (PcGradStrategy) StrategyFactory.create("pcgrad", Map.of("seed", 7));
        s.backward(m.losses(), m.hardSharing(), m.parameters());
        s2.backward(m2.losses(), m2.hardSharing(), m2.parameters());
        int[][] orders = s.lastOrders();
        double[] ref = reference(perTaskShared(m), orders);
        GradAsserts.assertClose(ref, concat(m.sharedParams()), ATOL, RTOL, "shared trunk");
        for (int i = 0; i < 3; i++) assertArrayEquals(orders[i], s2.lastOrders()[i], "same seed, same order");
        List<Tensor> p = m.parameters(), p2 = m2.parameters();
        for (int i = 0; i < p.size(); i++)
            GradAsserts.assertClose(toDouble(p2.get(i).grad().toArray()), p.get(i).grad().toArray(), 0, 0, "param " + i);
        // heads get their own task's gradient
        Map<String, Tensor> l = m.losses();
        GradAsserts.assertGradsEqual(m.box.parameters(), Autograd.grad(l.get("box"), m.box.parameters(), false), 1e-6, 1e-5, "box head");
        // the tiny model's tasks conflict, so this test exercises the projection
        double[][] g = perTaskShared(m);
        boolean conflict = dot(g[0], g[1]) < 0 || dot(g[0], g[2]) < 0 || dot(g[1], g[2]) < 0;
        double[] plain = new double[g[0].length];
        for (double[] gi : g) for (int k = 0; k < plain.length; k++) plain[k] += gi[k];
        double diff = 0;
        for (int k = 0; k < plain.length; k++) diff = Math.max(diff, Math.abs(plain[k] - ref[k]));
        assertTrue(conflict, "the tiny model's ctr gradient conflicts with cls and box (cosines about -0.002 and -0.02)");
        assertTrue(diff > 1e-5, "the projection must change the shared gradient; largest change " + diff);
    }

    @Test
    void resumedStateGivesTheSameOrders() {
        TinyMultiTaskModel m = new TinyMultiTaskModel();
        PcGradStrategy a = (PcGradStrategy) StrategyFactory.create("pcgrad", Map.of("seed", 3));
        a.backward(m.losses(), m.hardSharing(), m.parameters());
        PcGradStrategy b = (PcGradStrategy) StrategyFactory.create("pcgrad");
        b.loadStateDict(a.stateDict());
        List<int[][]> oa = new ArrayList<>(), ob = new ArrayList<>();
        for (int step = 0; step < 4; step++) {
            a.backward(m.losses(), m.hardSharing(), m.parameters());
            b.backward(m.losses(), m.hardSharing(), m.parameters());
            oa.add(a.lastOrders());
            ob.add(b.lastOrders());
        }
        for (int i = 0; i < oa.size(); i++)
            for (int t = 0; t < 3; t++) assertArrayEquals(oa.get(i)[t], ob.get(i)[t], "step " + i + " task " + t);
    }

    private static float[] concat(List<Tensor> params) {
        List<Float> out = new ArrayList<>();
        for (Tensor p : params) for (float v : p.grad().toArray()) out.add(v);
        float[] f = new float[out.size()];
        for (int i = 0; i < f.length; i++) f[i] = out.get(i);
        return f;
    }
}
