package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * In-place optimizer steps with PyTorch's update rules (torch.optim.SGD, Adam, AdamW) and a weight EMA.
 *
 * <p>Legend: {@code n} = element count; param, grad, momentumBuf, expAvg, expAvgSq, ema: (n), contiguous.
 * grad is never written. Scalar twin: {@link OptimizerUpdatesReference}.
 *
 * <p>Hyper-parameters arrive as floats but PyTorch keeps them as Python doubles, so 1 - beta2 with beta2 = 0.999
 * is 0.001 there and 0.00099998713 from the float 0.999f (and 1 - 0.9999f is 1.7e-4 off 1e-4). Complements,
 * powers and products of hyper-parameters are therefore taken on {@link #decimal(float)}: the shortest decimal
 * that rounds to the given float, which is the literal the caller wrote.
 */
public final class OptimizerUpdates {
    private static final int GRAIN = 1 << 15;

    private OptimizerUpdates() {}

    /**
     * SGD step: g = grad + weightDecay * p; buf = firstStep ? g : momentum * buf + (1 - dampening) * g;
     * g = nesterov ? g + momentum * buf : buf (momentum != 0 only); p -= lr * g. param, momentumBuf: (n) updated;
     * grad: (n); momentumBuf may be null when momentum == 0.
     */
    public static void sgd(float[] param, float[] grad, float[] momentumBuf, float lr, float momentum, float dampening,
                           float weightDecay, boolean nesterov, boolean firstStep, int n) {
        Elementwise.check(param, n);
        Elementwise.check(grad, n);
        boolean useMomentum = momentum != 0f;
        if (useMomentum) {
            if (momentumBuf == null) throw new IllegalArgumentException("momentum " + momentum + " needs a momentum buffer");
            Elementwise.check(momentumBuf, n);
        }
        if (nesterov && (!useMomentum || dampening != 0f))
            throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
        float keep = (float) (1 - decimal(dampening)), negLr = -lr;
        Parallel.forRange(n, GRAIN, (from, to) -> {
            int i = from;
            if (Simd.ENABLED) {
                FloatVector vwd = FloatVector.broadcast(Simd.F, weightDecay), vmom = FloatVector.broadcast(Simd.F, momentum);
                FloatVector vlr = FloatVector.broadcast(Simd.F, negLr);
                int bound = from + Simd.F.loopBound(to - from);
                for (; i < bound; i += Simd.LANES) {
                    FloatVector p = FloatVector.fromArray(Simd.F, param, i), g = FloatVector.fromArray(Simd.F, grad, i);
                    if (weightDecay != 0f) g = p.fma(vwd, g);
                    if (useMomentum) {
                        FloatVector buf = firstStep ? g
                                : FloatVector.fromArray(Simd.F, momentumBuf, i).fma(vmom, g.mul(keep));
                        buf.intoArray(momentumBuf, i);
                        g = nesterov ? buf.fma(vmom, g) : buf;
                    }
                    g.fma(vlr, p).intoArray(param, i);
                }
            }
            for (; i < to; i++) {
                float p = param[i], g = grad[i];
                if (weightDecay != 0f) g = Math.fma(p, weightDecay, g);
                if (useMomentum) {
                    float buf = firstStep ? g : Math.fma(momentumBuf[i], momentum, g * keep);
                    momentumBuf[i] = buf;
                    g = nesterov ? Math.fma(buf, momentum, g) : buf;
                }
                param[i] = Math.fma(g, negLr, p);
            }
        });
    }

    /**
     * Adam / AdamW step (step counts from 1). With weightDecay != 0: AdamW (decoupled) first scales p by
     * (1 - lr * weightDecay), Adam adds weightDecay * p to the gradient. Then m += (1 - beta1) * (g - m);
     * v = beta2 * v + (1 - beta2) * g^2; p -= lr / (1 - beta1^step) * m / (sqrt(v) / sqrt(1 - beta2^step) + eps).
     * param, expAvg, expAvgSq: (n) updated; grad: (n).
     */
    public static void adam(float[] param, float[] grad, float[] expAvg, float[] expAvgSq, float lr, float beta1,
                            float beta2, float eps, float weightDecay, boolean decoupled, int step, int n) {
        Elementwise.check(param, n);
        Elementwise.check(grad, n);
        Elementwise.check(expAvg, n);
        Elementwise.check(expAvgSq, n);
        if (step < 1) throw new IllegalArgumentException("Adam steps count from 1, got " + step);
        double b1 = decimal(beta1), b2 = decimal(beta2);
        double bc1 = 1 - Math.pow(b1, step), bc2Sqrt = Math.sqrt(1 - Math.pow(b2, step));
        float negStepSize = (float) (-decimal(lr) / bc1), bc2s = (float) bc2Sqrt;
        float w1 = (float) (1 - b1), w2 = (float) (1 - b2);
        float paramScale = decoupled && weightDecay != 0f ? (float) (1 - decimal(lr) * decimal(weightDecay)) : 1f;
        boolean coupledDecay = !decoupled && weightDecay != 0f;
        Parallel.forRange(n, GRAIN, (from, to) -> {
            int i = from;
            if (Simd.ENABLED) {
                FloatVector vwd = FloatVector.broadcast(Simd.F, weightDecay), vw1 = FloatVector.broadcast(Simd.F, w1);
                FloatVector vb2 = FloatVector.broadcast(Simd.F, beta2), vstep = FloatVector.broadcast(Simd.F, negStepSize);
                int bound = from + Simd.F.loopBound(to - from);
                for (; i < bound; i += Simd.LANES) {
                    FloatVector p = FloatVector.fromArray(Simd.F, param, i), g = FloatVector.fromArray(Simd.F, grad, i);
                    if (paramScale != 1f) p = p.mul(paramScale);
                    if (coupledDecay) g = p.fma(vwd, g);
                    FloatVector m = FloatVector.fromArray(Simd.F, expAvg, i);
                    m = g.sub(m).fma(vw1, m);
                    FloatVector v = FloatVector.fromArray(Simd.F, expAvgSq, i).fma(vb2, g.mul(g).mul(w2));
                    m.intoArray(expAvg, i);
                    v.intoArray(expAvgSq, i);
                    FloatVector denom = v.sqrt().div(bc2s).add(eps);
                    m.div(denom).fma(vstep, p).intoArray(param, i);
                }
            }
            for (; i < to; i++) {
                float p = param[i], g = grad[i];
                if (paramScale != 1f) p *= paramScale;
                if (coupledDecay) g = Math.fma(p, weightDecay, g);
                float m = Math.fma(g - expAvg[i], w1, expAvg[i]);
                float v = Math.fma(expAvgSq[i], beta2, g * g * w2);
                expAvg[i] = m;
                expAvgSq[i] = v;
                float denom = (float) Math.sqrt(v) / bc2s + eps;
                param[i] = Math.fma(m / denom, negStepSize, p);
            }
        });
    }

    /** The shortest decimal that rounds to v (what a literal such as 0.999f was written as), as a double. */
    static double decimal(float v) {
        return Float.isFinite(v) ? Double.parseDouble(Float.toString(v)) : v;
    }

    /** ema = decay * ema + (1 - decay) * param. ema: (n) updated; param: (n). */
    public static void ema(float[] ema, float[] param, float decay, int n) {
        Elementwise.check(ema, n);
        Elementwise.check(param, n);
        float w = (float) (1 - decimal(decay));
        Parallel.forRange(n, GRAIN, (from, to) -> {
            int i = from;
            if (Simd.ENABLED) {
                FloatVector vd = FloatVector.broadcast(Simd.F, decay);
                int bound = from + Simd.F.loopBound(to - from);
                for (; i < bound; i += Simd.LANES)
                    FloatVector.fromArray(Simd.F, ema, i)
                            .fma(vd, FloatVector.fromArray(Simd.F, param, i).mul(w)).intoArray(ema, i);
            }
            for (; i < to; i++) ema[i] = Math.fma(ema[i], decay, param[i] * w);
        });
    }
}
