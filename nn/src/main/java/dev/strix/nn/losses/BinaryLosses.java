package dev.strix.nn.losses;

import dev.strix.kernels.Elementwise.Binary;
import dev.strix.nn.Autograd;
import dev.strix.nn.Device;
import dev.strix.nn.Shapes;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.ActivationOps;
import dev.strix.nn.ops.MathOps;

import java.util.Arrays;

/**
 * Binary (multi-label) classification losses on logits: binary cross-entropy and sigmoid focal loss.
 *
 * <p>Shapes: logits and target share one shape (...), any rank; target holds probabilities in [0, 1]
 * (usually 0 or 1). With {@link Reduction#NONE} the result has that shape, otherwise it is 0-d.
 */
public final class BinaryLosses {
    private BinaryLosses() {}

    /**
     * Binary cross-entropy on logits, PyTorch's {@code F.binary_cross_entropy_with_logits} without pos_weight,
     * in the numerically stable form
     * <pre>  l(x, t) = w * ( max(x, 0) - x*t + log(1 + exp(-|x|)) )</pre>
     * which never overflows (finite for any finite x). The gradient is w * (sigmoid(x) - t) for x and -w * x for t.
     *
     * @param logits x, shape (...)
     * @param target t, shape (...) like logits
     * @param weight w, a rescaling weight broadcastable to logits' shape, or null for 1
     * @param reduction how per-element losses are reduced (MEAN divides by the element count)
     */
    public static Tensor bceWithLogits(Tensor logits, Tensor target, Tensor weight, Reduction reduction) {
        LossOps.requireSameShape("bceWithLogits", logits, target);
        Tensor loss = bceWithLogitsUnweighted(logits, target);
        if (weight != null) {
            if (!Arrays.equals(Shapes.broadcast(logits.shape(), weight.shape()), logits.shape()))
                throw new IllegalArgumentException("bceWithLogits: weight shape " + Arrays.toString(weight.shape())
                        + " does not broadcast to logits shape " + Arrays.toString(logits.shape()));
            loss = MathOps.mul(loss, weight);
        }
        return reduction.apply(loss);
    }

    /** Per-element stable BCE as one fused node (forward and backward from Device ops only). */
    private static Tensor bceWithLogitsUnweighted(Tensor x, Tensor t) {
        Device dev = x.device();
        Tensor out = x.zerosLike();
        dev.bceWithLogitsForward(out, x, t);
        return Autograd.record(out, "bce_with_logits", g -> {
            Tensor gx = null, gt = null;
            if (x.requiresGrad()) {
                gx = x.zerosLike();
                dev.bceWithLogitsBackward(gx, g, x, t);
            }
            if (t.requiresGrad()) {
                Tensor gxProd = x.zerosLike();
                dev.binary(Binary.MUL, gxProd, g, x);
                gt = x.zerosLike();
                dev.scale(gt, gxProd, -1f);
            }
            return new Tensor[] {gx, gt};
        }, x, t);
    }

    /**
     * Sigmoid focal loss of Lin et al., "Focal Loss for Dense Object Detection" (ICCV 2017), exactly as
     * torchvision's {@code sigmoid_focal_loss}:
     * <pre>
     *   p    = sigmoid(x)
     *   ce   = bceWithLogits(x, t)                       (per element)
     *   p_t  = p*t + (1 - p)*(1 - t)
     *   loss = ce * (1 - p_t)^gamma
     *   loss = (alpha*t + (1 - alpha)*(1 - t)) * loss    (only when alpha &gt;= 0)
     * </pre>
     * MEAN divides by the element count (NaN for an empty input, like torchvision).
     *
     * @param logits x, shape (...)
     * @param target t, shape (...) like logits, in [0, 1]
     * @param alpha weight of positives in (0, 1); a negative value disables the weighting (torchvision's -1)
     * @param gamma focusing exponent &gt;= 0 (torchvision's default is 2)
     */
    public static Tensor sigmoidFocalLoss(Tensor logits, Tensor target, float alpha, float gamma, Reduction reduction) {
        LossOps.requireSameShape("sigmoidFocalLoss", logits, target);
        if (!(gamma >= 0f)) throw new IllegalArgumentException("sigmoidFocalLoss: gamma must be >= 0, got " + gamma);
        if (!target.requiresGrad()) return reduction.apply(focalFused(logits, target, alpha, gamma));
        // soft targets that need a gradient: the composite form, differentiable in both inputs
        Tensor p = ActivationOps.sigmoid(logits);
        Tensor ce = bceWithLogitsUnweighted(logits, target);
        Tensor oneMinusP = MathOps.addScalar(MathOps.neg(p), 1f);
        Tensor oneMinusT = MathOps.addScalar(MathOps.neg(target), 1f);
        Tensor pt = MathOps.add(MathOps.mul(p, target), MathOps.mul(oneMinusP, oneMinusT));
        Tensor loss = MathOps.mul(ce, LossOps.pow(MathOps.addScalar(MathOps.neg(pt), 1f), gamma));
        if (alpha >= 0f) {
            Tensor alphaT = MathOps.add(MathOps.scale(target, alpha), MathOps.scale(oneMinusT, 1f - alpha));
            loss = MathOps.mul(alphaT, loss);
        }
        return reduction.apply(loss);
    }

    /** The per-element focal loss as one fused node, differentiable in the logits (the target needs no gradient). */
    private static Tensor focalFused(Tensor x, Tensor t, float alpha, float gamma) {
        Device dev = x.device();
        Tensor out = x.zerosLike();
        dev.focalLossForward(out, x, t, alpha, gamma);
        return Autograd.record(out, "sigmoid_focal_loss", g -> {
            Tensor gx = x.zerosLike();
            dev.focalLossBackward(gx, g, x, t, alpha, gamma);
            return new Tensor[] {gx, null};
        }, x, t);
    }
}
