package dev.strix.detection.eval;

import dev.strix.detection.data.Box;
import dev.strix.detection.data.Detection;
import dev.strix.detection.data.ObjectAnnotation;

import java.util.Arrays;
import java.util.List;

/**
 * COCO box evaluation as pycocotools' {@code COCOeval} (iouType {@code bbox}) computes it: {@code evaluate},
 * {@code evaluateImg}, {@code accumulate} and {@code summarize}, step for step.
 *
 * <p>Per (image, class): detections ranked by score (stable) and cut to the largest maxDets (100, per image and
 * class as in pycocotools); IoU on {@code [x, y, w, h]} boxes, with intersection / detection area for crowd objects;
 * for each IoU threshold, greedy matching in score order to the best still-free object, preferring objects that are
 * not ignored; objects outside the area range and ignored objects (crowd, and Strix's difficult flag) are ignored;
 * unmatched detections outside the area range are ignored. Per class, area range and maxDets: detections of all
 * images (visited in sorted id order) ranked by score, precision made non-increasing and sampled at the 101 recall
 * thresholds. Object area is {@code w * h} (a box-only dataset's annotation area).
 *
 * <p>Legend: T = 10 IoU thresholds, R = 101 recall thresholds, K = classes, A = 4 area ranges, M = 3 maxDets.
 */
final class CocoEvaluation {
    /** {@code np.linspace(.5, 0.95, 10)}: {@code i * ((0.95 - 0.5) / 9) + 0.5}, last set to 0.95. */
    static final double[] IOU_THRESHOLDS = linspace(0.5, 0.95, 10);
    /** {@code np.linspace(.0, 1.00, 101)}: {@code i * 0.01}. */
    static final double[] RECALL_THRESHOLDS = linspace(0.0, 1.0, 101);
    static final int[] MAX_DETS = {1, 10, 100};
    /** all, small, medium, large: {@code [0, 1e5^2], [0, 32^2], [32^2, 96^2], [96^2, 1e5^2]}. */
    static final double[][] AREA_RANGES = {{0, 1e10}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e10}};
    static final int AREA_ALL = 0;
    static final int AREA_SMALL = 1;
    static final int AREA_MEDIUM = 2;
    static final int AREA_LARGE = 3;
    /** {@code np.spacing(1)}, pycocotools' guard against 0 / 0 precision. */
    private static final double SPACING_ONE = Math.ulp(1.0);

    private static final int T = IOU_THRESHOLDS.length;
    private static final int R = RECALL_THRESHOLDS.length;
    private static final int A = AREA_RANGES.length;
    private static final int M = MAX_DETS.length;

    /** [K][A][M][T][R], -1 where undefined (no ground truth). */
    private final double[] precision;
    /** [K][A][M][T], -1 where undefined. */
    private final double[] recall;
    private final int numClasses;

    /** One (image, class, area range) evaluation: pycocotools' {@code evalImgs} entry. */
    private record ImageEval(double[] scores, boolean[][] matched, boolean[][] ignored, int numCountedObjects) {}

    private CocoEvaluation(int numClasses) {
        this.numClasses = numClasses;
        precision = new double[numClasses * A * M * T * R];
        recall = new double[numClasses * A * M * T];
        Arrays.fill(precision, -1);
        Arrays.fill(recall, -1);
    }

    static CocoEvaluation run(EvalIndex index) {
        CocoEvaluation eval = new CocoEvaluation(index.numClasses());
        int[] imageOrder = index.sortedImageOrder();
        int maxDet = MAX_DETS[M - 1];
        for (int k = 0; k < index.numClasses(); k++) {
            ImageEval[][] evals = new ImageEval[A][imageOrder.length];
            for (int n = 0; n < imageOrder.length; n++) {
                List<ObjectAnnotation> gt = index.groundTruth(imageOrder[n], k);
                List<Detection> dt = index.detections(imageOrder[n], k);
                if (gt.isEmpty() && dt.isEmpty()) continue;
                Detection[] ranked = rankAndCut(dt, maxDet);
                double[][] ious = ious(ranked, gt);
                for (int a = 0; a < A; a++) evals[a][n] = evaluateImage(gt, ranked, ious, AREA_RANGES[a]);
            }
            for (int a = 0; a < A; a++)
                for (int m = 0; m < M; m++) eval.accumulate(evals[a], k, a, m);
        }
        return eval;
    }

    private static Detection[] rankAndCut(List<Detection> dt, int maxDet) {
        Detection[] ranked = dt.toArray(new Detection[0]);
        Arrays.sort(ranked, (x, y) -> VocEvaluation.byScoreDescending(x.score(), y.score()));
        return ranked.length > maxDet ? Arrays.copyOf(ranked, maxDet) : ranked;
    }

    /** {@code maskUtils.iou} on boxes ({@code bbIou}): {@code [D][G]}, crowd objects divide by the detection area. */
    private static double[][] ious(Detection[] dt, List<ObjectAnnotation> gt) {
        double[][] out = new double[dt.length][gt.size()];
        for (int g = 0; g < gt.size(); g++) {
            double[] G = xywh(gt.get(g).box());
            double ga = G[2] * G[3];
            boolean crowd = gt.get(g).crowd();
            for (int d = 0; d < dt.length; d++) {
                double[] D = xywh(dt[d].box());
                double da = D[2] * D[3];
                double w = Math.min(D[2] + D[0], G[2] + G[0]) - Math.max(D[0], G[0]);
                if (w <= 0) continue;
                double h = Math.min(D[3] + D[1], G[3] + G[1]) - Math.max(D[1], G[1]);
                if (h <= 0) continue;
                double i = w * h;
                double u = crowd ? da : da + ga - i;
                out[d][g] = i / u;
            }
        }
        return out;
    }

    /** COCO's {@code [x, y, w, h]} of a box, in double. */
    static double[] xywh(Box b) {
        return new double[] {b.x1(), b.y1(), (double) b.x2() - b.x1(), (double) b.y2() - b.y1()};
    }

    private static ImageEval evaluateImage(List<ObjectAnnotation> gt, Detection[] dt, double[][] ious, double[] areaRange) {
        int G = gt.size();
        int D = dt.length;
        boolean[] ignoredInInput = new boolean[G];
        for (int g = 0; g < G; g++) {
            ObjectAnnotation o = gt.get(g);
            double[] b = xywh(o.box());
            double area = b[2] * b[3];
            ignoredInInput[g] = o.crowd() || o.difficult() || area < areaRange[0] || area > areaRange[1];
        }
        // objects sorted stably with ignored ones last
        int[] order = new int[G];
        int next = 0;
        for (int g = 0; g < G; g++) if (!ignoredInInput[g]) order[next++] = g;
        int numCounted = next;
        for (int g = 0; g < G; g++) if (ignoredInInput[g]) order[next++] = g;

        boolean[][] dtMatched = new boolean[T][D];
        boolean[][] dtIgnored = new boolean[T][D];
        boolean[] gtMatched = new boolean[G];
        for (int t = 0; t < T; t++) {
            Arrays.fill(gtMatched, false);
            for (int d = 0; d < D; d++) {
                double iou = Math.min(IOU_THRESHOLDS[t], 1 - 1e-10);
                int m = -1;
                for (int gi = 0; gi < G; gi++) {
                    int g = order[gi];
                    if (gtMatched[gi] && !gt.get(g).crowd()) continue;
                    if (m > -1 && !ignoredInInput[order[m]] && ignoredInInput[g]) break;
                    if (ious[d][g] < iou) continue;
                    iou = ious[d][g];
                    m = gi;
                }
                if (m == -1) continue;
                dtIgnored[t][d] = ignoredInInput[order[m]];
                dtMatched[t][d] = true;
                gtMatched[m] = true;
            }
        }
        double[] scores = new double[D];
        for (int d = 0; d < D; d++) {
            scores[d] = dt[d].score();
            double[] b = xywh(dt[d].box());
            double area = b[2] * b[3];
            boolean outside = area < areaRange[0] || area > areaRange[1];
            for (int t = 0; t < T; t++) dtIgnored[t][d] |= !dtMatched[t][d] && outside;
        }
        return new ImageEval(scores, dtMatched, dtIgnored, numCounted);
    }

    private void accumulate(ImageEval[] evals, int k, int a, int m) {
        int maxDet = MAX_DETS[m];
        int total = 0;
        int npig = 0;
        boolean any = false;
        for (ImageEval e : evals) {
            if (e == null) continue;
            any = true;
            total += Math.min(maxDet, e.scores.length);
            npig += e.numCountedObjects;
        }
        if (!any || npig == 0) return;
        double[] scores = new double[total];
        int[] owner = new int[total];
        int[] position = new int[total];
        int n = 0;
        for (int i = 0; i < evals.length; i++) {
            ImageEval e = evals[i];
            if (e == null) continue;
            for (int d = 0; d < Math.min(maxDet, e.scores.length); d++, n++) {
                scores[n] = e.scores[d];
                owner[n] = i;
                position[n] = d;
            }
        }
        Integer[] ranked = new Integer[total];
        for (int i = 0; i < total; i++) ranked[i] = i;
        Arrays.sort(ranked, (x, y) -> VocEvaluation.byScoreDescending(scores[x], scores[y]));

        double[] rc = new double[total];
        double[] pr = new double[total];
        for (int t = 0; t < T; t++) {
            double tp = 0;
            double fp = 0;
            for (int i = 0; i < total; i++) {
                ImageEval e = evals[owner[ranked[i]]];
                int d = position[ranked[i]];
                boolean matched = e.matched[t][d];
                boolean ignored = e.ignored[t][d];
                if (matched && !ignored) tp++;
                if (!matched && !ignored) fp++;
                rc[i] = tp / npig;
                pr[i] = tp / (fp + tp + SPACING_ONE);
            }
            recall[((k * A + a) * M + m) * T + t] = total > 0 ? rc[total - 1] : 0;
            for (int i = total - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
            int base = (((k * A + a) * M + m) * T + t) * R;
            int i = 0;
            for (int r = 0; r < R; r++) {
                while (i < total && rc[i] < RECALL_THRESHOLDS[r]) i++; // np.searchsorted(rc, thr, 'left')
                precision[base + r] = i < total ? pr[i] : 0;
            }
        }
    }

    /** Mean of the defined precision entries over IoU thresholds {@code ts}, all R and all classes; NaN if none. */
    double averagePrecision(int[] ts, int a, int m) {
        double sum = 0;
        long count = 0;
        for (int k = 0; k < numClasses; k++)
            for (int t : ts) {
                int base = (((k * A + a) * M + m) * T + t) * R;
                for (int r = 0; r < R; r++) {
                    double v = precision[base + r];
                    if (v > -1) {
                        sum += v;
                        count++;
                    }
                }
            }
        return count == 0 ? Double.NaN : sum / count;
    }

    /** Mean of the defined recall entries over all IoU thresholds and classes; NaN if none. */
    double averageRecall(int a, int m) {
        double sum = 0;
        long count = 0;
        for (int k = 0; k < numClasses; k++)
            for (int t = 0; t < T; t++) {
                double v = recall[((k * A + a) * M + m) * T + t];
                if (v > -1) {
                    sum += v;
                    count++;
                }
            }
        return count == 0 ? Double.NaN : sum / count;
    }

    /** AP@[.5:.95] of class {@code k} (all areas, 100 detections); NaN when the class has no counted object. */
    double classAveragePrecision(int k) {
        double sum = 0;
        long count = 0;
        for (int t = 0; t < T; t++) {
            int base = (((k * A + AREA_ALL) * M + (M - 1)) * T + t) * R;
            for (int r = 0; r < R; r++) {
                double v = precision[base + r];
                if (v > -1) {
                    sum += v;
                    count++;
                }
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    /** Index {@code t} with {@code IOU_THRESHOLDS[t] == threshold} (exact, as {@code np.where(iouThr == p.iouThrs)}). */
    static int iouIndex(double threshold) {
        for (int t = 0; t < T; t++) if (IOU_THRESHOLDS[t] == threshold) return t;
        throw new IllegalArgumentException("IoU threshold " + threshold + " is not one of " + Arrays.toString(IOU_THRESHOLDS));
    }

    static int[] allIouIndices() {
        int[] ts = new int[T];
        for (int t = 0; t < T; t++) ts[t] = t;
        return ts;
    }

    /** numpy's {@code linspace(start, stop, num)}: {@code i * ((stop - start) / (num - 1)) + start}, last = stop. */
    static double[] linspace(double start, double stop, int num) {
        double step = (stop - start) / (num - 1);
        double[] y = new double[num];
        for (int i = 0; i < num; i++) y[i] = i * step + start;
        y[num - 1] = stop;
        return y;
    }
}
