package dev.strix.nn.losses;

import dev.strix.nn.Tensor;
import dev.strix.nn.ops.MathOps;

/**
 * Pointwise regression losses with PyTorch's definitions ({@code F.mse_loss}, {@code F.l1_loss},
 * {@code F.smooth_l1_loss}).
 *
 * <p>Shapes: input and target share one shape (...); NONE returns that shape, MEAN and SUM a 0-d tensor
 * (MEAN of an empty input is NaN, as in PyTorch).
 */
public final class RegressionLosses {
    private RegressionLosses() {}

    /**
     * Squared error {@code (x - y)^2}.
     *
     * @param input  x, shape (...)
     * @param target y, shape (...) like input
     */
    public static Tensor mse(Tensor input, Tensor target, Reduction reduction) {
        LossOps.requireSameShape("mse", input, target);
        return reduction.apply(MathOps.square(MathOps.sub(input, target)));
    }

    /**
     * Absolute error {@code |x - y|} (gradient 0 where x == y, as PyTorch's sign).
     *
     * @param input  x, shape (...)
     * @param target y, shape (...) like input
     */
    public static Tensor l1(Tensor input, Tensor target, Reduction reduction) {
        LossOps.requireSameShape("l1", input, target);
        return reduction.apply(MathOps.abs(MathOps.sub(input, target)));
    }

    /**
     * Smooth L1 (Girshick, "Fast R-CNN", 2015) with PyTorch's beta:
     * <pre>  l = 0.5 * d^2 / beta   if |d| &lt; beta,   |d| - 0.5 * beta   otherwise,   d = x - y</pre>
     * beta = 0 is exactly {@link #l1}. Computed as {@code 0.5 m^2 / beta + (|d| - m)} with {@code m = min(|d|, beta)},
     * which has the same value and gradient (d / beta inside, sign(d) outside) without a select op.
     *
     * @param input  x, shape (...)
     * @param target y, shape (...) like input
     * @param beta   threshold between the quadratic and the linear part, &gt;= 0
     */
    public static Tensor smoothL1(Tensor input, Tensor target, float beta, Reduction reduction) {
        if (!(beta >= 0f)) throw new IllegalArgumentException("smoothL1: beta must be >= 0, got " + beta);
        if (beta == 0f) return l1(input, target, reduction);
        LossOps.requireSameShape("smoothL1", input, target);
        Tensor a = MathOps.abs(MathOps.sub(input, target));
        Tensor m = MathOps.clamp(a, Float.NEGATIVE_INFINITY, beta);
        Tensor quadratic = MathOps.scale(MathOps.square(m), 0.5f / beta);
        return reduction.apply(MathOps.add(quadratic, MathOps.sub(a, m)));
    }
}
