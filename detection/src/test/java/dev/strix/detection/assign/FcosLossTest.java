package dev.strix.detection.assign;

import dev.strix.detection.data.Box;
import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.detection.model.LevelOutput;
import dev.strix.nn.Tensor;
import dev.strix.detection.assign.FcosLossConfig.BoxLoss;
import dev.strix.detection.assign.FcosLossConfig.ClassificationLoss;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** FcosLoss against a scalar double-precision implementation written from the formulas. */
class FcosLossTest {
    private static final int N = 2, C = 3, H = 64, W = 64;
    private static final int[] STRIDES = {8, 16, 32};

    /** Head outputs as double arrays, (N, K, h, w) flat per level; the test perturbs them for finite differences. */
    private static final class Outputs {
        final double[][] cls = new double[3][], box = new double[3][], ctr = new double[3][];
        final int channels;

        Outputs(long seed, int channels) {
            this.channels = channels;
            Random rnd = new Random(seed);
            for (int k = 0; k < 3; k++) {
                int hw = (H / STRIDES[k]) * (W / STRIDES[k]);
                cls[k] = new double[N * channels * hw];
                box[k] = new double[N * 4 * hw];
                ctr[k] = new double[N * hw];
                for (int i = 0; i < cls[k].length; i++) cls[k][i] = (float) (rnd.nextGaussian() * 1.5 - 1.0);
                for (int i = 0; i < box[k].length; i++) box[k][i] = (float) ((0.2 + 3 * rnd.nextDouble()) * STRIDES[k]);
                for (int i = 0; i < ctr[k].length; i++) ctr[k][i] = (float) rnd.nextGaussian();
            }
        }

        List<LevelOutput> tensors(boolean grad) {
            List<LevelOutput> out = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                int h = H / STRIDES[k], w = W / STRIDES[k];
                out.add(new LevelOutput(tensor(cls[k], grad, N, channels, h, w), tensor(box[k], grad, N, 4, h, w),
                        tensor(ctr[k], grad, N, 1, h, w), STRIDES[k]));
            }
            return out;
        }

        private static Tensor tensor(double[] v, boolean grad, int... shape) {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
            return Tensor.of(f, shape).requiresGrad(grad);
        }
    }

    private static List<List<ObjectAnnotation>> scene() {
        return List.of(
                List.of(ObjectAnnotation.of(new Box(4, 6, 30, 28), 0), ObjectAnnotation.of(new Box(20, 10, 60, 50), 2),
                        new ObjectAnnotation(new Box(36, 40, 64, 64), 0, false, false, true)),
                List.of(ObjectAnnotation.of(new Box(0, 0, 64, 64), 1), ObjectAnnotation.of(new Box(10, 30, 26, 60), 0),
                        ObjectAnnotation.of(new Box(40, 2, 58, 20), 2)));
    }

    private static Assignment assign(List<List<ObjectAnnotation>> t) {
        FcosAssigner a = new FcosAssigner();
        return a.assign(t, a.grid(H, W));
    }

    // ---- the reference ---------------------------------------------------------------------------------

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** Stable BCE on a logit: max(x,0) - x t + log(1 + exp(-|x|)). */
    private static double bce(double x, double t) {
        return Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** {cls, box, ctr} from the formulas, location by location. */
    static double[] reference(Outputs o, Assignment a, FcosLossConfig cfg) {
        LevelGrid g = a.grid();
        int locations = g.numLocations();
        double clsSum = 0, boxSum = 0, weightSum = 0, ctrSum = 0;
        int pos = 0, valid = 0;
        for (int n = 0; n < N; n++)
            for (int k = 0; k < 3; k++) {
                int s = STRIDES[k], h = g.height(k), w = g.width(k), hw = h * w;
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < w; j++) {
                        int q = i * w + j, row = n * locations + g.levelOffset(k) + q;
                        int label = a.classes()[row];
                        if (label == Assignment.IGNORE) continue;
                        valid++;
                        if (cfg.classification() == ClassificationLoss.SOFTMAX_CE) {
                            int target = label < 0 ? C : label;
                            double max = Double.NEGATIVE_INFINITY;
                            for (int c = 0; c <= C; c++) max = Math.max(max, o.cls[k][(n * (C + 1) + c) * hw + q]);
                            double z = 0;
                            for (int c = 0; c <= C; c++) z += Math.exp(o.cls[k][(n * (C + 1) + c) * hw + q] - max);
                            clsSum += -(o.cls[k][(n * (C + 1) + target) * hw + q] - max - Math.log(z));
                        } else {
                            for (int c = 0; c < C; c++) {
                                double x = o.cls[k][(n * C + c) * hw + q], t = c == label ? 1 : 0;
                                double ce = bce(x, t);
                                if (cfg.classification() == ClassificationLoss.FOCAL) {
                                    double p = sigmoid(x), pt = p * t + (1 - p) * (1 - t);
                                    double alphaT = cfg.focalAlpha() * t + (1 - cfg.focalAlpha()) * (1 - t);
                                    clsSum += alphaT * ce * Math.pow(1 - pt, cfg.focalGamma());
                                } else clsSum += ce;
                            }
                        }
                        if (label < 0) continue;
                        pos++;
                        double x = s / 2 + j * s, y = s / 2 + i * s;
                        double[] p = new double[4], t = new double[4];
                        for (int e = 0; e < 4; e++) {
                            p[e] = o.box[k][(n * 4 + e) * hw + q];
                            t[e] = a.ltrb()[4 * row + e];
                        }
                        double cstar = Math.sqrt(Math.min(t[0], t[2]) / Math.max(t[0], t[2])
                                * Math.min(t[1], t[3]) / Math.max(t[1], t[3]));
                        weightSum += cstar;
                        boxSum += cstar * boxLoss(cfg, x, y, p, t, s);
                        ctrSum += bce(o.ctr[k][n * hw + q], cstar);
                    }
            }
        double clsLoss = cfg.classification() == ClassificationLoss.SOFTMAX_CE ? clsSum / valid : clsSum / Math.max(1, pos);
        return new double[] {clsLoss, boxSum / Math.max(1e-6, weightSum), ctrSum / Math.max(1, pos)};
    }

    /** One location's box loss; boxes placed at the location's actual point (x, y). */
    private static double boxLoss(FcosLossConfig cfg, double x, double y, double[] p, double[] t, int stride) {
        BoxLoss kind = cfg.box();
        if (kind.isPointwise()) {
            double sum = 0, beta = cfg.smoothL1Beta();
            for (int e = 0; e < 4; e++) {
                double d = (p[e] - t[e]) / stride, a = Math.abs(d);
                sum += switch (kind) {
                    case L1 -> a;
                    case MSE -> d * d;
                    default -> a < beta ? 0.5 * d * d / beta : a - 0.5 * beta;
                };
            }
            return sum;
        }
        double eps = cfg.iouEps();
        double px1 = x - p[0], py1 = y - p[1], px2 = x + p[2], py2 = y + p[3];
        double gx1 = x - t[0], gy1 = y - t[1], gx2 = x + t[2], gy2 = y + t[3];
        double iw = Math.max(0, Math.min(px2, gx2) - Math.max(px1, gx1));
        double ih = Math.max(0, Math.min(py2, gy2) - Math.max(py1, gy1));
        double inter = iw * ih, union = (px2 - px1) * (py2 - py1) + (gx2 - gx1) * (gy2 - gy1) - inter;
        double iou = inter / (union + eps);
        double ew = Math.max(px2, gx2) - Math.min(px1, gx1), eh = Math.max(py2, gy2) - Math.min(py1, gy1);
        double rho2 = Math.pow((px1 + px2 - gx1 - gx2) / 2, 2) + Math.pow((py1 + py2 - gy1 - gy2) / 2, 2);
        double diou = 1 - iou + rho2 / (ew * ew + eh * eh + eps);
        return switch (kind) {
            case IOU -> 1 - iou;
            case GIOU -> 1 - (iou - (ew * eh - union) / (ew * eh + eps));
            case DIOU -> diou;
            case CIOU -> {
                double v = 4 / (Math.PI * Math.PI)
                        * Math.pow(Math.atan((gx2 - gx1) / (gy2 - gy1)) - Math.atan((px2 - px1) / (py2 - py1)), 2);
                yield diou + v / (1 - iou + v + eps) * v;
            }
            default -> throw new IllegalStateException();
        };
    }

    // ---- tests -----------------------------------------------------------------------------------------

    private static void assertLossesMatch(Map<String, Tensor> got, double[] ref, String what) {
        String[] keys = {FcosLoss.CLS, FcosLoss.BOX, FcosLoss.CTR};
        for (int t = 0; t < 3; t++) {
            double v = got.get(keys[t]).item();
            // float32 sums of a few hundred terms against double: 2e-5 relative leaves ample room
            double tol = 1e-6 + 2e-5 * Math.abs(ref[t]);
            if (!(Math.abs(v - ref[t]) <= tol))
                fail(what + " " + keys[t] + ": got " + v + ", reference " + ref[t] + ", difference " + Math.abs(v - ref[t]));
        }
    }

    @Test
    void keysAreClsBoxCtrInOrder() {
        Outputs o = new Outputs(1, C);
        Map<String, Tensor> l = new FcosLoss().compute(o.tensors(false), assign(scene()));
        assertEquals(List.of("cls", "box", "ctr"), new ArrayList<>(l.keySet()));
    }

    @Test
    void everyLossMatchesTheReference() {
        Assignment a = assign(scene());
        assertTrue(a.numPositives() > 5 && a.numIgnored() > 0, "the scene has positives and ignored locations");
        for (ClassificationLoss cl : ClassificationLoss.values())
            for (BoxLoss bl : BoxLoss.values()) {
                FcosLossConfig cfg = FcosLossConfig.defaults().withClassification(cl).withBox(bl);
                Outputs o = new Outputs(11 + cl.ordinal() * 10 + bl.ordinal(), cl == ClassificationLoss.SOFTMAX_CE ? C + 1 : C);
                assertLossesMatch(new FcosLoss(cfg).compute(o.tensors(false), a), reference(o, a, cfg), cl + "/" + bl);
            }
    }

    @Test
    void noPositivesGiveZeroBoxAndCenternessLosses() {
        Assignment a = assign(List.of(List.of(), List.of()));
        Outputs o = new Outputs(3, C);
        Map<String, Tensor> l = new FcosLoss().compute(o.tensors(true), a);
        assertEquals(0f, l.get(FcosLoss.BOX).item());
        assertEquals(0f, l.get(FcosLoss.CTR).item());
        assertLossesMatch(l, reference(o, a, FcosLossConfig.defaults()), "empty");
        l.get(FcosLoss.BOX).add(l.get(FcosLoss.CTR)).add(l.get(FcosLoss.CLS)).backward();
    }

    @Test
    void gradientsMatchFiniteDifferencesOfTheReference() {
        Assignment a = assign(scene());
        FcosLossConfig cfg = FcosLossConfig.defaults();
        Outputs o = new Outputs(5, C);
        List<LevelOutput> t = o.tensors(true);
        Map<String, Tensor> l = new FcosLoss(cfg).compute(t, a);
        l.get(FcosLoss.CLS).add(l.get(FcosLoss.BOX)).add(l.get(FcosLoss.CTR)).backward();

        LevelGrid g = a.grid();
        int pos = -1, neg = -1, ign = -1; // level-0 locations of image 0 of each kind
        for (int q = 0; q < g.height(0) * g.width(0); q++) {
            int c = a.classes()[q];
            if (c >= 0 && pos < 0) pos = q;
            if (c == Assignment.BACKGROUND && neg < 0) neg = q;
            if (c == Assignment.IGNORE && ign < 0) ign = q;
        }
        assertTrue(pos >= 0 && neg >= 0 && ign >= 0, "level 0 of image 0 has all three kinds");
        int hw = g.height(0) * g.width(0), label = a.classes()[pos];
        // (array, index, tensor) triples: cls at the positive (its class and another), at a negative, at an
        // ignored location; all four box sides and the centerness at the positive; box and ctr at a negative
        List<Object[]> probes = new ArrayList<>();
        probes.add(new Object[] {o.cls[0], label * hw + pos, t.get(0).cls()});
        probes.add(new Object[] {o.cls[0], ((label + 1) % C) * hw + pos, t.get(0).cls()});
        probes.add(new Object[] {o.cls[0], hw + neg, t.get(0).cls()});
        probes.add(new Object[] {o.cls[0], ign, t.get(0).cls()});
        for (int e = 0; e < 4; e++) probes.add(new Object[] {o.box[0], e * hw + pos, t.get(0).box()});
        probes.add(new Object[] {o.ctr[0], pos, t.get(0).ctr()});
        probes.add(new Object[] {o.box[0], 2 * hw + neg, t.get(0).box()});
        probes.add(new Object[] {o.ctr[0], neg, t.get(0).ctr()});
        double worst = 0;
        for (Object[] p : probes) {
            double[] arr = (double[]) p[0];
            int idx = (Integer) p[1];
            float got = ((Tensor) p[2]).grad().toArray()[idx];
            double keep = arr[idx], step = 1e-4 * Math.max(1, Math.abs(keep));
            arr[idx] = keep + step;
            double up = sum(reference(o, a, cfg));
            arr[idx] = keep - step;
            double down = sum(reference(o, a, cfg));
            arr[idx] = keep;
            double fd = (up - down) / (2 * step);
            // float32 autograd against a double central difference (truncation ~1e-8): 1e-3 relative is loose
            double tol = 1e-5 + 1e-3 * Math.abs(fd);
            worst = Math.max(worst, Math.abs(got - fd));
            if (!(Math.abs(got - fd) <= tol))
                fail("gradient at index " + idx + ": autograd " + got + ", finite difference " + fd + ", largest difference " + worst);
        }
        assertEquals(0f, t.get(0).cls().grad().toArray()[ign], "an ignored location gets no gradient");
        assertEquals(0f, t.get(0).box().grad().toArray()[neg], "a negative location gets no box gradient");
    }

    private static double sum(double[] v) {
        return v[0] + v[1] + v[2];
    }

    @Test
    void degenerateNegativePredictionsCannotLeakNaN() {
        Assignment a = assign(scene());
        for (BoxLoss bl : BoxLoss.values()) {
            Outputs o = new Outputs(9, C);
            LevelGrid g = a.grid();
            int locations = g.numLocations();
            for (int n = 0; n < N; n++)
                for (int k = 0; k < 3; k++) {
                    int hw = g.height(k) * g.width(k);
                    for (int q = 0; q < hw; q++)
                        if (a.classes()[n * locations + g.levelOffset(k) + q] < 0)
                            for (int e = 0; e < 4; e++) o.box[k][(n * 4 + e) * hw + q] = 0; // relu's dead output
                }
            List<LevelOutput> t = o.tensors(true);
            FcosLossConfig cfg = FcosLossConfig.defaults().withBox(bl);
            Map<String, Tensor> l = new FcosLoss(cfg).compute(t, a);
            assertLossesMatch(l, reference(o, a, cfg), "zero negatives " + bl);
            l.get(FcosLoss.BOX).backward();
            for (LevelOutput lo : t)
                for (float v : lo.box().grad().toArray())
                    if (!Float.isFinite(v)) fail(bl + ": non-finite box gradient " + v);
        }
    }
}
