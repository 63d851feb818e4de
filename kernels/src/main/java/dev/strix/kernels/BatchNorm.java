package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Batch normalisation over (N, C, HW) with PyTorch's semantics.
 *
 * <p>Legend: x, y, dx, dy: (n, c, hw) contiguous (NCHW with H*W flattened); gamma, beta, dgamma, dbeta,
 * runningMean, runningVar, saveMean, saveInvStd: (c). Statistics of a channel run over its n * hw elements:
 * normalisation uses the biased variance, running_var is updated with the unbiased one, and
 * running = (1 - momentum) * running + momentum * batch. Means and variances are two-pass, accumulated in
 * double across float blocks. Scalar twin: {@link BatchNormReference}.
 */
public final class BatchNorm {
    private static final int GRAIN = 1 << 15;

    private BatchNorm() {}

    /**
     * Training-mode forward. y, x: (n, c, hw); saveMean, saveInvStd (outputs: batch mean and
     * 1 / sqrt(biased var + eps)), gamma, beta: (c); runningMean, runningVar: (c) or null (updated in place).
     */
    public static void forwardTraining(float[] y, float[] saveMean, float[] saveInvStd, float[] x, float[] gamma,
                                       float[] beta, float[] runningMean, float[] runningVar, float momentum, float eps,
                                       int n, int c, int hw) {
        forwardTraining(y, saveMean, saveInvStd, x, gamma, beta, runningMean, runningVar, momentum, eps, false, n, c, hw);
    }

    /**
     * {@link #forwardTraining}, then y = max(0, y) when {@code relu}, applied to each channel right after it is
     * normalised (while it is in cache): the same values as a separate ReLU pass.
     */
    public static void forwardTraining(float[] y, float[] saveMean, float[] saveInvStd, float[] x, float[] gamma,
                                       float[] beta, float[] runningMean, float[] runningVar, float momentum, float eps,
                                       boolean relu, int n, int c, int hw) {
        int total = check(n, c, hw, y, x);
        checkChannels(c, saveMean, saveInvStd, gamma, beta);
        if (runningMean != null) checkChannels(c, runningMean);
        if (runningVar != null) checkChannels(c, runningVar);
        long count = (long) n * hw;
        if (count <= 1 && total > 0)
            throw new IllegalArgumentException("batch norm in training needs more than 1 value per channel, got " + count);
        if (total == 0) return;
        Parallel.forRange(c, Math.max(1, GRAIN / (int) Math.min(count, GRAIN)), (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                double sum = 0;
                for (int b = 0; b < n; b++) sum += Reductions.sumRange(x, (b * c + ch) * hw, hw);
                double mean = sum / count;
                double sq = 0;
                for (int b = 0; b < n; b++) sq += centredSquares(x, (b * c + ch) * hw, hw, (float) mean);
                // the float mean differs from the double one by < 1 ulp: correct the centred sum exactly
                double shift = (float) mean - mean;
                double var = Math.max(0.0, sq / count - shift * shift);
                double invStd = 1.0 / Math.sqrt(var + eps);
                saveMean[ch] = (float) mean;
                saveInvStd[ch] = (float) invStd;
                if (runningMean != null) runningMean[ch] = (float) ((1.0 - momentum) * runningMean[ch] + momentum * mean);
                if (runningVar != null)
                    runningVar[ch] = (float) ((1.0 - momentum) * runningVar[ch] + momentum * var * count / (count - 1));
                double scale = gamma[ch] * invStd;
                normalise(y, x, ch, n, c, hw, (float) scale, (float) (beta[ch] - mean * scale));
                if (relu) for (int b = 0; b < n; b++) reluInPlace(y, (b * c + ch) * hw, hw);
            }
        });
    }

    /** Inference forward with the running statistics. y, x: (n, c, hw); gamma, beta, runningMean, runningVar: (c). */
    public static void forwardInference(float[] y, float[] x, float[] gamma, float[] beta, float[] runningMean,
                                        float[] runningVar, float eps, int n, int c, int hw) {
        check(n, c, hw, y, x);
        checkChannels(c, gamma, beta, runningMean, runningVar);
        int planes = n * c;
        Parallel.forRange(planes, Math.max(1, GRAIN / Math.max(1, hw)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int ch = p % c;
                double scale = gamma[ch] / Math.sqrt((double) runningVar[ch] + eps);
                affine(y, x, p * hw, hw, (float) scale, (float) (beta[ch] - runningMean[ch] * scale));
            }
        });
    }

    /**
     * Training-mode backward. dx, dy, x: (n, c, hw); dgamma, dbeta (outputs), gamma, saveMean, saveInvStd: (c).
     * dx = gamma * invStd * (dy - mean(dy) - xhat * mean(dy * xhat)), dgamma = sum(dy * xhat), dbeta = sum(dy).
     */
    public static void backward(float[] dx, float[] dgamma, float[] dbeta, float[] dy, float[] x, float[] gamma,
                                float[] saveMean, float[] saveInvStd, int n, int c, int hw) {
        backward(dx, dgamma, dbeta, dy, null, x, gamma, saveMean, saveInvStd, n, c, hw);
    }

    /**
     * {@link #backward} of relu(batchNorm(x)): with {@code reluOut} (the forward output y, non-null) the incoming
     * gradient counts only where y &gt; 0. Each channel's masked gradient is gathered into a per-thread buffer that
     * stays in cache, then reduced and applied exactly as {@link #backward} does with a separately masked dy, so
     * the results are the same bits.
     */
    public static void backward(float[] dx, float[] dgamma, float[] dbeta, float[] dy, float[] reluOut, float[] x,
                                float[] gamma, float[] saveMean, float[] saveInvStd, int n, int c, int hw) {
        int total = check(n, c, hw, dx, dy);
        if (reluOut != null) check(n, c, hw, reluOut, reluOut);
        check(n, c, hw, x, x);
        checkChannels(c, dgamma, dbeta, gamma, saveMean, saveInvStd);
        long count = (long) n * hw;
        if (total == 0) {
            java.util.Arrays.fill(dgamma, 0, c, 0f);
            java.util.Arrays.fill(dbeta, 0, c, 0f);
            return;
        }
        Parallel.forRange(c, Math.max(1, GRAIN / (int) Math.min(count, GRAIN)), (c0, c1) -> {
            float[] masked = reluOut == null ? null : scratch(n * hw);
            for (int ch = c0; ch < c1; ch++) {
                float mean = saveMean[ch];
                double sumDy = 0, sumDyXc = 0;
                // g: the gradient reaching the batch norm, read at gOff(b) (dy itself, or its masked copy)
                float[] g = dy;
                if (masked != null) {
                    g = masked;
                    for (int b = 0; b < n; b++) reluMask(masked, b * hw, dy, reluOut, (b * c + ch) * hw, hw);
                }
                for (int b = 0; b < n; b++) {
                    int off = (b * c + ch) * hw, gOff = masked != null ? b * hw : off;
                    sumDy += Reductions.sumRange(g, gOff, hw);
                    sumDyXc += dotCentred(g, gOff, x, off, hw, mean);
                }
                double invStd = saveInvStd[ch];
                double dg = sumDyXc * invStd;
                dbeta[ch] = (float) sumDy;
                dgamma[ch] = (float) dg;
                // dx = a * dy + b * (x - mean) + k
                double a = gamma[ch] * invStd;
                double bcoef = -a * invStd * dg / count;
                double k = -a * sumDy / count;
                for (int b = 0; b < n; b++) {
                    int off = (b * c + ch) * hw;
                    backwardRun(dx, g, masked != null ? b * hw : off, x, off, hw, (float) a, (float) bcoef, (float) k, mean);
                }
            }
        });
    }

    /** y = x * scale + shift over one channel (all n planes). */
    private static void normalise(float[] y, float[] x, int ch, int n, int c, int hw, float scale, float shift) {
        for (int b = 0; b < n; b++) affine(y, x, (b * c + ch) * hw, hw, scale, shift);
    }

    private static void affine(float[] y, float[] x, int off, int len, float scale, float shift) {
        int i = 0;
        if (Simd.ENABLED) {
            FloatVector vs = FloatVector.broadcast(Simd.F, scale), vb = FloatVector.broadcast(Simd.F, shift);
            int bound = Simd.F.loopBound(len);
            for (; i < bound; i += Simd.LANES)
                FloatVector.fromArray(Simd.F, x, off + i).fma(vs, vb).intoArray(y, off + i);
        }
        for (; i < len; i++) y[off + i] = Math.fma(x[off + i], scale, shift);
    }

    /** Sum of (x - mean)^2 over x[off, off + len), float blocks flushed to double. */
    private static double centredSquares(float[] x, int off, int len, float mean) {
        if (!Simd.ENABLED) {
            double s = 0;
            for (int i = 0; i < len; i++) {
                double d = x[off + i] - mean;
                s += d * d;
            }
            return s;
        }
        double total = 0;
        for (int start = 0; start < len; start += Reductions.BLOCK) {
            int end = Math.min(len, start + Reductions.BLOCK), i = start;
            float s = 0f;
            if (Simd.ENABLED) {
                FloatVector vm = FloatVector.broadcast(Simd.F, mean), s0 = FloatVector.zero(Simd.F), s1 = s0;
                int L = Simd.LANES, bound = start + Simd.F.loopBound(end - start);
                for (; i + 2 * L <= bound; i += 2 * L) {
                    FloatVector d0 = FloatVector.fromArray(Simd.F, x, off + i).sub(vm);
                    FloatVector d1 = FloatVector.fromArray(Simd.F, x, off + i + L).sub(vm);
                    s0 = d0.fma(d0, s0);
                    s1 = d1.fma(d1, s1);
                }
                for (; i < bound; i += L) {
                    FloatVector d0 = FloatVector.fromArray(Simd.F, x, off + i).sub(vm);
                    s0 = d0.fma(d0, s0);
                }
                s = Simd.sum(s0.add(s1));
            }
            for (; i < end; i++) {
                float d = x[off + i] - mean;
                s = Math.fma(d, d, s);
            }
            total += s;
        }
        return total;
    }

    /** Sum of dy[dyOff + i] * (x[off + i] - mean) over i in [0, len), float blocks flushed to double. */
    private static double dotCentred(float[] dy, int dyOff, float[] x, int off, int len, float mean) {
        if (!Simd.ENABLED) {
            double s = 0;
            for (int i = 0; i < len; i++) s += ((double) x[off + i] - mean) * dy[dyOff + i];
            return s;
        }
        double total = 0;
        for (int start = 0; start < len; start += Reductions.BLOCK) {
            int end = Math.min(len, start + Reductions.BLOCK), i = start;
            float s = 0f;
            if (Simd.ENABLED) {
                FloatVector vm = FloatVector.broadcast(Simd.F, mean), s0 = FloatVector.zero(Simd.F), s1 = s0;
                int L = Simd.LANES, bound = start + Simd.F.loopBound(end - start);
                for (; i + 2 * L <= bound; i += 2 * L) {
                    s0 = FloatVector.fromArray(Simd.F, x, off + i).sub(vm).fma(FloatVector.fromArray(Simd.F, dy, dyOff + i), s0);
                    s1 = FloatVector.fromArray(Simd.F, x, off + i + L).sub(vm)
                            .fma(FloatVector.fromArray(Simd.F, dy, dyOff + i + L), s1);
                }
                for (; i < bound; i += L)
                    s0 = FloatVector.fromArray(Simd.F, x, off + i).sub(vm).fma(FloatVector.fromArray(Simd.F, dy, dyOff + i), s0);
                s = Simd.sum(s0.add(s1));
            }
            for (; i < end; i++) s = Math.fma(x[off + i] - mean, dy[dyOff + i], s);
            total += s;
        }
        return total;
    }

    /** dx[off + i] = a * dy[dyOff + i] + b * (x[off + i] - mean) + k over i in [0, len). */
    private static void backwardRun(float[] dx, float[] dy, int dyOff, float[] x, int off, int len, float a, float b,
                                    float k, float mean) {
        int i = 0;
        if (Simd.ENABLED) {
            FloatVector va = FloatVector.broadcast(Simd.F, a), vb = FloatVector.broadcast(Simd.F, b);
            FloatVector vk = FloatVector.broadcast(Simd.F, k), vm = FloatVector.broadcast(Simd.F, mean);
            int bound = Simd.F.loopBound(len);
            for (; i < bound; i += Simd.LANES) {
                FloatVector xc = FloatVector.fromArray(Simd.F, x, off + i).sub(vm);
                FloatVector.fromArray(Simd.F, dy, dyOff + i).fma(va, xc.fma(vb, vk)).intoArray(dx, off + i);
            }
        }
        for (; i < len; i++) dx[off + i] = Math.fma(dy[dyOff + i], a, Math.fma(x[off + i] - mean, b, k));
    }

    /** y = max(0, y) over [off, off + len). */
    private static void reluInPlace(float[] y, int off, int len) {
        int i = 0;
        if (Simd.ENABLED) {
            FloatVector zero = FloatVector.zero(Simd.F);
            for (int bound = Simd.F.loopBound(len); i < bound; i += Simd.LANES)
                FloatVector.fromArray(Simd.F, y, off + i).max(zero).intoArray(y, off + i);
        }
        for (; i < len; i++) y[off + i] = Math.max(y[off + i], 0f);
    }

    /** out[o + i] = dy[off + i] where y[off + i] &gt; 0, else 0, for i in [0, len) (ReLU's backward from its output). */
    private static void reluMask(float[] out, int o, float[] dy, float[] y, int off, int len) {
        int i = 0;
        if (Simd.ENABLED) {
            FloatVector zero = FloatVector.zero(Simd.F);
            for (int bound = Simd.F.loopBound(len); i < bound; i += Simd.LANES) {
                VectorMask<Float> on = FloatVector.fromArray(Simd.F, y, off + i).compare(VectorOperators.GT, zero);
                zero.blend(FloatVector.fromArray(Simd.F, dy, off + i), on).intoArray(out, o + i);
            }
        }
        for (; i < len; i++) out[o + i] = y[off + i] > 0f ? dy[off + i] : 0f;
    }

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    /** This thread's scratch buffer of at least {@code size} floats. */
    private static float[] scratch(int size) {
        float[][] holder = SCRATCH.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }

    private static int check(int n, int c, int hw, float[] a, float[] b) {
        if (n < 0 || c < 0 || hw < 0) throw new IllegalArgumentException("negative size (" + n + ", " + c + ", " + hw + ")");
        int total = Math.toIntExact((long) n * c * hw);
        if (a.length < total || b.length < total)
            throw new IllegalArgumentException("arrays of " + a.length + " and " + b.length + " elements, need " + total);
        return total;
    }

    private static void checkChannels(int c, float[]... arrays) {
        for (float[] a : arrays)
            if (a.length < c) throw new IllegalArgumentException("per-channel array of " + a.length + " < " + c);
    }
}
