package dev.strix.nn.losses;

import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;
import dev.strix.nn.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Random;

import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BoxLossesTest {
    private static final float EPS = BoxLosses.DEFAULT_EPS;

    enum Kind { IOU, GIOU, DIOU, CIOU }

    private static Tensor loss(Kind k, Tensor p, Tensor t, Reduction r) {
        return switch (k) {
            case IOU -> BoxLosses.iouLoss(p, t, EPS, r);
            case GIOU -> BoxLosses.giouLoss(p, t, EPS, r);
            case DIOU -> BoxLosses.diouLoss(p, t, EPS, r);
            case CIOU -> BoxLosses.ciouLoss(p, t, EPS, r);
        };
    }

    /**
     * torchvision's box losses for one pair in double; {@code frozenAlpha} (NaN: compute it) replaces CIoU's
     * alpha so that finite differences treat it as the constant autograd sees.
     */
    private static double reference(Kind k, double[] p, double[] g, double eps, double frozenAlpha) {
        double iw = Math.min(p[2], g[2]) - Math.max(p[0], g[0]), ih = Math.min(p[3], g[3]) - Math.max(p[1], g[1]);
        double inter = iw > 0 && ih > 0 ? iw * ih : 0;
        double union = (p[2] - p[0]) * (p[3] - p[1]) + (g[2] - g[0]) * (g[3] - g[1]) - inter;
        double iou = inter / (union + eps);
        double cw = Math.max(p[2], g[2]) - Math.min(p[0], g[0]), ch = Math.max(p[3], g[3]) - Math.min(p[1], g[1]);
        if (k == Kind.IOU) return 1 - iou;
        if (k == Kind.GIOU) return 1 - (iou - (cw * ch - union) / (cw * ch + eps));
        double dx = (p[0] + p[2]) / 2 - (g[0] + g[2]) / 2, dy = (p[1] + p[3]) / 2 - (g[1] + g[3]) / 2;
        double diou = 1 - iou + (dx * dx + dy * dy) / (cw * cw + ch * ch + eps);
        if (k == Kind.DIOU) return diou;
        double a = Math.atan((g[2] - g[0]) / (g[3] - g[1])) - Math.atan((p[2] - p[0]) / (p[3] - p[1]));
        double v = 4 / (Math.PI * Math.PI) * a * a;
        double alpha = Double.isNaN(frozenAlpha) ? v / (1 - iou + v + eps) : frozenAlpha;
        return diou + alpha * v;
    }

    private static double[] row(float[] boxes, int i) {
        return new double[] {boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]};
    }

    /** n random pairs: overlapping, nested and disjoint, with widths and heights in [2, 22). */
    private static float[][] randomPairs(int n, long seed) {
        Random r = new Random(seed);
        float[] p = new float[4 * n], t = new float[4 * n];
        for (int i = 0; i < n; i++) {
            float x = 30 * r.nextFloat(), y = 30 * r.nextFloat(), w = 2 + 20 * r.nextFloat(), h = 2 + 20 * r.nextFloat();
            t[4 * i] = x;
            t[4 * i + 1] = y;
            t[4 * i + 2] = x + w;
            t[4 * i + 3] = y + h;
            float px = x + (float) (6 * r.nextGaussian()), py = y + (float) (6 * r.nextGaussian());
            p[4 * i] = px;
            p[4 * i + 1] = py;
            p[4 * i + 2] = px + w * (0.5f + r.nextFloat());
            p[4 * i + 3] = py + h * (0.5f + r.nextFloat());
        }
        // row 0 disjoint, row 1 nested
        p[0] = t[2] + 5; p[1] = t[3] + 3; p[2] = p[0] + 4; p[3] = p[1] + 6;
        p[4] = t[4] + 0.5f; p[5] = t[5] + 0.75f; p[6] = t[6] - 0.625f; p[7] = t[7] - 0.5f;
        return new float[][] {p, t};
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void matchesDoubleReference(Kind k) {
        int n = 13;
        float[][] pt = randomPairs(n, 11 + k.ordinal());
        float[] expected = new float[n];
        double sum = 0;
        for (int i = 0; i < n; i++) sum += expected[i] = (float) reference(k, row(pt[0], i), row(pt[1], i), EPS, Double.NaN);
        Tensor p = Tensor.of(pt[0], n, 4), t = Tensor.of(pt[1], n, 4);
        Tensor none = loss(k, p, t, Reduction.NONE);
        assertArrayEquals(new int[] {n}, none.shape());
        // areas up to ~1e3 in float32: relative rounding ~1e-7 of each term; 2e-6 covers the sums of several terms
        assertClose(k + " none", expected, none.toArray(), 2e-6, 1e-5);
        assertClose(k + " sum", sum, loss(k, p, t, Reduction.SUM).item(), 1e-5, 1e-5);
        assertClose(k + " mean", sum / n, loss(k, p, t, Reduction.MEAN).item(), 1e-6, 1e-5);
    }

    /**
     * Fixed targets take the fused kernel and targets that need a gradient the composite autograd form: two
     * independent implementations that must agree on the loss and on d loss / d pred (ties and the overlap's ReLU
     * included: row 2 repeats its target exactly, row 3 touches it edge to edge).
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void fusedAndCompositeFormsAgree(Kind k) {
        int n = 29;
        float[][] pt = randomPairs(n, 41 + k.ordinal());
        System.arraycopy(pt[1], 8, pt[0], 8, 4);
        pt[0][12] = pt[1][14]; pt[0][13] = pt[1][13]; pt[0][14] = pt[0][12] + 3; pt[0][15] = pt[1][15];
        float[] weights = new float[n];
        for (int i = 0; i < n; i++) weights[i] = 0.5f + i % 5;
        float[][] values = new float[2][], grads = new float[2][];
        for (int form = 0; form < 2; form++) {
            Tensor p = Tensor.of(pt[0].clone(), n, 4).requiresGrad(true);
            Tensor t = Tensor.of(pt[1].clone(), n, 4).requiresGrad(form == 1);
            Tensor per = loss(k, p, t, Reduction.NONE);
            values[form] = per.toArray();
            per.mul(Tensor.of(weights, n)).sum().backward();
            grads[form] = p.grad().toArray();
        }
        assertClose(k + " fused vs composite loss", values[1], values[0], 1e-6, 1e-5);
        assertClose(k + " fused vs composite gradient", grads[1], grads[0], 1e-6, 1e-4);
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"IOU", "GIOU", "DIOU"})
    void gradientsMatchFiniteDifferences(Kind k) {
        int n = 7;
        float[][] pt = randomPairs(n, 21 + k.ordinal());
        // coordinates ~30 and h = 1e-2: float32 rounding of the loss (~1e-7) over 2h gives ~1e-5 noise
        for (Reduction r : Reduction.values())
            GradCheck.check(k + " " + r, in -> loss(k, in[0], in[1], r), 1e-2, 1e-4, 1e-2,
                    Tensor.of(pt[0].clone(), n, 4).requiresGrad(true), Tensor.of(pt[1], n, 4));
    }

    @Test
    void ciouGradientTreatsAlphaAsConstant() {
        int n = 7;
        float[][] pt = randomPairs(n, 31);
        Tensor p = Tensor.of(pt[0].clone(), n, 4).requiresGrad(true);
        Tensor sum = BoxLosses.ciouLoss(p, Tensor.of(pt[1], n, 4), EPS, Reduction.SUM);
        float[] analytic = Autograd.grad(sum, List.of(p), false).get(0).toArray();
        float[] numeric = new float[4 * n];
        double h = 1e-4; // double-precision reference: the step only trades truncation against 1e-16 rounding
        for (int i = 0; i < n; i++) {
            double[] pr = row(pt[0], i), g = row(pt[1], i);
            double alpha = frozenAlpha(pr, g);
            for (int c = 0; c < 4; c++) {
                double[] plus = pr.clone(), minus = pr.clone();
                plus[c] += h;
                minus[c] -= h;
                numeric[4 * i + c] = (float) ((reference(Kind.CIOU, plus, g, EPS, alpha)
                        - reference(Kind.CIOU, minus, g, EPS, alpha)) / (2 * h));
            }
        }
        // float32 autograd of terms ~1e-2 per coordinate against the exact derivative
        assertClose("ciou gradient", numeric, analytic, 1e-5, 1e-3);
    }

    private static double frozenAlpha(double[] p, double[] g) {
        double iouLoss = reference(Kind.IOU, p, g, EPS, Double.NaN);
        double a = Math.atan((g[2] - g[0]) / (g[3] - g[1])) - Math.atan((p[2] - p[0]) / (p[3] - p[1]));
        double v = 4 / (Math.PI * Math.PI) * a * a;
        return v / (iouLoss + v + EPS);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void identicalBoxesGiveZeroLoss(Kind k) {
        float[] b = {0f, 0f, 10f, 20f, 3.5f, -2f, 7f, 5f, 100f, 100f, 101f, 140f};
        Tensor out = loss(k, Tensor.of(b, 3, 4), Tensor.of(b.clone(), 3, 4), Reduction.NONE);
        // 1 - A/(A + 1e-7) with A >= 3.5 rounds to 0 in float32
        assertClose(k + " identical", new float[3], out.toArray(), 1e-6, 0);
        assertClose("boxIou identical", new float[] {1f, 1f, 1f},
                BoxLosses.boxIou(Tensor.of(b, 3, 4), Tensor.of(b.clone(), 3, 4)).toArray(), 1e-7, 0);
    }

    @Test
    void disjointBoxes() {
        float[] p = {0f, 0f, 2f, 2f}, t = {10f, 10f, 12f, 13f};
        float giou = BoxLosses.giouLoss(Tensor.of(p, 1, 4), Tensor.of(t, 1, 4), EPS, Reduction.SUM).item();
        assertTrue(giou > 1f, "GIoU loss of disjoint boxes exceeds 1, got " + giou);
        assertClose("giou disjoint", reference(Kind.GIOU, row(p, 0), row(t, 0), EPS, Double.NaN), giou, 1e-6, 1e-6);
        assertEquals(1f, BoxLosses.iouLoss(Tensor.of(p, 1, 4), Tensor.of(t, 1, 4), EPS, Reduction.SUM).item());
        assertTrue(BoxLosses.diouLoss(Tensor.of(p, 1, 4), Tensor.of(t, 1, 4), EPS, Reduction.SUM).item() > 1f);
        assertEquals(0f, BoxLosses.boxIou(Tensor.of(p, 1, 4), Tensor.of(t, 1, 4)).item());
        // touching edges: the intersection is 0 and, as torchvision's strict mask, passes no gradient
        float[] touching = {2f, 0f, 4f, 2f};
        Tensor ps = Tensor.of(p.clone(), 1, 4).requiresGrad(true);
        BoxLosses.iouLoss(ps, Tensor.of(touching, 1, 4), EPS, Reduction.SUM).backward();
        assertClose("iou gradient of touching boxes", new float[4], ps.grad().toArray(), 0, 0);
    }

    @Test
    void ciouStaysFiniteForACollapsedPrediction() {
        Tensor pred = Tensor.of(new float[] {5, 5, 5, 5}, 1, 4).requiresGrad(true); // w = h = 0
        Tensor target = Tensor.of(new float[] {2, 3, 9, 7}, 1, 4);
        Tensor loss = BoxLosses.ciouLoss(pred, target, BoxLosses.DEFAULT_EPS, Reduction.SUM);
        assertTrue(Float.isFinite(loss.item()), "loss " + loss.item());
        loss.backward();
        for (float g : pred.grad().toArray()) assertTrue(Float.isFinite(g), "gradient " + g);
    }

    @Test
    void boxIouMatchesReference() {
        int n = 31;
        float[][] pt = randomPairs(n, 41);
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) expected[i] = (float) (1 - reference(Kind.IOU, row(pt[0], i), row(pt[1], i), 0, Double.NaN));
        assertClose("boxIou", expected, BoxLosses.boxIou(Tensor.of(pt[0], n, 4), Tensor.of(pt[1], n, 4)).toArray(), 1e-6, 1e-5);
        GradCheck.check("boxIou", in -> BoxLosses.boxIou(in[0], in[1]), 1e-2, 1e-4, 1e-2,
                Tensor.of(pt[0].clone(), n, 4).requiresGrad(true), Tensor.of(pt[1].clone(), n, 4).requiresGrad(true));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void emptyBatch(Kind k) {
        Tensor p = Tensor.of(new float[0], 0, 4), t = Tensor.of(new float[0], 0, 4);
        // torchvision: mean over no boxes is 0 (loss.mean() if loss.numel() > 0 else 0.0 * loss.sum())
        assertEquals(0f, loss(k, p, t, Reduction.MEAN).item());
        assertEquals(0f, loss(k, p, t, Reduction.SUM).item());
        assertArrayEquals(new int[] {0}, loss(k, p, t, Reduction.NONE).shape());
    }

    @Test
    void rejectsBadShapes() {
        assertThrows(IllegalArgumentException.class,
                () -> BoxLosses.giouLoss(Tensor.of(new float[6], 2, 3), Tensor.of(new float[6], 2, 3), EPS, Reduction.SUM));
        assertThrows(IllegalArgumentException.class,
                () -> BoxLosses.boxIou(Tensor.of(new float[8], 2, 4), Tensor.of(new float[4], 1, 4)));
    }
}
