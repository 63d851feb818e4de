package dev.strix.nn.optim;

import dev.strix.nn.Tensor;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stochastic gradient descent with momentum, dampening, coupled weight decay and Nesterov momentum, following
 * {@code torch.optim.SGD}:
 *
 * <pre>
 * g = grad + weightDecay * p
 * buf = g                                   (first step)
 * buf = momentum * buf + (1 - dampening) * g (later steps)
 * g = nesterov ? g + momentum * buf : buf   (when momentum != 0)
 * p = p - lr * g
 * </pre>
 *
 * State per parameter: {@code momentum_buffer} (only when momentum is non-zero).
 */
public final class Sgd extends Optimizer {
    /** Name of the momentum buffer in the state dict. */
    public static final String MOMENTUM_BUFFER = "momentum_buffer";
    private static final Set<String> STATE_NAMES = Set.of(MOMENTUM_BUFFER);

    /**
     * @param groups      parameter groups; options they set override the defaults below
     * @param lr          learning rate (>= 0)
     * @param momentum    momentum factor (>= 0)
     * @param dampening   dampening of the momentum update
     * @param weightDecay L2 penalty added to the gradient (>= 0)
     * @param nesterov    Nesterov momentum (needs momentum > 0 and dampening 0)
     */
    public Sgd(List<ParamGroup> groups, double lr, double momentum, double dampening, double weightDecay,
               boolean nesterov) {
        super(groups, Map.of(ParamGroup.LR, lr, ParamGroup.MOMENTUM, momentum, ParamGroup.DAMPENING, dampening,
                ParamGroup.WEIGHT_DECAY, weightDecay, ParamGroup.NESTEROV, nesterov ? 1.0 : 0.0));
        for (ParamGroup g : groups()) {
            requireAtLeast(g, ParamGroup.MOMENTUM, 0);
            if (g.flag(ParamGroup.NESTEROV) && (g.get(ParamGroup.MOMENTUM) <= 0 || g.get(ParamGroup.DAMPENING) != 0))
                throw new IllegalArgumentException("Nesterov momentum needs momentum > 0 and dampening 0, got momentum "
                        + g.get(ParamGroup.MOMENTUM) + ", dampening " + g.get(ParamGroup.DAMPENING));
        }
    }

    /** Plain SGD: no momentum, no weight decay. */
    public Sgd(List<ParamGroup> groups, double lr) {
        this(groups, lr, 0, 0, 0, false);
    }

    @Override
    protected Set<String> stateNames() {
        return STATE_NAMES;
    }

    @Override
    protected void update(ParamGroup group, Tensor param, Tensor grad, ParamState state) {
        float momentum = (float) group.get(ParamGroup.MOMENTUM);
        Tensor buffer = null;
        boolean first = false;
        if (momentum != 0f) {
            buffer = state.get(MOMENTUM_BUFFER);
            if (buffer == null) {
                buffer = param.zerosLike();
                state.put(MOMENTUM_BUFFER, buffer);
                first = true;
            }
        }
        param.device().sgdUpdate(param, grad, buffer, (float) group.lr(), momentum,
                (float) group.get(ParamGroup.DAMPENING), (float) group.weightDecay(), group.flag(ParamGroup.NESTEROV),
                first);
        state.incrementStep();
    }
}
