package dev.strix.nn.losses;

import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;
import dev.strix.nn.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BinaryLossesTest {
    private static float[] gaussian(int n, double scale, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (scale * r.nextGaussian());
        return v;
    }

    private static float[] labels(int n, long seed, boolean soft) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = soft ? r.nextFloat() : (r.nextFloat() > 0.6f ? 1f : 0f);
        return v;
    }

    /** Double-precision BCE on logits with log1p, independent of the float32 formula under test. */
    private static double bceRef(double x, double t) {
        return Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** torchvision's sigmoid_focal_loss in double for one element. */
    private static double focalRef(double x, double t, double alpha, double gamma) {
        double p = 1 / (1 + Math.exp(-x));
        double pt = p * t + (1 - p) * (1 - t);
        double loss = bceRef(x, t) * Math.pow(1 - pt, gamma);
        if (alpha >= 0) loss *= alpha * t + (1 - alpha) * (1 - t);
        return loss;
    }

    @ParameterizedTest(name = "n={0}")
    @CsvSource({"1", "7", "13", "65"})
    void bceMatchesDoubleReference(int n) {
        float[] x = gaussian(n, 4, n), t = labels(n, n + 1, true);
        float[] expected = new float[n];
        double sum = 0;
        for (int i = 0; i < n; i++) sum += expected[i] = (float) bceRef(x[i], t[i]);
        Tensor xs = Tensor.of(x, n), ts = Tensor.of(t, n);
        // 1e-6 absolute: log(1 + e) in float32 loses the tail log1p keeps for |x| > ~16 (below 1e-7)
        assertClose("bce none", expected, BinaryLosses.bceWithLogits(xs, ts, null, Reduction.NONE).toArray(), 1e-6, 1e-6);
        assertClose("bce sum", sum, BinaryLosses.bceWithLogits(xs, ts, null, Reduction.SUM).item(), 1e-5, 1e-5);
        assertClose("bce mean", sum / n, BinaryLosses.bceWithLogits(xs, ts, null, Reduction.MEAN).item(), 1e-6, 1e-5);
    }

    @Test
    void bceWeightBroadcastsOverRows() {
        float[] x = gaussian(20, 2, 3), t = labels(20, 4, false);
        float[] w = {0.5f, 1f, 2f, 0f, 3f};
        float[] full = new float[20];
        for (int i = 0; i < 20; i++) full[i] = w[i % 5];
        Tensor broadcast = BinaryLosses.bceWithLogits(Tensor.of(x, 4, 5), Tensor.of(t, 4, 5), Tensor.of(w, 5), Reduction.NONE);
        Tensor explicit = BinaryLosses.bceWithLogits(Tensor.of(x, 4, 5), Tensor.of(t, 4, 5), Tensor.of(full, 4, 5),
                Reduction.NONE);
        assertClose("broadcast weight", explicit.toArray(), broadcast.toArray(), 0, 0);
        assertThrows(IllegalArgumentException.class, () -> BinaryLosses.bceWithLogits(Tensor.of(x, 4, 5),
                Tensor.of(t, 4, 5), Tensor.of(new float[40], 2, 4, 5), Reduction.NONE));
    }

    @Test
    void bceGradients() {
        float[] x = gaussian(13, 3, 5), t = labels(13, 6, true), w = labels(13, 7, true);
        int[] s = {13};
        // float32 loss values of size ~1-10 and h = 1e-2: rounding noise ~1e-6/2e-2 = 5e-5 in the difference quotient
        for (Reduction r : Reduction.values()) {
            GradCheck.check("bce " + r, in -> BinaryLosses.bceWithLogits(in[0], in[1], null, r), 1e-2, 2e-4, 1e-2,
                    Tensor.of(x.clone(), s).requiresGrad(true), Tensor.of(t.clone(), s).requiresGrad(true));
            GradCheck.check("bce weighted " + r, in -> BinaryLosses.bceWithLogits(in[0], in[1], in[2], r), 1e-2, 2e-4,
                    1e-2, Tensor.of(x.clone(), s).requiresGrad(true), Tensor.of(t.clone(), s).requiresGrad(true),
                    Tensor.of(w.clone(), s).requiresGrad(true));
        }
    }

    @ParameterizedTest(name = "alpha={0} gamma={1}")
    @CsvSource({"0.25, 2", "-1, 2", "0.25, 1.5", "0.5, 1", "0.25, 0", "-1, 3"})
    void focalMatchesTorchvisionDefinitionAndGradients(float alpha, float gamma) {
        int n = 31;
        float[] x = gaussian(n, 3, 8), t = labels(n, 9, false);
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) expected[i] = (float) focalRef(x[i], t[i], alpha, gamma);
        Tensor out = BinaryLosses.sigmoidFocalLoss(Tensor.of(x, n), Tensor.of(t, n), alpha, gamma, Reduction.NONE);
        // exp(gamma * log y) for non-integer gamma: relative error ~ gamma * |log y| * 6e-8, below 1e-5
        assertClose("focal none", expected, out.toArray(), 1e-6, 1e-5);
        int[] s = {n};
        for (Reduction r : Reduction.values())
            GradCheck.check("focal " + r, in -> BinaryLosses.sigmoidFocalLoss(in[0], in[1], alpha, gamma, r), 1e-2, 2e-4,
                    1e-2, Tensor.of(x.clone(), s).requiresGrad(true), Tensor.of(t, s));
    }

    @Test
    void largeLogitsStayFinite() {
        float[] x = {-100f, -100f, 100f, 100f}, t = {0f, 1f, 0f, 1f};
        Tensor xs = Tensor.of(x, 4).requiresGrad(true);
        Tensor bce = BinaryLosses.bceWithLogits(xs, Tensor.of(t, 4), null, Reduction.NONE);
        assertClose("bce at |x| = 100", new float[] {0f, 100f, 100f, 0f}, bce.toArray(), 1e-6, 1e-6);
        Autograd.backward(bce, Tensor.of(new float[] {1, 1, 1, 1}, 4), false);
        assertClose("bce gradient at |x| = 100", new float[] {0f, -1f, 1f, 0f}, xs.grad().toArray(), 1e-6, 0);

        Tensor xf = Tensor.of(x.clone(), 4).requiresGrad(true);
        Tensor focal = BinaryLosses.sigmoidFocalLoss(xf, Tensor.of(t, 4), 0.25f, 2f, Reduction.NONE);
        // torchvision: 0.75 * 100 where a negative is confidently wrong, 0.25 * 100 for a missed positive
        assertClose("focal at |x| = 100", new float[] {0f, 25f, 75f, 0f}, focal.toArray(), 1e-5, 1e-6);
        Autograd.backward(focal, Tensor.of(new float[] {1, 1, 1, 1}, 4), false);
        assertClose("focal gradient at |x| = 100", new float[] {0f, -0.25f, 0.75f, 0f}, xf.grad().toArray(), 1e-6, 0);

        Tensor mean = BinaryLosses.sigmoidFocalLoss(Tensor.of(x, 4), Tensor.of(t, 4), 0.7f, 1.5f, Reduction.MEAN);
        assertTrue(Float.isFinite(mean.item()), "focal gamma 1.5 at |x| = 100 gave " + mean.item());
    }

    @Test
    void emptyInputs() {
        Tensor x = Tensor.of(new float[0], 0, 5), t = Tensor.of(new float[0], 0, 5);
        assertTrue(Float.isNaN(BinaryLosses.bceWithLogits(x, t, null, Reduction.MEAN).item()), "bce mean of nothing is NaN");
        assertEquals(0f, BinaryLosses.bceWithLogits(x, t, null, Reduction.SUM).item());
        assertEquals(0, BinaryLosses.bceWithLogits(x, t, null, Reduction.NONE).numel());
        assertTrue(Float.isNaN(BinaryLosses.sigmoidFocalLoss(x, t, 0.25f, 2f, Reduction.MEAN).item()),
                "focal mean of nothing is NaN");
        assertEquals(0f, BinaryLosses.sigmoidFocalLoss(x, t, 0.25f, 2f, Reduction.SUM).item());
    }

    @Test
    void rejectsMismatchedShapes() {
        assertThrows(IllegalArgumentException.class, () -> BinaryLosses.bceWithLogits(Tensor.of(new float[6], 2, 3),
                Tensor.of(new float[6], 3, 2), null, Reduction.SUM));
        assertThrows(IllegalArgumentException.class, () -> BinaryLosses.sigmoidFocalLoss(Tensor.of(new float[6], 6),
                Tensor.of(new float[6], 6), 0.25f, -1f, Reduction.SUM));
    }

    /**
     * Hard targets take the fused focal kernel and targets that need a gradient the composite autograd form: two
     * independent implementations that must agree on the loss and on d loss / d logits, saturated logits included.
     */
    @Test
    void fusedAndCompositeFocalAgree() {
        int n = 203;
        float[] x = new float[n], t = new float[n], w = new float[n];
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(17);
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 24 - 12);
            t[i] = i % 3 == 0 ? 1f : 0f;
            w[i] = (float) rnd.nextDouble();
        }
        x[0] = 40f;
        x[1] = -40f;
        for (float[] ag : new float[][] {{0.25f, 2f}, {-1f, 2f}, {0.25f, 0f}, {0.5f, 1.5f}}) {
            float[][] values = new float[2][], grads = new float[2][];
            for (int form = 0; form < 2; form++) {
                Tensor xs = Tensor.of(x.clone(), n).requiresGrad(true);
                Tensor ts = Tensor.of(t.clone(), n).requiresGrad(form == 1);
                Tensor per = BinaryLosses.sigmoidFocalLoss(xs, ts, ag[0], ag[1], Reduction.NONE);
                values[form] = per.toArray();
                per.mul(Tensor.of(w, n)).sum().backward();
                grads[form] = xs.grad().toArray();
            }
            String what = "alpha " + ag[0] + " gamma " + ag[1];
            assertClose("fused vs composite focal " + what, values[1], values[0], 1e-6, 1e-5);
            assertClose("fused vs composite focal gradient " + what, grads[1], grads[0], 1e-6, 1e-4);
        }
    }
}
