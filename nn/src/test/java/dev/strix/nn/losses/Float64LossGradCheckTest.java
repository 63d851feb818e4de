package dev.strix.nn.losses;

import dev.strix.nn.Tensor;
import dev.strix.nn.testing.DoubleRef;
import dev.strix.nn.testing.DoubleRef.Dense;
import dev.strix.nn.testing.GradCheck64;
import dev.strix.nn.testing.GradCheck64.Case;
import dev.strix.nn.testing.RandomTensors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.strix.nn.testing.GradCheck64.constant;
import static dev.strix.nn.testing.GradCheck64.param;

/**
 * Float64 gradient checks of every loss with every reduction (see {@link GradCheck64} for the method and the default
 * tolerances), against double references written from the PyTorch / torchvision definitions quoted in each loss's
 * documentation, plus a coverage test over the losses' public static methods.
 *
 * <p>Kinks: L1 and smooth L1 get differences {@code x - y} at least 0.05 from 0 and from beta; the box pairs are
 * built so that no two compared coordinates tie and no intersection side is near zero (disjoint pairs are at least
 * 0.3 apart). Targets of BCE and focal loss are checked as inputs too (soft targets), since Strix differentiates
 * with respect to them.
 */
class Float64LossGradCheckTest {
    static final Class<?>[] LOSS_CLASSES = {BinaryLosses.class, BoxLosses.class, CrossEntropyLoss.class,
            RegressionLosses.class};

    static Dense normal(long seed, double scale, int... shape) {
        return DoubleRef.map(Dense.of(RandomTensors.normal(seed, shape)), v -> (float) (scale * v));
    }

    static Dense uniform(long seed, double lo, double hi, int... shape) {
        return Dense.of(RandomTensors.uniform(seed, (float) lo, (float) hi, shape));
    }

    /** NONE: the per-element values; MEAN and SUM: a 0-d array. */
    static Dense reduce(Dense perElement, Reduction r) {
        return switch (r) {
            case NONE -> perElement;
            case SUM -> Dense.scalar(DoubleRef.sum(perElement));
            case MEAN -> Dense.scalar(DoubleRef.sum(perElement) / perElement.numel());
        };
    }

    // ---- binary losses ----------------------------------------------------------------------------------

    /** PyTorch's binary_cross_entropy_with_logits per element: max(x, 0) - x t + log(1 + exp(-|x|)). */
    static double bce(double x, double t) {
        return Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** torchvision's sigmoid_focal_loss per element. */
    static double focal(double x, double t, double alpha, double gamma) {
        double p = 1 / (1 + Math.exp(-x));
        double pt = p * t + (1 - p) * (1 - t);
        double loss = bce(x, t) * Math.pow(1 - pt, gamma);
        return alpha >= 0 ? (alpha * t + (1 - alpha) * (1 - t)) * loss : loss;
    }

    static List<Case> binaryCases() {
        List<Case> cases = new ArrayList<>();
        String bceSig = "BinaryLosses.bceWithLogits(Tensor,Tensor,Tensor,Reduction)";
        Dense logits = normal(500, 2, 3, 5, 3), hard = hardTargets(501, 3, 5, 3), soft = uniform(502, 0.05, 0.95, 3, 5, 3);
        Dense weight = uniform(503, 0.2, 3, 5, 1);
        for (Reduction r : Reduction.values()) {
            cases.add(new Case("bceWithLogits " + r, bceSig, () -> GradCheck64.check("bceWithLogits " + r,
                    in -> reduce(DoubleRef.zip(in[0], in[1], Float64LossGradCheckTest::bce), r),
                    in -> BinaryLosses.bceWithLogits(in[0], in[1], null, r), param(logits), constant(hard))));
            cases.add(new Case("bceWithLogits soft target as input, broadcast weight " + r, bceSig, () -> GradCheck64.check(
                    "bceWithLogits soft target weighted " + r,
                    in -> reduce(DoubleRef.zip(DoubleRef.zip(in[0], in[1], Float64LossGradCheckTest::bce), in[2],
                            (l, w) -> l * w), r),
                    in -> BinaryLosses.bceWithLogits(in[0], in[1], in[2], r), param(logits), param(soft), param(weight))));
        }
        String focalSig = "BinaryLosses.sigmoidFocalLoss(Tensor,Tensor,float,float,Reduction)";
        // gamma 0, 1 and 2 take the exact paths, 1.5 the exp(gamma log y) one; alpha -1 disables the weighting
        float[][] params = {{0.25f, 2f}, {-1f, 2f}, {0.25f, 0f}, {0.6f, 1f}, {0.25f, 1.5f}};
        long seed = 510;
        for (float[] ag : params) {
            for (Reduction r : Reduction.values()) {
                String name = "sigmoidFocalLoss alpha " + ag[0] + " gamma " + ag[1] + " " + r;
                Dense x = normal(seed++, 2, 2, 3, 5);
                Dense t = hardTargets(seed++, 2, 3, 5);
                cases.add(new Case(name, focalSig, () -> GradCheck64.check(name,
                        in -> reduce(DoubleRef.zip(in[0], in[1], (u, v) -> focal(u, v, ag[0], ag[1])), r),
                        in -> BinaryLosses.sigmoidFocalLoss(in[0], in[1], ag[0], ag[1], r), param(x), constant(t))));
            }
            String name = "sigmoidFocalLoss soft target as input alpha " + ag[0] + " gamma " + ag[1];
            Dense x = normal(seed++, 2, 4, 7), t = uniform(seed++, 0.05, 0.95, 4, 7);
            cases.add(new Case(name, focalSig, () -> GradCheck64.check(name,
                    in -> reduce(DoubleRef.zip(in[0], in[1], (u, v) -> focal(u, v, ag[0], ag[1])), Reduction.SUM),
                    in -> BinaryLosses.sigmoidFocalLoss(in[0], in[1], ag[0], ag[1], Reduction.SUM), param(x), param(t))));
        }
        return cases;
    }

    static Dense hardTargets(long seed, int... shape) {
        return DoubleRef.map(Dense.of(RandomTensors.uniform(seed, 0f, 1f, shape)), v -> v < 0.3 ? 1 : 0);
    }

    // ---- cross-entropy ----------------------------------------------------------------------------------

    /**
     * F.cross_entropy with label smoothing and ignore_index: per position (n, d...), 0 when ignored, else
     * (1 - eps) * (-logp[y]) + eps * mean_c(-logp[c]); MEAN divides by the number of positions not ignored.
     */
    static Dense crossEntropy(Dense logits, long[] y, double eps, Reduction r, int ignore) {
        Dense logp = DoubleRef.softmax(logits, 1, true);
        int n = logits.size(0), c = logits.size(1), inner = logits.numel() / (n * c);
        int[] outShape = new int[logits.dim() - 1];
        outShape[0] = n;
        for (int i = 2; i < logits.dim(); i++) outShape[i - 1] = logits.size(i);
        double[] l = new double[n * inner];
        int valid = 0;
        for (int b = 0; b < n; b++)
            for (int k = 0; k < inner; k++) {
                long cls = y[b * inner + k];
                if (cls == ignore) continue;
                valid++;
                double mean = 0;
                for (int j = 0; j < c; j++) mean -= logp.data()[(b * c + j) * inner + k] / c;
                l[b * inner + k] = (1 - eps) * -logp.data()[(b * c + (int) cls) * inner + k] + eps * mean;
            }
        Dense per = new Dense(outShape, l);
        return switch (r) {
            case NONE -> per;
            case SUM -> Dense.scalar(DoubleRef.sum(per));
            case MEAN -> Dense.scalar(DoubleRef.sum(per) / valid);
        };
    }

    static long[] classes(long seed, int n, int c) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long[] y = new long[n];
        for (int i = 0; i < n; i++) y[i] = rnd.nextInt(c);
        return y;
    }

    static List<Case> crossEntropyCases() {
        List<Case> cases = new ArrayList<>();
        String full = "CrossEntropyLoss.crossEntropy(Tensor,long[],float,Reduction,int)";
        String plain = "CrossEntropyLoss.crossEntropy(Tensor,long[],Reduction)";
        Dense logits2d = normal(600, 2, 5, 7), logits4d = normal(601, 2, 2, 4, 3, 5);
        long[] y2d = classes(602, 5, 7), y4d = classes(603, 2 * 3 * 5, 4);
        long[] ignored2d = y2d.clone();
        ignored2d[1] = CrossEntropyLoss.DEFAULT_IGNORE_INDEX;
        long[] ignored4d = y4d.clone();
        for (int i = 0; i < ignored4d.length; i += 4) ignored4d[i] = 3; // ignore index 3, itself a valid class
        for (Reduction r : Reduction.values()) {
            cases.add(new Case("crossEntropy (N, C) " + r, plain, () -> GradCheck64.check("crossEntropy 2-d " + r,
                    in -> crossEntropy(in[0], y2d, 0, r, CrossEntropyLoss.DEFAULT_IGNORE_INDEX),
                    in -> CrossEntropyLoss.crossEntropy(in[0], y2d, r), param(logits2d))));
            for (float smoothing : new float[] {0f, 0.1f, 1f}) {
                String a = "crossEntropy (N, C), smoothing " + smoothing + ", one ignored " + r;
                cases.add(new Case(a, full, () -> GradCheck64.check(a,
                        in -> crossEntropy(in[0], ignored2d, smoothing, r, CrossEntropyLoss.DEFAULT_IGNORE_INDEX),
                        in -> CrossEntropyLoss.crossEntropy(in[0], ignored2d, smoothing, r,
                                CrossEntropyLoss.DEFAULT_IGNORE_INDEX), param(logits2d))));
                String b = "crossEntropy (N, C, H, W), smoothing " + smoothing + ", ignore index 3 " + r;
                cases.add(new Case(b, full, () -> GradCheck64.check(b,
                        in -> crossEntropy(in[0], ignored4d, smoothing, r, 3),
                        in -> CrossEntropyLoss.crossEntropy(in[0], ignored4d, smoothing, r, 3), param(logits4d))));
            }
            // the same losses from per-element weights made on the host (targets fixed once, as FCOS does)
            String weighted = "CrossEntropyLoss.crossEntropy(Tensor,Tensor,int,Reduction)";
            for (float smoothing : new float[] {0f, 0.1f}) {
                String a = "crossEntropy from weights (N, C), smoothing " + smoothing + ", one ignored " + r;
                Dense w2d = targetWeights(logits2d, ignored2d, smoothing, CrossEntropyLoss.DEFAULT_IGNORE_INDEX);
                cases.add(new Case(a, weighted, () -> GradCheck64.check(a,
                        in -> crossEntropy(in[0], ignored2d, smoothing, r, CrossEntropyLoss.DEFAULT_IGNORE_INDEX),
                        in -> CrossEntropyLoss.crossEntropy(in[0], in[1], 4, r), param(logits2d), constant(w2d))));
                String b = "crossEntropy from weights (N, C, H, W), smoothing " + smoothing + ", ignore index 3 " + r;
                Dense w4d = targetWeights(logits4d, ignored4d, smoothing, 3);
                int valid4d = (int) java.util.Arrays.stream(ignored4d).filter(v -> v != 3).count();
                cases.add(new Case(b, weighted, () -> GradCheck64.check(b,
                        in -> crossEntropy(in[0], ignored4d, smoothing, r, 3),
                        in -> CrossEntropyLoss.crossEntropy(in[0], in[1], valid4d, r), param(logits4d),
                        constant(w4d))));
            }
        }
        return cases;
    }

    /** Per-element weights of label-smoothed targets: 1 - eps + eps / C on the target, eps / C elsewhere, 0 if ignored. */
    static Dense targetWeights(Dense logits, long[] y, double eps, int ignore) {
        int n = logits.size(0), c = logits.size(1), inner = logits.numel() / (n * c);
        double[] w = new double[logits.numel()];
        for (int b = 0; b < n; b++)
            for (int k = 0; k < inner; k++) {
                long cls = y[b * inner + k];
                if (cls == ignore) continue;
                for (int j = 0; j < c; j++) w[(b * c + j) * inner + k] = eps / c + (j == cls ? 1 - eps : 0);
            }
        return new Dense(logits.shape(), w);
    }

    // ---- regression losses ------------------------------------------------------------------------------

    static List<Case> regressionCases() {
        List<Case> cases = new ArrayList<>();
        Dense target = normal(700, 1, 3, 5, 3);
        // differences on a 0.1 grid with offset 0.05: |x - y| >= 0.05 and never within 0.05 of beta = 0.5 or 1
        Dense diff = Dense.of(RandomTensors.grid(701, 0.1, 0.05, 3, 5, 3));
        Dense input = new Dense(target.shape(), new double[target.numel()]);
        for (int i = 0; i < input.numel(); i++) input.data()[i] = (float) (target.data()[i] + diff.data()[i]);
        for (Reduction r : Reduction.values()) {
            cases.add(new Case("mse " + r, "RegressionLosses.mse(Tensor,Tensor,Reduction)", () -> GradCheck64.check(
                    "mse " + r, in -> reduce(DoubleRef.zip(in[0], in[1], (x, y) -> (x - y) * (x - y)), r),
                    in -> RegressionLosses.mse(in[0], in[1], r), param(input), param(target))));
            cases.add(new Case("l1 " + r, "RegressionLosses.l1(Tensor,Tensor,Reduction)", () -> GradCheck64.check(
                    "l1 " + r, in -> reduce(DoubleRef.zip(in[0], in[1], (x, y) -> Math.abs(x - y)), r),
                    in -> RegressionLosses.l1(in[0], in[1], r), param(input), param(target))));
            for (float beta : new float[] {0f, 0.5f, 1f}) {
                String name = "smoothL1 beta " + beta + " " + r;
                cases.add(new Case(name, "RegressionLosses.smoothL1(Tensor,Tensor,float,Reduction)", () -> GradCheck64.check(
                        name, in -> reduce(DoubleRef.zip(in[0], in[1], (x, y) -> {
                            double d = Math.abs(x - y);
                            return d < beta ? 0.5 * d * d / beta : d - 0.5 * beta;
                        }), r), in -> RegressionLosses.smoothL1(in[0], in[1], beta, r), param(input), param(target))));
            }
        }
        return cases;
    }

    // ---- box losses -------------------------------------------------------------------------------------

    /** Per pair: {I, U, C (enclosing area), rho^2, c^2, w_p, h_p, w_g, h_g}. */
    static double[] boxTerms(double[] p, double[] g) {
        double iw = Math.min(p[2], g[2]) - Math.max(p[0], g[0]), ih = Math.min(p[3], g[3]) - Math.max(p[1], g[1]);
        double inter = Math.max(iw, 0) * Math.max(ih, 0);
        double wp = p[2] - p[0], hp = p[3] - p[1], wg = g[2] - g[0], hg = g[3] - g[1];
        double union = wp * hp + wg * hg - inter;
        double cw = Math.max(p[2], g[2]) - Math.min(p[0], g[0]), ch = Math.max(p[3], g[3]) - Math.min(p[1], g[1]);
        double dx = (p[0] + p[2]) / 2 - (g[0] + g[2]) / 2, dy = (p[1] + p[3]) / 2 - (g[1] + g[3]) / 2;
        return new double[] {inter, union, cw * ch, dx * dx + dy * dy, cw * cw + ch * ch, wp, hp, wg, hg};
    }

    enum BoxKind { IOU, GIOU, DIOU, CIOU }

    /**
     * torchvision's box losses per pair (eps on the union, the enclosing area and the diagonal; CIoU's aspect
     * term with eps on the heights as Strix documents). CIoU's alpha is the constant {@code alpha} (torchvision
     * computes it under no_grad).
     */
    static double boxLoss(BoxKind kind, double[] p, double[] g, double eps, double alpha) {
        double[] t = boxTerms(p, g);
        double iou = t[0] / (t[1] + eps);
        return switch (kind) {
            case IOU -> 1 - iou;
            case GIOU -> 1 - (iou - (t[2] - t[1]) / (t[2] + eps));
            case DIOU -> 1 - iou + t[3] / (t[4] + eps);
            case CIOU -> 1 - iou + t[3] / (t[4] + eps) + alpha * aspect(t, eps);
        };
    }

    static double aspect(double[] t, double eps) {
        double a = Math.atan(t[7] / (t[8] + eps)) - Math.atan(t[5] / (t[6] + eps));
        return 4 / (Math.PI * Math.PI) * a * a;
    }

    static double[] row(Dense boxes, int i) {
        return Arrays.copyOfRange(boxes.data(), 4 * i, 4 * i + 4);
    }

    /** Per-pair loss, shape (N). */
    static Dense boxLosses(BoxKind kind, Dense pred, Dense target, double eps, double[] alphas) {
        int n = pred.size(0);
        double[] l = new double[n];
        for (int i = 0; i < n; i++) l[i] = boxLoss(kind, row(pred, i), row(target, i), eps, alphas[i]);
        return new Dense(new int[] {n}, l);
    }

    /** CIoU's alpha = v / (1 - IoU + v + eps) at the given boxes (held constant while differentiating). */
    static double[] ciouAlphas(Dense pred, Dense target, double eps) {
        double[] a = new double[pred.size(0)];
        for (int i = 0; i < a.length; i++) {
            double[] t = boxTerms(row(pred, i), row(target, i));
            double v = aspect(t, eps);
            a[i] = v / (1 - t[0] / (t[1] + eps) + v + eps);
        }
        return a;
    }

    /**
     * Seven aligned pairs: partial overlaps, one box inside the other (both ways), disjoint in x, in y and in both
     * (gaps of at least 0.3), and a prediction much wider than tall. Float32-representable.
     */
    static Dense[] boxPairs() {
        double[][] g = {{0.5, 1.0, 2.5, 2.2}, {-1.0, -0.5, 1.5, 1.0}, {2.0, 0.0, 3.0, 2.5}, {0.0, 0.0, 1.0, 1.2},
                {-2.0, 1.0, -0.5, 2.0}, {1.0, 1.0, 2.0, 3.0}, {0.2, 0.3, 1.9, 0.9}};
        double[][] p = {{0.9, 1.3, 2.8, 2.0}, {-0.6, -0.2, 0.7, 0.6}, {1.7, -0.4, 3.4, 2.9}, {1.4, 0.1, 2.1, 1.3},
                {0.1, 2.4, 1.3, 3.1}, {1.2, 3.5, 1.9, 4.1}, {-0.3, 0.45, 2.3, 0.7}};
        return new Dense[] {boxes(p), boxes(g)};
    }

    private static Dense boxes(double[][] rows) {
        double[] d = new double[rows.length * 4];
        for (int i = 0; i < rows.length; i++) for (int k = 0; k < 4; k++) d[4 * i + k] = (float) rows[i][k];
        return new Dense(new int[] {rows.length, 4}, d);
    }

    static List<Case> boxCases() {
        List<Case> cases = new ArrayList<>();
        Dense[] pairs = boxPairs();
        Dense pred = pairs[0], target = pairs[1];
        float eps = BoxLosses.DEFAULT_EPS;
        double[] noAlpha = new double[pred.size(0)];
        double[] alphas = ciouAlphas(pred, target, eps);
        for (BoxKind kind : BoxKind.values()) {
            String sig = "BoxLosses." + kind.name().toLowerCase(java.util.Locale.ROOT) + "Loss(Tensor,Tensor,float,Reduction)";
            double[] a = kind == BoxKind.CIOU ? alphas : noAlpha;
            for (Reduction r : Reduction.values()) {
                String name = kind + " loss " + r;
                cases.add(new Case(name, sig, () -> GradCheck64.check(name,
                        in -> reduce(boxLosses(kind, in[0], in[1], eps, a), r), in -> switch (kind) {
                            case IOU -> BoxLosses.iouLoss(in[0], in[1], eps, r);
                            case GIOU -> BoxLosses.giouLoss(in[0], in[1], eps, r);
                            case DIOU -> BoxLosses.diouLoss(in[0], in[1], eps, r);
                            case CIOU -> BoxLosses.ciouLoss(in[0], in[1], eps, r);
                        }, param(pred), param(target))));
            }
            String empty = kind + " loss MEAN of no boxes is 0";
            cases.add(new Case(empty, sig, () -> GradCheck64.check(empty, in -> Dense.scalar(0),
                    in -> switch (kind) {
                        case IOU -> BoxLosses.iouLoss(in[0], in[1], eps, Reduction.MEAN);
                        case GIOU -> BoxLosses.giouLoss(in[0], in[1], eps, Reduction.MEAN);
                        case DIOU -> BoxLosses.diouLoss(in[0], in[1], eps, Reduction.MEAN);
                        case CIOU -> BoxLosses.ciouLoss(in[0], in[1], eps, Reduction.MEAN);
                    }, param(new Dense(new int[] {0, 4}, new double[0])), constant(new Dense(new int[] {0, 4}, new double[0])))));
        }
        cases.add(new Case("boxIou", "BoxLosses.boxIou(Tensor,Tensor)", () -> GradCheck64.check("boxIou", in -> {
            int n = in[0].size(0);
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                double[] t = boxTerms(row(in[0], i), row(in[1], i));
                v[i] = t[0] / t[1];
            }
            return new Dense(new int[] {n}, v);
        }, in -> BoxLosses.boxIou(in[0], in[1]), param(pred), param(target))));
        return cases;
    }

    static List<Case> allCases() {
        List<Case> all = new ArrayList<>();
        all.addAll(binaryCases());
        all.addAll(crossEntropyCases());
        all.addAll(regressionCases());
        all.addAll(boxCases());
        return all;
    }

    @TestFactory
    Stream<DynamicTest> float64LossGradientChecks() {
        return allCases().stream().map(c -> DynamicTest.dynamicTest(c.name(), c.check()::run));
    }

    @Test
    void everyPublicLossHasAFloat64Check() {
        GradCheck64.assertCoverage(LOSS_CLASSES, allCases(), Map.of());
    }

    /** CIoU's alpha must be a constant: the reference that lets it vary gives a different gradient. */
    @Test
    void ciouTreatsAlphaAsAConstant() {
        Dense[] pairs = boxPairs();
        float eps = BoxLosses.DEFAULT_EPS;
        GradCheck64.Ref varying = in -> reduce(boxLosses(BoxKind.CIOU, in[0], in[1], eps,
                ciouAlphas(in[0], in[1], eps)), Reduction.SUM);
        Tensor pred = pairs[0].toTensor().requiresGrad(true);
        Tensor loss = BoxLosses.ciouLoss(pred, pairs[1].toTensor(), eps, Reduction.SUM);
        double[] strix = Dense.of(dev.strix.nn.Autograd.grad(loss, List.of(pred), false).get(0)).data();
        double[] withVaryingAlpha = GradCheck64.referenceGradient("ciou varying alpha", varying,
                new Dense[] {pairs[0], pairs[1]}, 0, new double[] {1});
        double largest = 0;
        for (int i = 0; i < strix.length; i++) largest = Math.max(largest, Math.abs(strix[i] - withVaryingAlpha[i]));
        // the alpha-through gradient differs by d(alpha)/d(box) * v, O(0.01..0.1) for these pairs
        org.junit.jupiter.api.Assertions.assertTrue(largest > 1e-3,
                "gradient with alpha varying is indistinguishable from Strix's (" + largest + ")");
    }
}
