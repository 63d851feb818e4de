package dev.strix.kernels;

/**
 * Plain double-precision loops with the update rules of {@link OptimizerUpdates}; the reference its tests
 * use. Legend: every array is (n). Hyper-parameters are read as the decimals they were written as (see
 * {@link OptimizerUpdates}), as PyTorch holds them in double.
 */
public final class OptimizerUpdatesReference {
    private OptimizerUpdatesReference() {}

    /** torch.optim.SGD step for one tensor. */
    public static void sgd(float[] param, float[] grad, float[] momentumBuf, float lr, float momentum, float dampening,
                           float weightDecay, boolean nesterov, boolean firstStep, int n) {
        double mom = dec(momentum), damp = dec(dampening), wd = dec(weightDecay), rate = dec(lr);
        for (int i = 0; i < n; i++) {
            double p = param[i], g = grad[i] + wd * p;
            if (mom != 0) {
                double buf = firstStep ? g : mom * momentumBuf[i] + (1 - damp) * g;
                momentumBuf[i] = (float) buf;
                g = nesterov ? g + mom * buf : buf;
            }
            param[i] = (float) (p - rate * g);
        }
    }

    /** torch.optim.Adam (decoupled = false) / AdamW (decoupled = true) step for one tensor. */
    public static void adam(float[] param, float[] grad, float[] expAvg, float[] expAvgSq, float lr, float beta1,
                            float beta2, float eps, float weightDecay, boolean decoupled, int step, int n) {
        double b1 = dec(beta1), b2 = dec(beta2), rate = dec(lr), wd = dec(weightDecay), e = dec(eps);
        double bc1 = 1 - Math.pow(b1, step), bc2 = 1 - Math.pow(b2, step);
        for (int i = 0; i < n; i++) {
            double p = param[i], g = grad[i];
            if (decoupled) p *= 1 - rate * wd;
            else g += wd * p;
            double m = b1 * expAvg[i] + (1 - b1) * g;
            double v = b2 * expAvgSq[i] + (1 - b2) * g * g;
            expAvg[i] = (float) m;
            expAvgSq[i] = (float) v;
            param[i] = (float) (p - rate / bc1 * m / (Math.sqrt(v) / Math.sqrt(bc2) + e));
        }
    }

    /** ema = decay * ema + (1 - decay) * param. */
    public static void ema(float[] ema, float[] param, float decay, int n) {
        double d = dec(decay);
        for (int i = 0; i < n; i++) ema[i] = (float) (d * ema[i] + (1 - d) * param[i]);
    }

    private static double dec(float v) {
        return Double.parseDouble(Float.toString(v));
    }
}
