package dev.strix.nn.losses;

import dev.strix.kernels.LossKernels;
import dev.strix.nn.Autograd;
import dev.strix.nn.Device;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.ActivationOps;
import dev.strix.nn.ops.MathOps;
import dev.strix.nn.ops.ReduceOps;
import dev.strix.nn.ops.ShapeOps;

import java.util.Arrays;

/**
 * IoU-based regression losses on aligned pairs of boxes, following torchvision's
 * {@code generalized_box_iou_loss}, {@code distance_box_iou_loss} and {@code complete_box_iou_loss}.
 *
 * <p>Shapes: pred and target are (N, 4) in (x1, y1, x2, y2) order with x1 &lt; x2, y1 &lt; y2; row i of pred is
 * compared with row i of target. NONE returns (N); MEAN and SUM a 0-d tensor. As in torchvision, MEAN of an
 * empty batch is 0 (not NaN), so that a batch without boxes contributes nothing.
 *
 * <p>Legend: w, h box width and height; I intersection area, U union area, C area of the smallest enclosing
 * box, rho^2 squared distance between the box centres, c^2 squared diagonal of the enclosing box.
 */
public final class BoxLosses {
    /** torchvision's default epsilon for the box losses. */
    public static final float DEFAULT_EPS = 1e-7f;

    private BoxLosses() {}

    /** The four coordinate columns of one (N, 4) box tensor, each (N), plus the derived terms. */
    private record Boxes(Tensor x1, Tensor y1, Tensor x2, Tensor y2) {
        static Boxes of(Tensor b) {
            return new Boxes(column(b, 0), column(b, 1), column(b, 2), column(b, 3));
        }

        private static Tensor column(Tensor b, int k) {
            return ShapeOps.reshape(ShapeOps.narrow(b, 1, k, 1), b.size(0));
        }

        Tensor width() {
            return MathOps.sub(x2, x1);
        }

        Tensor height() {
            return MathOps.sub(y2, y1);
        }
    }

    /** Intersection I and union U of aligned pairs (torchvision's {@code _loss_inter_union}). */
    private record InterUnion(Tensor inter, Tensor union) {
        static InterUnion of(Boxes p, Boxes g) {
            // relu(w) * relu(h) equals torchvision's masked product (w > 0 and h > 0), value and gradient alike
            Tensor w = ActivationOps.relu(MathOps.sub(MathOps.minimum(p.x2, g.x2), MathOps.maximum(p.x1, g.x1)));
            Tensor h = ActivationOps.relu(MathOps.sub(MathOps.minimum(p.y2, g.y2), MathOps.maximum(p.y1, g.y1)));
            Tensor inter = MathOps.mul(w, h);
            Tensor union = MathOps.sub(MathOps.add(MathOps.mul(p.width(), p.height()), MathOps.mul(g.width(), g.height())),
                    inter);
            return new InterUnion(inter, union);
        }
    }

    private static void check(String loss, Tensor pred, Tensor target) {
        LossOps.requireSameShape(loss, pred, target);
        if (pred.dim() != 2 || pred.size(1) != 4)
            throw new IllegalArgumentException(loss + ": boxes must be (N, 4), got " + Arrays.toString(pred.shape()));
    }

    /** torchvision's reduction for box losses: MEAN of an empty batch is 0 (with history). */
    private static Tensor reduce(Tensor perBox, Reduction reduction) {
        if (reduction == Reduction.MEAN && perBox.numel() == 0) return MathOps.scale(ReduceOps.sum(perBox), 0f);
        return reduction.apply(perBox);
    }

    /**
     * IoU of aligned pairs, {@code I / U} with no epsilon (NaN for two degenerate boxes of zero area).
     *
     * @param a boxes (N, 4)
     * @param b boxes (N, 4)
     * @return IoU per pair, shape (N), with history
     */
    public static Tensor boxIou(Tensor a, Tensor b) {
        check("boxIou", a, b);
        InterUnion iu = InterUnion.of(Boxes.of(a), Boxes.of(b));
        return MathOps.div(iu.inter, iu.union);
    }

    /**
     * IoU loss {@code 1 - I / (U + eps)}.
     *
     * @param pred   predicted boxes (N, 4)
     * @param target target boxes (N, 4)
     * @param eps    added to the union (torchvision uses 1e-7)
     */
    public static Tensor iouLoss(Tensor pred, Tensor target, float eps, Reduction reduction) {
        check("iouLoss", pred, target);
        if (!target.requiresGrad()) return reduce(fused(LossKernels.BoxLoss.IOU, pred, target, eps), reduction);
        InterUnion iu = InterUnion.of(Boxes.of(pred), Boxes.of(target));
        return reduce(oneMinus(iou(iu, eps)), reduction);
    }

    /**
     * Generalized IoU loss of Rezatofighi et al., "Generalized Intersection over Union" (CVPR 2019), as
     * torchvision's {@code generalized_box_iou_loss}:
     * <pre>  1 - ( I/(U + eps) - (C - U)/(C + eps) )</pre>
     * It lies in [0, 2) and exceeds 1 for disjoint boxes.
     *
     * @param pred   predicted boxes (N, 4)
     * @param target target boxes (N, 4)
     */
    public static Tensor giouLoss(Tensor pred, Tensor target, float eps, Reduction reduction) {
        check("giouLoss", pred, target);
        if (!target.requiresGrad()) return reduce(fused(LossKernels.BoxLoss.GIOU, pred, target, eps), reduction);
        Boxes p = Boxes.of(pred), g = Boxes.of(target);
        InterUnion iu = InterUnion.of(p, g);
        Tensor enclosing = MathOps.mul(
                MathOps.sub(MathOps.maximum(p.x2, g.x2), MathOps.minimum(p.x1, g.x1)),
                MathOps.sub(MathOps.maximum(p.y2, g.y2), MathOps.minimum(p.y1, g.y1)));
        Tensor penalty = MathOps.div(MathOps.sub(enclosing, iu.union), MathOps.addScalar(enclosing, eps));
        return reduce(oneMinus(MathOps.sub(iou(iu, eps), penalty)), reduction);
    }

    /**
     * Distance IoU loss of Zheng et al., "Distance-IoU Loss" (AAAI 2020), as torchvision's
     * {@code distance_box_iou_loss}:
     * <pre>  1 - I/(U + eps) + rho^2 / (c^2 + eps)</pre>
     *
     * @param pred   predicted boxes (N, 4)
     * @param target target boxes (N, 4)
     */
    public static Tensor diouLoss(Tensor pred, Tensor target, float eps, Reduction reduction) {
        check("diouLoss", pred, target);
        if (!target.requiresGrad()) return reduce(fused(LossKernels.BoxLoss.DIOU, pred, target, eps), reduction);
        Boxes p = Boxes.of(pred), g = Boxes.of(target);
        return reduce(distanceIou(p, g, iou(InterUnion.of(p, g), eps), eps), reduction);
    }

    /**
     * Complete IoU loss of Zheng et al. (AAAI 2020), as torchvision's {@code complete_box_iou_loss}:
     * <pre>
     *   v     = 4/pi^2 * (atan(w_t/(h_t+eps)) - atan(w_p/(h_p+eps)))^2
     *   alpha = v / (1 - IoU + v + eps)            (a constant: no gradient flows through it)
     *   loss  = diouLoss + alpha * v
     * </pre>
     *
     * @param pred   predicted boxes (N, 4)
     * @param target target boxes (N, 4)
     */
    public static Tensor ciouLoss(Tensor pred, Tensor target, float eps, Reduction reduction) {
        check("ciouLoss", pred, target);
        if (!target.requiresGrad()) return reduce(fused(LossKernels.BoxLoss.CIOU, pred, target, eps), reduction);
        Boxes p = Boxes.of(pred), g = Boxes.of(target);
        Tensor iou = iou(InterUnion.of(p, g), eps);
        Tensor diou = distanceIou(p, g, iou, eps);
        // eps in the aspect ratios keeps a collapsed prediction (w = h = 0, e.g. a ReLU box head at zero) finite;
        // torchvision divides by h alone and returns NaN there. For real boxes the change is below float32 rounding.
        Tensor angle = MathOps.sub(MathOps.atan(MathOps.div(g.width(), MathOps.addScalar(g.height(), eps))),
                MathOps.atan(MathOps.div(p.width(), MathOps.addScalar(p.height(), eps))));
        Tensor v = MathOps.scale(MathOps.square(angle), (float) (4.0 / (Math.PI * Math.PI)));
        Tensor vConst = v.detach(); // detached inputs record no history: alpha is a constant
        Tensor alpha = MathOps.div(vConst, MathOps.addScalar(MathOps.add(oneMinus(iou.detach()), vConst), eps));
        return reduce(MathOps.add(diou, MathOps.mul(alpha, v)), reduction);
    }

    /**
     * The per-box loss as one fused node (dev.strix.kernels.LossKernels), differentiable in pred; used whenever the
     * targets need no gradient. The composite forms below remain for targets that do.
     */
    private static Tensor fused(LossKernels.BoxLoss kind, Tensor pred, Tensor target, float eps) {
        Device dev = pred.device();
        if (target.device() != dev)
            throw new IllegalArgumentException("box loss: pred is on " + dev.name() + " but target on " + target.device().name());
        Tensor loss = Tensor.zeros(dev, pred.size(0));
        dev.boxLossForward(kind, eps, loss, pred, target);
        return Autograd.record(loss, kind.name().toLowerCase(java.util.Locale.ROOT) + "_loss", g -> {
            Tensor dp = pred.zerosLike();
            dev.boxLossBackward(kind, eps, dp, g, pred, target);
            return new Tensor[] {dp, null};
        }, pred, target);
    }

    private static Tensor iou(InterUnion iu, float eps) {
        return MathOps.div(iu.inter, MathOps.addScalar(iu.union, eps));
    }

    private static Tensor oneMinus(Tensor x) {
        return MathOps.addScalar(MathOps.neg(x), 1f);
    }

    /** 1 - iou + rho^2 / (c^2 + eps). */
    private static Tensor distanceIou(Boxes p, Boxes g, Tensor iou, float eps) {
        Tensor diagonal = MathOps.addScalar(MathOps.add(
                MathOps.square(MathOps.sub(MathOps.maximum(p.x2, g.x2), MathOps.minimum(p.x1, g.x1))),
                MathOps.square(MathOps.sub(MathOps.maximum(p.y2, g.y2), MathOps.minimum(p.y1, g.y1)))), eps);
        Tensor dx = MathOps.sub(MathOps.scale(MathOps.add(p.x2, p.x1), 0.5f), MathOps.scale(MathOps.add(g.x1, g.x2), 0.5f));
        Tensor dy = MathOps.sub(MathOps.scale(MathOps.add(p.y2, p.y1), 0.5f), MathOps.scale(MathOps.add(g.y1, g.y2), 0.5f));
        Tensor centres = MathOps.add(MathOps.square(dx), MathOps.square(dy));
        return MathOps.add(oneMinus(iou), MathOps.div(centres, diagonal));
    }
}
