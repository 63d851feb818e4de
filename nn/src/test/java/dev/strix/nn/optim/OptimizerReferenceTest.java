package dev.strix.nn.optim;

import dev.strix.nn.Tensor;
import dev.strix.nn.testing.RandomTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * SGD, Adam and AdamW against double-precision re-implementations of PyTorch's update rules, over several
 * steps, awkward sizes, several groups and parameters without gradients.
 */
class OptimizerReferenceTest {
    private static final int STEPS = 5;
    /**
     * Parameters are N(0,1) (|p| < 5); each float32 step rounds p by at most half an ulp (<= 2.4e-7) plus the
     * rounding of the update itself, so five steps stay within ~1.5e-6 of the exact values.
     */
    private static final double ATOL = 1e-6, RTOL = 1e-6;

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** PyTorch SGD on doubles; {@code buf} null when momentum is 0, {@code first} on the first step. */
    static void sgdReference(double[] p, double[] g, double[] buf, boolean first, double lr, double momentum,
                             double dampening, double wd, boolean nesterov) {
        for (int i = 0; i < p.length; i++) {
            double d = g[i] + wd * p[i];
            if (momentum != 0) {
                buf[i] = first ? d : momentum * buf[i] + (1 - dampening) * d;
                d = nesterov ? d + momentum * buf[i] : buf[i];
            }
            p[i] -= lr * d;
        }
    }

    /** PyTorch Adam / AdamW on doubles; {@code t} counts from 1. */
    static void adamReference(double[] p, double[] g, double[] m, double[] v, int t, double lr, double b1, double b2,
                              double eps, double wd, boolean decoupled) {
        double bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
        for (int i = 0; i < p.length; i++) {
            double d = g[i];
            if (decoupled) p[i] *= 1 - lr * wd;
            else d += wd * p[i];
            m[i] = b1 * m[i] + (1 - b1) * d;
            v[i] = b2 * v[i] + (1 - b2) * d * d;
            p[i] -= lr / bc1 * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + eps);
        }
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {1, 7, 13, 65, 1031})
    void sgdVariantsMatchDoubleReference(int n) {
        // {momentum, dampening, weight decay, nesterov}
        double[][] configs = {{0, 0, 0, 0}, {0, 0, 1e-2, 0}, {0.9, 0, 1e-4, 0}, {0.9, 0.3, 5e-3, 0}, {0.8, 0, 1e-3, 1}};
        for (double[] c : configs) {
            Tensor p = RandomTensors.normal(11 + n, n).requiresGrad(true);
            double[] ref = toDouble(p.toArray()), buf = new double[n];
            Sgd opt = new Sgd(ParamGroup.single(List.of(p)), 0.05, c[0], c[1], c[2], c[3] != 0);
            for (int s = 0; s < STEPS; s++) {
                Tensor g = RandomTensors.normal(100 * s + n, n);
                p.setGrad(g);
                opt.step();
                sgdReference(ref, toDouble(g.toArray()), c[0] != 0 ? buf : null, s == 0, 0.05, c[0], c[1], c[2], c[3] != 0);
                assertClose("sgd " + java.util.Arrays.toString(c) + " n=" + n + " step " + s, ref,
                        toDouble(p.toArray()), ATOL, RTOL);
            }
        }
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {1, 7, 31, 65, 1031})
    void adamAndAdamWMatchDoubleReference(int n) {
        for (boolean decoupled : new boolean[] {false, true})
            for (double wd : new double[] {0, 1e-2}) {
                Tensor p = RandomTensors.normal(23 + n, n).requiresGrad(true);
                double[] ref = toDouble(p.toArray()), m = new double[n], v = new double[n];
                List<ParamGroup> groups = ParamGroup.single(List.of(p));
                Adam opt = decoupled ? new AdamW(groups, 3e-3, 0.8, 0.99, 1e-8, wd) : new Adam(groups, 3e-3, 0.8, 0.99, 1e-8, wd);
                for (int s = 0; s < STEPS; s++) {
                    Tensor g = RandomTensors.normal(7 * s + n + 1000, n);
                    p.setGrad(g);
                    opt.step();
                    adamReference(ref, toDouble(g.toArray()), m, v, s + 1, 3e-3, 0.8, 0.99, 1e-8, wd, decoupled);
                    assertClose((decoupled ? "adamw" : "adam") + " wd=" + wd + " n=" + n + " step " + s, ref,
                            toDouble(p.toArray()), ATOL, RTOL);
                }
                assertEquals(STEPS, opt.state(0).step());
            }
    }

    @Test
    void defaultsFollowPyTorch() {
        Tensor p = Tensor.of(new float[] {1f}, 1).requiresGrad(true);
        AdamW w = new AdamW(ParamGroup.single(List.of(p)), 1e-3);
        ParamGroup g = w.groups().get(0);
        assertEquals(1e-2, g.weightDecay());
        assertEquals(0.9, g.get(ParamGroup.BETA1));
        assertEquals(0.999, g.get(ParamGroup.BETA2));
        assertEquals(1e-8, g.get(ParamGroup.EPS));
        Adam a = new Adam(ParamGroup.single(List.of(Tensor.of(new float[] {1f}, 1).requiresGrad(true))), 1e-3);
        assertEquals(0.0, a.groups().get(0).weightDecay());
    }

    @Test
    void groupsUseTheirOwnOptionsAndSkipParametersWithoutGradient() {
        Tensor a = RandomTensors.normal(1, 4, 3).requiresGrad(true);
        Tensor b = RandomTensors.normal(2, 5).requiresGrad(true);
        Tensor c = RandomTensors.normal(3, 2).requiresGrad(true);
        ParamGroup g0 = new ParamGroup(List.of(a, c));
        ParamGroup g1 = new ParamGroup(List.of(b)).set(ParamGroup.LR, 0.5).set(ParamGroup.MOMENTUM, 0.0)
                .set(ParamGroup.NESTEROV, false);
        Sgd opt = new Sgd(List.of(g0, g1), 0.1, 0.9, 0, 0.01, true);
        float[] cBefore = c.toArray();
        double[] ra = toDouble(a.toArray()), rb = toDouble(b.toArray()), bufA = new double[12];
        for (int s = 0; s < 3; s++) {
            Tensor ga = RandomTensors.normal(40 + s, 4, 3), gb = RandomTensors.normal(50 + s, 5);
            a.setGrad(ga);
            b.setGrad(gb);
            opt.step();
            sgdReference(ra, toDouble(ga.toArray()), bufA, s == 0, 0.1, 0.9, 0, 0.01, true);
            sgdReference(rb, toDouble(gb.toArray()), null, false, 0.5, 0, 0, 0.01, false);
        }
        assertClose("group 0, parameter a", ra, toDouble(a.toArray()), ATOL, RTOL);
        assertClose("group 1, parameter b", rb, toDouble(b.toArray()), ATOL, RTOL);
        assertArrayEquals(cBefore, c.toArray(), "a parameter without gradient must not move");
        assertEquals(0, opt.state(1).step(), "no state for a parameter without gradient");
        assertNull(opt.state(1).get(Sgd.MOMENTUM_BUFFER));
        assertNull(opt.state(2).get(Sgd.MOMENTUM_BUFFER), "momentum 0 keeps no buffer");
        opt.zeroGrad();
        assertNull(a.grad());
        assertNull(b.grad());
    }

    @Test
    void learningRateFactorKeepsGroupRatios() {
        Tensor a = Tensor.of(new float[] {1f}, 1).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {1f}, 1).requiresGrad(true);
        Sgd opt = new Sgd(List.of(new ParamGroup(List.of(a)), new ParamGroup(List.of(b)).set(ParamGroup.LR, 0.4)), 0.1);
        opt.setLr(0.05);
        assertEquals(0.05, opt.groups().get(0).lr(), 1e-17);
        assertEquals(0.2, opt.groups().get(1).lr(), 1e-16);
        Scheduler sched = new Scheduler(opt, new StepDecay(2, 0.1));
        assertEquals(0.1, opt.groups().get(0).lr(), 1e-17);
        sched.step();
        sched.step();
        assertEquals(0.01, opt.groups().get(0).lr(), 1e-17);
        assertEquals(0.04, opt.groups().get(1).lr(), 1e-16);
        a.setGrad(Tensor.of(new float[] {2f}, 1));
        b.setGrad(Tensor.of(new float[] {2f}, 1));
        opt.step();
        assertEquals(1 - 0.01 * 2, a.item(), 1e-7, "group 0 steps with its scheduled rate");
        assertEquals(1 - 0.04 * 2, b.item(), 1e-7, "group 1 steps with its scheduled rate");
        sched.seek(0);
        assertEquals(0.4, opt.groups().get(1).lr(), 0);
    }

    @Test
    void rejectsInvalidSettings() {
        List<ParamGroup> one = ParamGroup.single(List.of(Tensor.of(new float[] {1f}, 1).requiresGrad(true)));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(one, 0.1, 0, 0, 0, true), "nesterov without momentum");
        assertThrows(IllegalArgumentException.class, () -> new Sgd(one, 0.1, 0.9, 0.1, 0, true), "nesterov with dampening");
        assertThrows(IllegalArgumentException.class, () -> new Sgd(one, -1), "negative lr");
        assertThrows(IllegalArgumentException.class, () -> new Adam(one, 1e-3, 1.0, 0.999, 1e-8, 0), "beta1 = 1");
        assertThrows(IllegalArgumentException.class, () -> new AdamW(one, 1e-3, 0.9, 0.999, 1e-8, -1), "negative decay");
        Tensor p = Tensor.of(new float[] {1f}, 1).requiresGrad(true);
        assertThrows(IllegalArgumentException.class,
                () -> new Sgd(List.of(new ParamGroup(List.of(p)), new ParamGroup(List.of(p))), 0.1), "duplicate parameter");
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(), 0.1), "no groups");
    }
}
