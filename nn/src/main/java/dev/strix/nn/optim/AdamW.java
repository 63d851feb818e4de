package dev.strix.nn.optim;

import java.util.List;

/**
 * Adam with decoupled weight decay, following {@code torch.optim.AdamW}: before the Adam update the parameter
 * is shrunk, {@code p = p * (1 - lr * weightDecay)}, and the gradient itself carries no decay term.
 */
public final class AdamW extends Adam {
    /** Default decoupled weight decay, as in PyTorch. */
    public static final double DEFAULT_WEIGHT_DECAY = 1e-2;

    /**
     * @param groups      parameter groups; options they set override the defaults below
     * @param lr          learning rate (>= 0)
     * @param beta1       first-moment decay in [0, 1)
     * @param beta2       second-moment decay in [0, 1)
     * @param eps         denominator term (>= 0)
     * @param weightDecay decoupled weight decay (>= 0)
     */
    public AdamW(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(groups, lr, beta1, beta2, eps, weightDecay, true);
    }

    /** AdamW with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 1e-2. */
    public AdamW(List<ParamGroup> groups, double lr) {
        this(groups, lr, 0.9, 0.999, 1e-8, DEFAULT_WEIGHT_DECAY);
    }
}
