package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused per-element binary losses on logits, forward and backward, the CPU twins of the CUDA kernels in
 * {@code losses.cuh} (same formulas in float). One pass over the elements replaces the dozen element-wise ops
 * and temporaries that the composite forms need.
 *
 * <p>Legend: x logits, t targets in [0, 1], dy the upstream gradient of the per-element loss; all (n).
 * <pre>
 *   e     = exp(-|x|)
 *   p     = sigmoid(x) = 1 / (1 + e) for x &gt;= 0, e / (1 + e) otherwise
 *   bce   = max(x, 0) - x t + log(1 + e)                        d bce / dx = p - t
 *   m     = 1 - p_t = 1 - (p t + (1 - p)(1 - t))
 *   a_t   = alpha t + (1 - alpha)(1 - t), or 1 when alpha &lt; 0
 *   focal = a_t bce m^gamma
 *   d focal / dx = a_t [ (p - t) m^gamma + bce gamma m^(gamma - 1) dm/dx ],  dm/dx = -p (1 - p)(2t - 1)
 * </pre>
 * The second term of the focal gradient is taken as 0 where gamma is 0 or m is 0 (its limit for gamma &gt; 0:
 * dm/dx vanishes with m there). Elements are independent, so the results do not depend on the thread count.
 * With SIMD on, whole vectors go through the same formulas with the Vector API's exp and log1p (its math library;
 * within a few ulp of {@code Math.exp} / {@code Math.log}), the tail through the scalar ones.
 */
public final class LossKernels {
    /** Elements per parallel chunk (each costs an exp and a log). */
    private static final int GRAIN = 8192;

    private LossKernels() {}

    /** loss[i] = bce(x[i], t[i]). */
    public static void bceWithLogitsForward(float[] loss, float[] x, float[] t, int n) {
        check(n, loss, x, t);
        forVectors(n, (a, b) -> {
            int i = Simd.ENABLED ? bceForwardVector(loss, x, t, a, b) : a;
            for (; i < b; i++) loss[i] = bce(x[i], t[i]);
        });
    }

    /** dx[i] = dy[i] (sigmoid(x[i]) - t[i]). */
    public static void bceWithLogitsBackward(float[] dx, float[] dy, float[] x, float[] t, int n) {
        check(n, dx, dy, x, t);
        forVectors(n, (a, b) -> {
            int i = Simd.ENABLED ? bceBackwardVector(dx, dy, x, t, a, b) : a;
            for (; i < b; i++) dx[i] = dy[i] * (sigmoid(x[i]) - t[i]);
        });
    }

    /** loss[i] = focal(x[i], t[i]); alpha &lt; 0 leaves out the class weight. */
    public static void focalForward(float alpha, float gamma, float[] loss, float[] x, float[] t, int n) {
        check(n, loss, x, t);
        checkGamma(gamma);
        forVectors(n, (a, b) -> {
            int i = Simd.ENABLED ? focalForwardVector(alpha, gamma, loss, x, t, a, b) : a;
            for (; i < b; i++) loss[i] = focal(x[i], t[i], alpha, gamma);
        });
    }

    /** dx[i] = dy[i] d focal(x[i], t[i]) / dx. */
    public static void focalBackward(float alpha, float gamma, float[] dx, float[] dy, float[] x, float[] t, int n) {
        check(n, dx, dy, x, t);
        checkGamma(gamma);
        forVectors(n, (a, b) -> {
            int i = Simd.ENABLED ? focalBackwardVector(alpha, gamma, dx, dy, x, t, a, b) : a;
            for (; i < b; i++) dx[i] = dy[i] * focalGrad(x[i], t[i], alpha, gamma);
        });
    }

    // ---- the same formulas on whole vectors (exp and log1p from the Vector API's math library) -----------

    private static final VectorSpecies<Float> F = Simd.F;

    /** bce over [a, a + whole vectors); returns the first index left for the scalar loop. */
    private static int bceForwardVector(float[] loss, float[] x, float[] t, int a, int b) {
        int i = a, L = F.length();
        FloatVector zero = FloatVector.zero(F);
        for (; i + L <= b; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, i), tv = FloatVector.fromArray(F, t, i);
            FloatVector e = xv.abs().neg().lanewise(VectorOperators.EXP);
            xv.max(zero).sub(xv.mul(tv)).add(e.lanewise(VectorOperators.LOG1P)).intoArray(loss, i);
        }
        return i;
    }

    private static int bceBackwardVector(float[] dx, float[] dy, float[] x, float[] t, int a, int b) {
        int i = a, L = F.length();
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; i + L <= b; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, i), tv = FloatVector.fromArray(F, t, i);
            FloatVector e = xv.abs().neg().lanewise(VectorOperators.EXP);
            FloatVector r = one.div(one.add(e));
            FloatVector p = r.blend(e.mul(r), xv.compare(VectorOperators.LT, 0f));
            FloatVector.fromArray(F, dy, i).mul(p.sub(tv)).intoArray(dx, i);
        }
        return i;
    }

    private static int focalForwardVector(float alpha, float gamma, float[] loss, float[] x, float[] t, int a, int b) {
        int i = a, L = F.length();
        FloatVector zero = FloatVector.zero(F), one = FloatVector.broadcast(F, 1f);
        for (; i + L <= b; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, i), tv = FloatVector.fromArray(F, t, i);
            FloatVector e = xv.abs().neg().lanewise(VectorOperators.EXP);
            FloatVector r = one.div(one.add(e));
            FloatVector p = r.blend(e.mul(r), xv.compare(VectorOperators.LT, 0f));
            FloatVector ce = xv.max(zero).sub(xv.mul(tv)).add(e.lanewise(VectorOperators.LOG1P));
            FloatVector m = one.sub(p.mul(tv).add(one.sub(p).mul(one.sub(tv))));
            FloatVector l = ce.mul(pow(m, gamma));
            if (alpha >= 0f) l = tv.mul(alpha).add(one.sub(tv).mul(1f - alpha)).mul(l);
            l.intoArray(loss, i);
        }
        return i;
    }

    private static int focalBackwardVector(float alpha, float gamma, float[] dx, float[] dy, float[] x, float[] t,
                                           int a, int b) {
        int i = a, L = F.length();
        FloatVector zero = FloatVector.zero(F), one = FloatVector.broadcast(F, 1f);
        for (; i + L <= b; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, i), tv = FloatVector.fromArray(F, t, i);
            FloatVector e = xv.abs().neg().lanewise(VectorOperators.EXP);
            FloatVector r = one.div(one.add(e));
            FloatVector p = r.blend(e.mul(r), xv.compare(VectorOperators.LT, 0f));
            FloatVector m = one.sub(p.mul(tv).add(one.sub(p).mul(one.sub(tv))));
            FloatVector g = p.sub(tv).mul(pow(m, gamma));
            if (gamma != 0f) {
                FloatVector ce = xv.max(zero).sub(xv.mul(tv)).add(e.lanewise(VectorOperators.LOG1P));
                FloatVector dm = p.neg().mul(one.sub(p)).mul(tv.mul(2f).sub(1f));
                FloatVector term = ce.mul(gamma).mul(pow(m, gamma - 1f)).mul(dm);
                // 0 where m is 0 (the scalar form skips the term there)
                g = g.add(term.blend(zero, m.compare(VectorOperators.LE, 0f)));
            }
            if (alpha >= 0f) g = tv.mul(alpha).add(one.sub(tv).mul(1f - alpha)).mul(g);
            FloatVector.fromArray(F, dy, i).mul(g).intoArray(dx, i);
        }
        return i;
    }

    /**
     * Runs body over [0, n) in chunks whose bounds are whole vectors apart, so that every element takes the vector
     * or the scalar path (only the last partial vector) whatever the thread count: the same bits either way.
     */
    private static void forVectors(int n, Parallel.RangeBody body) {
        int l = Simd.LANES, blocks = (n + l - 1) / l;
        Parallel.forRange(blocks, Math.max(1, GRAIN / l), (b0, b1) -> body.run(b0 * l, Math.min(n, b1 * l)));
    }

    /** m^gamma on a vector, exact for the common integer exponents (as {@link #pow(float, float)}). */
    private static FloatVector pow(FloatVector m, float gamma) {
        if (gamma == 2f) return m.mul(m);
        if (gamma == 1f) return m;
        if (gamma == 0f) return FloatVector.broadcast(F, 1f);
        if (gamma == 3f) return m.mul(m).mul(m);
        return m.lanewise(VectorOperators.POW, gamma);
    }

    /** The stable BCE of one element. */
    static float bce(float x, float t) {
        float e = (float) Math.exp(-Math.abs(x));
        return (Math.max(x, 0f) - x * t) + (float) Math.log(1f + e);
    }

    /** sigmoid(x) without overflow for either sign. */
    static float sigmoid(float x) {
        float e = (float) Math.exp(-Math.abs(x));
        float r = 1f / (1f + e);
        return x >= 0f ? r : e * r;
    }

    /** Sigmoid focal loss of one element. */
    static float focal(float x, float t, float alpha, float gamma) {
        float e = (float) Math.exp(-Math.abs(x));
        float r = 1f / (1f + e);
        float p = x >= 0f ? r : e * r;
        float ce = (Math.max(x, 0f) - x * t) + (float) Math.log(1f + e);
        float m = 1f - (p * t + (1f - p) * (1f - t));
        float loss = ce * pow(m, gamma);
        return alpha >= 0f ? (alpha * t + (1f - alpha) * (1f - t)) * loss : loss;
    }

    /** d focal / dx of one element. */
    static float focalGrad(float x, float t, float alpha, float gamma) {
        float e = (float) Math.exp(-Math.abs(x));
        float r = 1f / (1f + e);
        float p = x >= 0f ? r : e * r;
        float m = 1f - (p * t + (1f - p) * (1f - t));
        float g = (p - t) * pow(m, gamma);
        if (gamma != 0f && m > 0f) {
            float ce = (Math.max(x, 0f) - x * t) + (float) Math.log(1f + e);
            float dm = -p * (1f - p) * (2f * t - 1f);
            g += ce * gamma * pow(m, gamma - 1f) * dm;
        }
        return alpha >= 0f ? (alpha * t + (1f - alpha) * (1f - t)) * g : g;
    }

    /** m^gamma for m in [0, 1], exact for the common integer exponents. */
    private static float pow(float m, float gamma) {
        if (gamma == 2f) return m * m;
        if (gamma == 1f) return m;
        if (gamma == 0f) return 1f;
        if (gamma == 3f) return m * m * m;
        return (float) Math.pow(m, gamma);
    }

    private static void checkGamma(float gamma) {
        if (!(gamma >= 0f)) throw new IllegalArgumentException("focal loss: gamma must be >= 0, got " + gamma);
    }

    private static void check(int n, float[]... arrays) {
        if (n < 0) throw new IllegalArgumentException("negative element count " + n);
        for (float[] a : arrays)
            if (a.length < n) throw new IllegalArgumentException("array of " + a.length + " floats for " + n + " elements");
    }

    // ---- IoU-family box losses on aligned pairs -----------------------------------------------------------

    /** The box losses, in the order of the CUDA kernels' {@code kind} argument. */
    public enum BoxLoss {
        /** 1 - I / (U + eps). */
        IOU,
        /** IoU loss + (C - U) / (C + eps). */
        GIOU,
        /** IoU loss + rho^2 / (c^2 + eps). */
        DIOU,
        /** DIoU loss + alpha v, alpha a constant. */
        CIOU
    }

    /** Box pairs per parallel chunk. */
    private static final int BOX_GRAIN = 2048;

    /**
     * loss[i] = the box loss of pred row i against target row i (rows of (x1, y1, x2, y2)), with the formulas of
     * {@code dev.strix.nn.losses.BoxLosses}. loss: (n); pred, target: (n, 4).
     */
    public static void boxLossForward(BoxLoss kind, float eps, float[] loss, float[] pred, float[] target, int n) {
        check(n, loss);
        check(4 * n, pred, target);
        Parallel.forRange(n, BOX_GRAIN, (a, b) -> {
            for (int i = a; i < b; i++) loss[i] = boxLoss(kind.ordinal(), eps, pred, target, 4 * i, 0f, null);
        });
    }

    /**
     * dpred row i = dy[i] d(box loss)/d(pred row i); the targets get no gradient (CIoU's alpha is a constant).
     * Ties of min/max split the gradient evenly and the overlap's ReLU has gradient 0 at 0, as the composite
     * autograd form does. dpred, pred, target: (n, 4); dy: (n).
     */
    public static void boxLossBackward(BoxLoss kind, float eps, float[] dpred, float[] dy, float[] pred, float[] target,
                                       int n) {
        check(n, dy);
        check(4 * n, dpred, pred, target);
        Parallel.forRange(n, BOX_GRAIN, (a, b) -> {
            for (int i = a; i < b; i++) boxLoss(kind.ordinal(), eps, pred, target, 4 * i, dy[i], dpred);
        });
    }

    private static float minGrad(float a, float b) {
        return a < b ? 1f : (a > b ? 0f : 0.5f);
    }

    private static float maxGrad(float a, float b) {
        return a > b ? 1f : (a < b ? 0f : 0.5f);
    }

    /** The loss of the pair at row offset o; when d is not null also writes dy d loss / d pred to d[o .. o+3]. */
    static float boxLoss(int kind, float eps, float[] p, float[] g, int o, float dy, float[] d) {
        float px1 = p[o], py1 = p[o + 1], px2 = p[o + 2], py2 = p[o + 3];
        float gx1 = g[o], gy1 = g[o + 1], gx2 = g[o + 2], gy2 = g[o + 3];
        float iwRaw = Math.min(px2, gx2) - Math.max(px1, gx1), ihRaw = Math.min(py2, gy2) - Math.max(py1, gy1);
        float iw = Math.max(iwRaw, 0f), ih = Math.max(ihRaw, 0f);
        float inter = iw * ih;
        float pw = px2 - px1, ph = py2 - py1;
        float areaP = pw * ph, areaG = (gx2 - gx1) * (gy2 - gy1);
        float uni = areaP + areaG - inter;
        float ue = uni + eps;
        float iou = inter / ue;
        float loss = 1f - iou;
        // adjoints of the loss with respect to the intermediate terms
        float gIou = -1f, gUnion = 0f, gCw = 0f, gCh = 0f, gCx = 0f, gCy = 0f, gPw = 0f, gPh = 0f;
        float cw = Math.max(px2, gx2) - Math.min(px1, gx1), ch = Math.max(py2, gy2) - Math.min(py1, gy1);
        if (kind == 1) { // GIoU: + (C - U) / (C + eps)
            float c = cw * ch, ce = c + eps;
            loss += (c - uni) / ce;
            float gC = (uni + eps) / (ce * ce);
            gUnion += -1f / ce;
            gCw = gC * ch;
            gCh = gC * cw;
        } else if (kind >= 2) { // DIoU: + rho^2 / (c^2 + eps)
            float diag = cw * cw + ch * ch + eps;
            float dx = (px2 + px1) * 0.5f - (gx1 + gx2) * 0.5f, dyc = (py2 + py1) * 0.5f - (gy1 + gy2) * 0.5f;
            float rho = dx * dx + dyc * dyc;
            loss += rho / diag;
            float gDiag = -rho / (diag * diag);
            gCw = gDiag * 2f * cw;
            gCh = gDiag * 2f * ch;
            gCx = dx / diag; // d/d px1 = d/d px2 = 2 dx * 0.5 / diag
            gCy = dyc / diag;
            if (kind == 3) { // CIoU: + alpha v, alpha constant
                float k = (float) (4.0 / (Math.PI * Math.PI));
                float rp = pw / (ph + eps);
                float angle = (float) Math.atan((gx2 - gx1) / ((gy2 - gy1) + eps)) - (float) Math.atan(rp);
                float v = k * angle * angle;
                float alpha = v / ((1f - iou) + v + eps);
                loss += alpha * v;
                float gR = alpha * k * 2f * angle * (-1f / (1f + rp * rp));
                gPw = gR / (ph + eps);
                gPh = gR * (-pw / ((ph + eps) * (ph + eps)));
            }
        }
        if (d != null) {
            // iou = inter / (U + eps), U = areaP + areaG - inter
            float gU = gIou * (-inter / (ue * ue)) + gUnion;
            float gInter = gIou / ue - gU;
            gPw += gU * ph;
            gPh += gU * pw;
            float gIw = iwRaw > 0f ? gInter * ih : 0f, gIh = ihRaw > 0f ? gInter * iw : 0f;
            d[o] = dy * (-gPw - gIw * maxGrad(px1, gx1) - gCw * minGrad(px1, gx1) + gCx);
            d[o + 1] = dy * (-gPh - gIh * maxGrad(py1, gy1) - gCh * minGrad(py1, gy1) + gCy);
            d[o + 2] = dy * (gPw + gIw * minGrad(px2, gx2) + gCw * maxGrad(px2, gx2) + gCx);
            d[o + 3] = dy * (gPh + gIh * minGrad(py2, gy2) + gCh * maxGrad(py2, gy2) + gCy);
        }
        return loss;
    }
}
