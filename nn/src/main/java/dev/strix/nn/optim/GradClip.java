package dev.strix.nn.optim;

import dev.strix.nn.Tensor;

import java.util.Collection;

/** Gradient clipping, as {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradClip {
    /** Added to the total norm before dividing, as in PyTorch. */
    public static final double NORM_EPS = 1e-6;

    private GradClip() {}

    /**
     * Scales the gradients of {@code params} in place so that their joint L2 norm is at most about
     * {@code maxNorm}: with {@code total} the L2 norm of all gradients together and
     * {@code coef = maxNorm / (total + 1e-6)}, every gradient is multiplied by {@code coef} when
     * {@code coef < 1}. Parameters without a gradient are skipped.
     *
     * <p>When the total norm is NaN or infinite the gradients are left untouched and the non-finite norm is
     * returned, so that the caller can skip the step (mixed precision loss scaling) or stop.
     *
     * @param params  parameters whose {@code grad()} to clip (any shapes and devices)
     * @param maxNorm largest allowed total norm (> 0)
     * @return the total L2 norm of the gradients before clipping (0 when none has a gradient)
     */
    public static double clipGradNorm(Collection<Tensor> params, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("maxNorm must be > 0, got " + maxNorm);
        double total = totalNorm(params);
        if (!Double.isFinite(total)) return total;
        double coef = maxNorm / (total + NORM_EPS);
        if (coef < 1) {
            float c = (float) coef;
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null) g.device().scale(g, g, c);
            }
        }
        return total;
    }

    /** The L2 norm of all gradients of {@code params} taken together (accumulated in double). */
    public static double totalNorm(Collection<Tensor> params) {
        double sumSquares = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g != null) sumSquares += g.device().sumSquares(g);
        }
        return Math.sqrt(sumSquares);
    }
}
