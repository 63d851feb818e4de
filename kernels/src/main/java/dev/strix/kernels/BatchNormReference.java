package dev.strix.kernels;

/**
 * Plain double-precision loops with the semantics of {@link BatchNorm}; the reference its tests use.
 *
 * <p>Legend: x, y, dx, dy: (n, c, hw) contiguous; per-channel arrays: (c); runningMean/runningVar nullable.
 */
public final class BatchNormReference {
    private BatchNormReference() {}

    /** Training forward: batch statistics (biased variance), running stats updated with the unbiased variance. */
    public static void forwardTraining(float[] y, float[] saveMean, float[] saveInvStd, float[] x, float[] gamma,
                                       float[] beta, float[] runningMean, float[] runningVar, float momentum, float eps,
                                       int n, int c, int hw) {
        long count = (long) n * hw;
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int b = 0; b < n; b++) for (int i = 0; i < hw; i++) sum += x[(b * c + ch) * hw + i];
            double mean = sum / count, sq = 0;
            for (int b = 0; b < n; b++)
                for (int i = 0; i < hw; i++) {
                    double d = x[(b * c + ch) * hw + i] - mean;
                    sq += d * d;
                }
            double var = sq / count, invStd = 1 / Math.sqrt(var + eps);
            saveMean[ch] = (float) mean;
            saveInvStd[ch] = (float) invStd;
            if (runningMean != null) runningMean[ch] = (float) ((1 - (double) momentum) * runningMean[ch] + momentum * mean);
            if (runningVar != null)
                runningVar[ch] = (float) ((1 - (double) momentum) * runningVar[ch] + momentum * sq / (count - 1));
            for (int b = 0; b < n; b++)
                for (int i = 0; i < hw; i++) {
                    int k = (b * c + ch) * hw + i;
                    y[k] = (float) ((x[k] - mean) * invStd * gamma[ch] + beta[ch]);
                }
        }
    }

    /** Inference forward with the running statistics. */
    public static void forwardInference(float[] y, float[] x, float[] gamma, float[] beta, float[] runningMean,
                                        float[] runningVar, float eps, int n, int c, int hw) {
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++) {
                double invStd = 1 / Math.sqrt((double) runningVar[ch] + eps);
                for (int i = 0; i < hw; i++) {
                    int k = (b * c + ch) * hw + i;
                    y[k] = (float) ((x[k] - (double) runningMean[ch]) * invStd * gamma[ch] + beta[ch]);
                }
            }
    }

    /** Training backward from the saved statistics, in double. */
    public static void backward(float[] dx, float[] dgamma, float[] dbeta, float[] dy, float[] x, float[] gamma,
                                float[] saveMean, float[] saveInvStd, int n, int c, int hw) {
        long count = (long) n * hw;
        for (int ch = 0; ch < c; ch++) {
            double mean = saveMean[ch], invStd = saveInvStd[ch], sumDy = 0, sumDyXhat = 0;
            for (int b = 0; b < n; b++)
                for (int i = 0; i < hw; i++) {
                    int k = (b * c + ch) * hw + i;
                    sumDy += dy[k];
                    sumDyXhat += dy[k] * (x[k] - mean) * invStd;
                }
            dbeta[ch] = (float) sumDy;
            dgamma[ch] = (float) sumDyXhat;
            for (int b = 0; b < n; b++)
                for (int i = 0; i < hw; i++) {
                    int k = (b * c + ch) * hw + i;
                    double xhat = (x[k] - mean) * invStd;
                    dx[k] = (float) (gamma[ch] * invStd * (dy[k] - sumDy / count - xhat * sumDyXhat / count));
                }
        }
    }
}
