package dev.strix.detection.mtl;

import dev.strix.nn.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dynamic Weight Average (Liu, Johns, Davison, "End-to-End Multi-Task Learning with Attention", CVPR 2019, eq. 7):
 * task weights from the rate at which each task's loss fell over the last two epochs,
 * <pre>
 *   r_t(e) = L_t(e-1) / L_t(e-2)
 *   w_t(e) = T exp(r_t(e) / Temp) / sum_k exp(r_k(e) / Temp)
 *   L      = sum_t w_t(e) L_t
 * </pre>
 * where L_t(e) is task t's mean loss over epoch e, T the number of tasks and Temp the temperature (option
 * {@code temperature}, default 2). A task whose loss falls more slowly gets a larger weight. During the first two
 * epochs every weight is 1. Weights change only in {@link #onEpochEnd}; within an epoch they are constant. A ratio
 * with a non-positive or non-finite denominator counts as 1.
 */
public final class DwaStrategy extends AbstractStrategy {
    private final double temperature;
    private final double[] weights;
    private final double[] previous;   // L(e-1)
    private final double[] beforeLast; // L(e-2)
    private long epochs;

    public DwaStrategy(List<String> tasks, double temperature, boolean measure) {
        super("dwa", tasks, measure);
        if (!Double.isFinite(temperature) || temperature <= 0)
            throw new IllegalArgumentException("dwa: temperature must be finite and > 0, got " + temperature);
        this.temperature = temperature;
        weights = new double[tasks.size()];
        Arrays.fill(weights, 1.0);
        previous = new double[tasks.size()];
        beforeLast = new double[tasks.size()];
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
    public void onEpochEnd(Map<String, Double> epochMeanLosses) {
        double[] now = epochMeansInOrder(epochMeanLosses);
        System.arraycopy(previous, 0, beforeLast, 0, previous.length);
        // kept in float precision so that a float32 state dict restores them exactly
        for (int t = 0; t < now.length; t++) previous[t] = (float) now[t];
        epochs++;
        if (epochs >= 2) recompute();
    }

    private void recompute() {
        int n = weights.length;
        double[] e = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        double[] r = new double[n];
        for (int t = 0; t < n; t++) {
            double num = previous[t], den = beforeLast[t];
            r[t] = den > 0 && Double.isFinite(den) && Double.isFinite(num) ? num / den : 1.0;
            max = Math.max(max, r[t] / temperature);
        }
        double sum = 0;
        for (int t = 0; t < n; t++) {
            e[t] = Math.exp(r[t] / temperature - max); // shifted by the max: same softmax, no overflow
            sum += e[t];
        }
        for (int t = 0; t < n; t++) weights[t] = n * e[t] / sum;
    }

    @Override
    public Map<String, Double> weights() {
        return weightMap(weights);
    }

    /** Number of epochs reported so far. */
    public long epochsSeen() {
        return epochs;
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int t = 0; t < previous.length; t++) m.put("loss_prev." + tasks().get(t), StrategyState.scalar(previous[t]));
        for (int t = 0; t < previous.length; t++)
            m.put("loss_prev2." + tasks().get(t), StrategyState.scalar(beforeLast[t]));
        m.put("epochs", StrategyState.scalarLong(epochs));
        return m;
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        List<String> keys = new ArrayList<>();
        for (String t : tasks()) keys.add("loss_prev." + t);
        for (String t : tasks()) keys.add("loss_prev2." + t);
        keys.add("epochs");
        StrategyState.requireKeys(name(), state, keys);
        int n = previous.length;
        double[] p = new double[n], b = new double[n];
        for (int t = 0; t < n; t++) {
            p[t] = StrategyState.scalarOf(state, keys.get(t));
            b[t] = StrategyState.scalarOf(state, keys.get(n + t));
        }
        long e = StrategyState.longOf(state, "epochs");
        if (e < 0) throw new IllegalArgumentException("dwa: epochs in the state is negative: " + e);
        System.arraycopy(p, 0, previous, 0, n);
        System.arraycopy(b, 0, beforeLast, 0, n);
        epochs = e;
        if (epochs >= 2) recompute();
        else Arrays.fill(weights, 1.0);
    }
}
