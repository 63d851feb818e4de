package dev.strix.detection.eval;

/**
 * One class's precision-recall curve at IoU 0.5 under the Pascal VOC rules: entry {@code i} holds recall and
 * precision after the {@code i + 1} best-scored detections of the class (detections on difficult objects, which
 * count as neither true nor false positives, repeat the previous point).
 *
 * @param className the class
 * @param recall    {@code [N]} recall, non-decreasing; {@code N} = number of detections of the class
 * @param precision {@code [N]} precision (raw, not the envelope)
 * @param ap        the VOC area AP of this curve
 */
public record PrCurve(String className, double[] recall, double[] precision, double ap) {
    public PrCurve {
        if (recall.length != precision.length)
            throw new IllegalArgumentException("recall has " + recall.length + " points, precision " + precision.length);
        recall = recall.clone();
        precision = precision.clone();
    }

    /** Number of points. */
    public int size() {
        return recall.length;
    }

    /** A copy of the recall array. */
    @Override
    public double[] recall() {
        return recall.clone();
    }

    /** A copy of the precision array. */
    @Override
    public double[] precision() {
        return precision.clone();
    }

    /** The precision envelope: entry {@code i} is the largest precision at this or any later point. */
    public double[] precisionEnvelope() {
        double[] env = precision.clone();
        for (int i = env.length - 1; i > 0; i--) env[i - 1] = Math.max(env[i - 1], env[i]);
        return env;
    }
}
