package dev.strix.nn.losses;

import dev.strix.nn.Tensor;
import dev.strix.nn.ops.ReduceOps;

/**
 * How a loss turns its per-element values into its result, with PyTorch's {@code reduction=} semantics.
 */
public enum Reduction {
    /** The per-element losses, unchanged (same shape as the loss's per-element output). */
    NONE,
    /** The mean over all elements, as a 0-d tensor; NaN for an empty input, as {@code torch.mean} gives. */
    MEAN,
    /** The sum over all elements, as a 0-d tensor; 0 for an empty input. */
    SUM;

    /**
     * Reduces {@code perElement} (any shape), recording history.
     *
     * @param perElement per-element losses, shape (...)
     * @return perElement itself for NONE, otherwise a 0-d tensor
     */
    public Tensor apply(Tensor perElement) {
        return switch (this) {
            case NONE -> perElement;
            case MEAN -> ReduceOps.mean(perElement);
            case SUM -> ReduceOps.sum(perElement);
        };
    }
}
