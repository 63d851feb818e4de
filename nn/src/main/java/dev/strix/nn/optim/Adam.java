package dev.strix.nn.optim;

import dev.strix.nn.Tensor;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adam, following {@code torch.optim.Adam} (amsgrad off): weight decay is an L2 term added to the gradient.
 *
 * <pre>
 * g = grad + weightDecay * p
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g^2
 * p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * State per parameter: {@code exp_avg} (m), {@code exp_avg_sq} (v) and the step count t. {@link AdamW} differs
 * only in how weight decay is applied.
 */
public class Adam extends Optimizer {
    /** Name of the first moment in the state dict. */
    public static final String EXP_AVG = "exp_avg";
    /** Name of the second moment in the state dict. */
    public static final String EXP_AVG_SQ = "exp_avg_sq";

    private static final Set<String> STATE_NAMES = Set.of(EXP_AVG, EXP_AVG_SQ);

    private final boolean decoupled;

    /**
     * @param groups      parameter groups; options they set override the defaults below
     * @param lr          learning rate (>= 0)
     * @param beta1       first-moment decay in [0, 1)
     * @param beta2       second-moment decay in [0, 1)
     * @param eps         denominator term (>= 0)
     * @param weightDecay L2 penalty added to the gradient (>= 0)
     */
    public Adam(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(groups, lr, beta1, beta2, eps, weightDecay, false);
    }

    /** Adam with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(List<ParamGroup> groups, double lr) {
        this(groups, lr, 0.9, 0.999, 1e-8, 0.0);
    }

    /** For {@link AdamW}: {@code decoupled} applies weight decay to the parameter instead of the gradient. */
    Adam(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay,
         boolean decoupled) {
        super(groups, Map.of(ParamGroup.LR, lr, ParamGroup.BETA1, beta1, ParamGroup.BETA2, beta2, ParamGroup.EPS, eps,
                ParamGroup.WEIGHT_DECAY, weightDecay));
        this.decoupled = decoupled;
        for (ParamGroup g : groups()) {
            for (String beta : new String[] {ParamGroup.BETA1, ParamGroup.BETA2})
                if (g.get(beta) < 0 || g.get(beta) >= 1)
                    throw new IllegalArgumentException(beta + " must be in [0, 1), got " + g.get(beta));
            requireAtLeast(g, ParamGroup.EPS, 0);
        }
    }

    /** True for AdamW's decoupled weight decay. */
    public final boolean decoupledWeightDecay() {
        return decoupled;
    }

    @Override
    protected final Set<String> stateNames() {
        return STATE_NAMES;
    }

    @Override
    protected final void update(ParamGroup group, Tensor param, Tensor grad, ParamState state) {
        Tensor expAvg = state.getOrZeros(EXP_AVG, param);
        Tensor expAvgSq = state.getOrZeros(EXP_AVG_SQ, param);
        long step = state.incrementStep();
        param.device().adamUpdate(param, grad, expAvg, expAvgSq, (float) group.lr(), (float) group.get(ParamGroup.BETA1),
                (float) group.get(ParamGroup.BETA2), (float) group.get(ParamGroup.EPS), (float) group.weightDecay(),
                decoupled, Math.toIntExact(step));
    }
}
