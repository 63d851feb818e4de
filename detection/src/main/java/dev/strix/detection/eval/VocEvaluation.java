package dev.strix.detection.eval;

import dev.strix.detection.data.Box;
import dev.strix.detection.data.Detection;
import dev.strix.detection.data.ObjectAnnotation;

import java.util.Arrays;
import java.util.List;

/**
 * Pascal VOC detection evaluation of one class, as the devkit's {@code VOCevaldet.m} (and its Python port
 * {@code voc_eval.py}) does it:
 * <ul>
 *   <li>detections of the class ranked by score, descending; ties keep the input order (MATLAB's sort is stable);</li>
 *   <li>boxes in the devkit's 1-based inclusive pixel convention ({@code xmin = x1 + 1, xmax = x2}, widths
 *       {@code xmax - xmin + 1});</li>
 *   <li>each detection goes to the ground truth of its image and class with the highest IoU (first on ties); it is a
 *       true positive when that IoU is strictly above the threshold ({@code ovmax > 0.5}) and the object is not yet
 *       taken, a false positive when taken or below the threshold, and neither when the object is difficult;</li>
 *   <li>difficult objects are not counted in the number of positives. Strix's crowd flag is treated as difficult
 *       (the devkit has no crowd regions).</li>
 * </ul>
 */
final class VocEvaluation {
    /** The devkit's IoU threshold. */
    static final double IOU_THRESHOLD = 0.5;
    /** numpy's {@code np.finfo(np.float64).eps}, the devkit's guard against 0 / 0 precision. */
    private static final double EPS = Math.ulp(1.0);

    /**
     * Result for one class.
     *
     * @param numPositives non-difficult objects of the class
     * @param recall       {@code [N]} recall after each ranked detection ({@code N} detections of the class)
     * @param precision    {@code [N]} precision after each ranked detection
     * @param ap07         11-point AP, NaN when {@code numPositives == 0}
     * @param apArea       area AP, NaN when {@code numPositives == 0}
     */
    record ClassResult(int numPositives, double[] recall, double[] precision, double ap07, double apArea) {}

    private VocEvaluation() {
    }

    static ClassResult evaluateClass(EvalIndex index, int classIndex) {
        int numImages = index.numImages();
        double[][][] gtBoxes = new double[numImages][][];
        boolean[][] difficult = new boolean[numImages][];
        boolean[][] taken = new boolean[numImages][];
        int npos = 0;
        for (int i = 0; i < numImages; i++) {
            List<ObjectAnnotation> objects = index.groundTruth(i, classIndex);
            gtBoxes[i] = new double[objects.size()][];
            difficult[i] = new boolean[objects.size()];
            taken[i] = new boolean[objects.size()];
            for (int g = 0; g < objects.size(); g++) {
                ObjectAnnotation o = objects.get(g);
                gtBoxes[i][g] = inclusive(o.box());
                difficult[i][g] = o.difficult() || o.crowd();
                if (!difficult[i][g]) npos++;
            }
        }
        List<Detection> dets = index.detectionsByClass.get(classIndex);
        int[] imageOf = index.detectionImage[classIndex];
        Integer[] order = new Integer[dets.size()];
        for (int d = 0; d < order.length; d++) order[d] = d;
        Arrays.sort(order, (a, b) -> byScoreDescending(dets.get(a).score(), dets.get(b).score()));

        int nd = order.length;
        double[] tp = new double[nd];
        double[] fp = new double[nd];
        for (int d = 0; d < nd; d++) {
            int image = imageOf[order[d]];
            double[] bb = inclusive(dets.get(order[d]).box());
            double[][] gts = gtBoxes[image];
            double ovmax = Double.NEGATIVE_INFINITY;
            int jmax = -1;
            for (int g = 0; g < gts.length; g++) {
                double overlap = inclusiveIou(bb, gts[g]);
                if (overlap > ovmax || jmax < 0) { // np.argmax: first maximum
                    ovmax = overlap;
                    jmax = g;
                }
            }
            if (ovmax > IOU_THRESHOLD) {
                if (!difficult[image][jmax]) {
                    if (!taken[image][jmax]) {
                        tp[d] = 1;
                        taken[image][jmax] = true;
                    } else {
                        fp[d] = 1;
                    }
                }
            } else {
                fp[d] = 1;
            }
        }
        double[] recall = new double[nd];
        double[] precision = new double[nd];
        double tpSum = 0;
        double fpSum = 0;
        for (int d = 0; d < nd; d++) {
            tpSum += tp[d];
            fpSum += fp[d];
            recall[d] = tpSum / npos;
            precision[d] = tpSum / Math.max(tpSum + fpSum, EPS);
        }
        if (npos == 0) return new ClassResult(0, recall, precision, Double.NaN, Double.NaN);
        return new ClassResult(npos, recall, precision, VocAveragePrecision.elevenPoint(recall, precision),
                VocAveragePrecision.area(recall, precision));
    }

    /** Descending order by score; equal scores (including -0 and +0) compare equal, so a stable sort keeps input order. */
    static int byScoreDescending(double a, double b) {
        return a > b ? -1 : a < b ? 1 : 0;
    }

    /** The devkit's 1-based inclusive box {@code (xmin, ymin, xmax, ymax)} of a continuous box. */
    static double[] inclusive(Box b) {
        return new double[] {(double) b.x1() + 1.0, (double) b.y1() + 1.0, b.x2(), b.y2()};
    }

    /** The devkit's IoU of two inclusive boxes: widths and heights {@code max - min + 1}, clipped at 0. */
    static double inclusiveIou(double[] bb, double[] gt) {
        double iw = Math.max(Math.min(gt[2], bb[2]) - Math.max(gt[0], bb[0]) + 1.0, 0.0);
        double ih = Math.max(Math.min(gt[3], bb[3]) - Math.max(gt[1], bb[1]) + 1.0, 0.0);
        double inter = iw * ih;
        double union = (bb[2] - bb[0] + 1.0) * (bb[3] - bb[1] + 1.0) + (gt[2] - gt[0] + 1.0) * (gt[3] - gt[1] + 1.0) - inter;
        return inter / union;
    }
}
