package dev.strix.detection.mtl;

import dev.strix.nn.Tensor;

import java.util.List;
import java.util.Map;

/**
 * Fixed linear combination of the task losses (the classic multi-task objective):
 * <pre>
 *   L = sum_t w_t L_t
 * </pre>
 * with one constant weight per task, 1 by default. Under the name {@code equal} every weight is 1
 * ({@code L = sum_t L_t}), the usual baseline of multi-task comparisons (e.g. Kendall et al., CVPR 2018, Table 1;
 * Liu et al., CVPR 2019, "Equal Weighting"). The gradient is that of L, from one backward pass.
 */
public final class WeightedStrategy extends AbstractStrategy {
    private final double[] weights;

    /**
     * @param name    {@code weighted} or {@code equal}
     * @param tasks   the tasks
     * @param weights per-task weights (tasks not listed get 1); must be finite and >= 0
     * @param measure measure shared-trunk gradients every step
     */
    WeightedStrategy(String name, List<String> tasks, Map<String, Double> weights, boolean measure) {
        super(name, tasks, measure);
        for (String k : weights.keySet())
            if (!tasks.contains(k))
                throw new IllegalArgumentException(name + ": weight given for unknown task '" + k + "'; tasks are " + tasks);
        this.weights = new double[tasks.size()];
        for (int t = 0; t < tasks.size(); t++) {
            double w = weights.getOrDefault(tasks.get(t), 1.0);
            if (!Double.isFinite(w) || w < 0)
                throw new IllegalArgumentException(name + ": weight of task '" + tasks.get(t) + "' must be finite and >= 0, got " + w);
            this.weights[t] = w;
        }
    }

    /** Weighted with the given weights. */
    public static WeightedStrategy weighted(List<String> tasks, Map<String, Double> weights, boolean measure) {
        return new WeightedStrategy("weighted", tasks, weights, measure);
    }

    /** All weights 1. */
    public static WeightedStrategy equal(List<String> tasks, boolean measure) {
        return new WeightedStrategy("equal", tasks, Map.of(), measure);
    }

    @Override
    public StepResult backward(Map<String, Tensor> taskLosses, SharedParameters shared, List<Tensor> allTrainable) {
        List<Tensor> losses = lossesInOrder(taskLosses);
        double[] values = values(losses);
        SharedGradientStats stats = measureIfAsked(losses, shared);
        double total = backwardWeighted(losses, weights, values);
        return result(total, values, weights.clone(), stats);
    }

    @Override
    public Map<String, Double> weights() {
        return weightMap(weights);
    }
}
