package dev.strix.detection.eval;

/**
 * The two Pascal VOC average-precision formulas over a precision-recall curve (the devkit's {@code VOCap} and
 * the VOC2007 11-point variant), on the raw curve of detections ranked by score.
 *
 * <p>Arrays: {@code recall[N]}, {@code precision[N]} with {@code N} = number of ranked detections; entry
 * {@code i} is the recall and precision after the top {@code i + 1} detections.
 */
public final class VocAveragePrecision {
    private VocAveragePrecision() {
    }

    /**
     * VOC2007's 11-point interpolated AP: the mean over {@code t = 0, 0.1, ..., 1} of the largest precision at
     * recall {@code >= t} (0 when no point reaches {@code t}). The thresholds are {@code i * 0.1}, as numpy's
     * {@code arange(0., 1.1, 0.1)} produces them (so {@code 0.30000000000000004}, not 0.3).
     */
    public static double elevenPoint(double[] recall, double[] precision) {
        requireSameLength(recall, precision);
        double ap = 0;
        for (int i = 0; i <= 10; i++) {
            double t = i * 0.1;
            double p = 0;
            boolean any = false;
            for (int d = 0; d < recall.length; d++) {
                if (recall[d] >= t) {
                    p = any ? Math.max(p, precision[d]) : precision[d];
                    any = true;
                }
            }
            ap += (any ? p : 0) / 11.0;
        }
        return ap;
    }

    /**
     * VOC2010+ "all points" AP: the area under the precision envelope (precision made non-increasing from the
     * right), with sentinels recall 0 and 1 and precision 0 at both ends, summed where recall changes.
     */
    public static double area(double[] recall, double[] precision) {
        requireSameLength(recall, precision);
        int n = recall.length + 2;
        double[] mrec = new double[n];
        double[] mpre = new double[n];
        System.arraycopy(recall, 0, mrec, 1, recall.length);
        System.arraycopy(precision, 0, mpre, 1, precision.length);
        mrec[n - 1] = 1.0;
        for (int i = n - 1; i > 0; i--) mpre[i - 1] = Math.max(mpre[i - 1], mpre[i]);
        double ap = 0;
        for (int i = 0; i < n - 1; i++) {
            if (mrec[i + 1] != mrec[i]) ap += (mrec[i + 1] - mrec[i]) * mpre[i + 1];
        }
        return ap;
    }

    private static void requireSameLength(double[] recall, double[] precision) {
        if (recall.length != precision.length)
            throw new IllegalArgumentException("recall has " + recall.length + " points, precision " + precision.length);
    }
}
