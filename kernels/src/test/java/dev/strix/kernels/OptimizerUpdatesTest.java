package dev.strix.kernels;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.strix.kernels.KernelTestSupport.SIZES;
import static dev.strix.kernels.KernelTestSupport.assertClose;
import static dev.strix.kernels.KernelTestSupport.random;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link OptimizerUpdates}: PyTorch's rules on hand-computed steps, and SIMD against {@link OptimizerUpdatesReference}. */
@Tag("simd")
class OptimizerUpdatesTest {
    // hand-computed values are exact decimals; the float kernel rounds p, g, buf, m, v: ~1e-7 relative each
    private static final double HAND_RTOL = 1e-6;

    @Test
    void sgdFollowsPyTorch() {
        // p = 1, g = 0.5, lr 0.1, momentum 0.9, weight decay 0.01
        float[] p = {1f}, buf = {0f};
        OptimizerUpdates.sgd(p, new float[] {0.5f}, buf, 0.1f, 0.9f, 0f, 0.01f, false, true, 1);
        // step 1: g = 0.5 + 0.01 * 1 = 0.51, buf = g, p = 1 - 0.1 * 0.51
        assertClose("sgd step 1 buf", buf, new double[] {0.51}, 1, 0, HAND_RTOL);
        assertClose("sgd step 1 p", p, new double[] {0.949}, 1, 0, HAND_RTOL);
        OptimizerUpdates.sgd(p, new float[] {0.5f}, buf, 0.1f, 0.9f, 0f, 0.01f, false, false, 1);
        // step 2: g = 0.5 + 0.01 * 0.949 = 0.50949, buf = 0.9 * 0.51 + 0.50949 = 0.96849, p = 0.949 - 0.096849
        assertClose("sgd step 2 buf", buf, new double[] {0.96849}, 1, 0, HAND_RTOL);
        assertClose("sgd step 2 p", p, new double[] {0.852151}, 1, 0, HAND_RTOL);

        // Nesterov, first step: buf = 0.51, g = 0.51 + 0.9 * 0.51 = 0.969, p = 1 - 0.0969
        p[0] = 1f;
        OptimizerUpdates.sgd(p, new float[] {0.5f}, buf, 0.1f, 0.9f, 0f, 0.01f, true, true, 1);
        assertClose("nesterov p", p, new double[] {0.9031}, 1, 0, HAND_RTOL);

        // dampening 0.5, second step from buf 0.51 and p 0.949: buf = 0.459 + 0.5 * 0.50949 = 0.713745
        p[0] = 0.949f;
        buf[0] = 0.51f;
        OptimizerUpdates.sgd(p, new float[] {0.5f}, buf, 0.1f, 0.9f, 0.5f, 0.01f, false, false, 1);
        assertClose("dampened buf", buf, new double[] {0.713745}, 1, 0, HAND_RTOL);
        assertClose("dampened p", p, new double[] {0.8776255}, 1, 0, HAND_RTOL);

        // plain SGD, no momentum buffer: p = 2 - 0.1 * (-3)
        float[] q = {2f};
        OptimizerUpdates.sgd(q, new float[] {-3f}, null, 0.1f, 0f, 0f, 0f, false, true, 1);
        assertClose("plain sgd", q, new double[] {2.3}, 1, 0, HAND_RTOL);
        assertThrows(IllegalArgumentException.class,
                () -> OptimizerUpdates.sgd(q, q, null, 0.1f, 0.9f, 0f, 0f, false, true, 1));
    }

    @Test
    void adamAndAdamWFollowPyTorch() {
        double eps = 1e-8;
        // Adam, p = 1, g = 0.5, lr 0.01, betas (0.9, 0.999): m = 0.05, v = 0.00025, m^ = 0.5, v^ = 0.25
        float[] p = {1f}, m = {0f}, v = {0f};
        OptimizerUpdates.adam(p, new float[] {0.5f}, m, v, 0.01f, 0.9f, 0.999f, (float) eps, 0f, false, 1, 1);
        double p1 = 1 - 0.01 * 0.5 / (0.5 + eps);
        assertClose("adam m", m, new double[] {0.05}, 1, 0, HAND_RTOL);
        assertClose("adam v", v, new double[] {0.00025}, 1, 0, HAND_RTOL);
        assertClose("adam step 1", p, new double[] {p1}, 1, 0, HAND_RTOL);
        // step 2, same g: m = 0.095, v = 0.00049975, bias corrections 0.19 and 0.001999: m^ = 0.5, v^ = 0.25
        OptimizerUpdates.adam(p, new float[] {0.5f}, m, v, 0.01f, 0.9f, 0.999f, (float) eps, 0f, false, 2, 1);
        assertClose("adam m 2", m, new double[] {0.095}, 1, 0, HAND_RTOL);
        assertClose("adam v 2", v, new double[] {0.00049975}, 1, 0, HAND_RTOL);
        assertClose("adam step 2", p, new double[] {p1 - 0.01 * 0.5 / (0.5 + eps)}, 1, 0, HAND_RTOL);

        // Adam with L2 weight decay 0.1: g = 0.5 + 0.1 = 0.6, m^ = 0.6, v^ = 0.36
        p[0] = 1f;
        m[0] = 0f;
        v[0] = 0f;
        OptimizerUpdates.adam(p, new float[] {0.5f}, m, v, 0.01f, 0.9f, 0.999f, (float) eps, 0.1f, false, 1, 1);
        assertClose("adam l2 m", m, new double[] {0.06}, 1, 0, HAND_RTOL);
        assertClose("adam l2", p, new double[] {1 - 0.01 * 0.6 / (0.6 + eps)}, 1, 0, HAND_RTOL);

        // AdamW, decoupled 0.1: p = 1 * (1 - 0.01 * 0.1) = 0.999 first, then the plain step (m^ = 0.5, v^ = 0.25)
        p[0] = 1f;
        m[0] = 0f;
        v[0] = 0f;
        OptimizerUpdates.adam(p, new float[] {0.5f}, m, v, 0.01f, 0.9f, 0.999f, (float) eps, 0.1f, true, 1, 1);
        assertClose("adamw m", m, new double[] {0.05}, 1, 0, HAND_RTOL);
        assertClose("adamw", p, new double[] {0.999 - 0.01 * 0.5 / (0.5 + eps)}, 1, 0, HAND_RTOL);
        assertThrows(IllegalArgumentException.class,
                () -> OptimizerUpdates.adam(p, p, m, v, 0.01f, 0.9f, 0.999f, 1e-8f, 0f, false, 0, 1));
    }

    @Test
    void emaFollowsTheFormula() {
        float[] e = {1f, -2f}, p = {3f, 4f};
        OptimizerUpdates.ema(e, p, 0.9f, 2);
        // 0.9 * 1 + 0.1 * 3 = 1.2; 0.9 * -2 + 0.1 * 4 = -1.4
        assertClose("ema", e, new double[] {1.2, -1.4}, 2, 0, HAND_RTOL);
        // decay 0.9999f is read as the decimal 0.9999, as PyTorch holds it: 1 - decay = 1e-4, not 1.00017e-4
        float[] z = {0f};
        OptimizerUpdates.ema(z, new float[] {1f}, 0.9999f, 1);
        assertClose("ema weight of the new value", z, new double[] {1e-4}, 1, 0, HAND_RTOL);
    }

    @Test
    void vectorPathsMatchReferenceOverSeveralSteps() {
        SplittableRandom rnd = new SplittableRandom(71);
        // a few float roundings per step against the double reference, compounded over 5 steps: 1e-5 relative
        double atol = 1e-6, rtol = 1e-5;
        for (int n : SIZES) {
            for (int variant = 0; variant < 4; variant++) {
                boolean nesterov = variant == 1, wd = variant >= 2;
                float dampening = variant == 3 ? 0.3f : 0f;
                float[] p = random(rnd, n, -1, 1), buf = new float[n], pRef = p.clone(), bufRef = new float[n];
                for (int step = 1; step <= 5; step++) {
                    float[] g = random(rnd, n, -1, 1);
                    OptimizerUpdates.sgd(p, g, buf, 0.05f, 0.9f, dampening, wd ? 5e-4f : 0f, nesterov, step == 1, n);
                    OptimizerUpdatesReference.sgd(pRef, g, bufRef, 0.05f, 0.9f, dampening, wd ? 5e-4f : 0f, nesterov,
                            step == 1, n);
                }
                assertClose("sgd variant " + variant + " n=" + n, p, pRef, n, atol, rtol);
                assertClose("sgd buffer variant " + variant + " n=" + n, buf, bufRef, n, atol, rtol);

                boolean decoupled = variant % 2 == 1;
                float decay = variant >= 2 ? 0.05f : 0f;
                p = random(rnd, n, -1, 1);
                pRef = p.clone();
                float[] m = new float[n], v = new float[n], mRef = new float[n], vRef = new float[n];
                for (int step = 1; step <= 5; step++) {
                    float[] g = random(rnd, n, -1, 1);
                    OptimizerUpdates.adam(p, g, m, v, 1e-3f, 0.9f, 0.999f, 1e-8f, decay, decoupled, step, n);
                    OptimizerUpdatesReference.adam(pRef, g, mRef, vRef, 1e-3f, 0.9f, 0.999f, 1e-8f, decay, decoupled,
                            step, n);
                }
                assertClose("adam variant " + variant + " n=" + n, p, pRef, n, atol, rtol);
                assertClose("adam m variant " + variant + " n=" + n, m, mRef, n, atol, rtol);
                assertClose("adam v variant " + variant + " n=" + n, v, vRef, n, atol, rtol);
            }
            float[] e = random(rnd, n, -1, 1), eRef = e.clone(), p = random(rnd, n, -1, 1);
            OptimizerUpdates.ema(e, p, 0.9999f, n);
            OptimizerUpdatesReference.ema(eRef, p, 0.9999f, n);
            assertClose("ema n=" + n, e, eRef, n, 1e-7, 1e-6);
        }
    }
}
