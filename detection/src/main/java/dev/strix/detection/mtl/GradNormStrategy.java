package dev.strix.detection.mtl;

import dev.strix.nn.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GradNorm (Chen, Badrinarayanan, Lee, Rabinovich, "GradNorm: Gradient Normalization for Adaptive Loss Balancing
 * in Deep Multitask Networks", ICML 2018): learned task weights {@code w_t} that keep the tasks' gradient
 * magnitudes on the last shared layer W in proportion to how far each task still has to go.
 *
 * <p>Each step, with the weights {@code w_t} of this step:
 * <pre>
 *   model gradient        from  L = sum_t w_t L_t
 *   G_t     = ||grad_W (w_t L_t)|| = w_t ||grad_W L_t||
 *   G_avg   = mean_t G_t
 *   L~_t    = L_t / L_t(0)                (L_t(0): the loss at the first step)
 *   r_t     = L~_t / mean_k L~_k          (inverse training rate)
 *   target_t = G_avg * r_t^alpha          (treated as a constant)
 *   L_grad  = sum_t |G_t - target_t|
 *   dL_grad/dw_t = sign(G_t - target_t) * ||grad_W L_t||
 *   w_t    <- w_t - lr * dL_grad/dw_t,    then w_t <- max(w_t, 1e-4) and w_t <- T w_t / sum_k w_k
 * </pre>
 * The gradient of L_grad with respect to w_t is computed analytically (exact for this L_grad, since only G_t depends
 * on w_t once the target is held constant), and the weights take their own plain SGD step, so they are not trainable
 * parameters of the trainer's optimizer. Options: {@code alpha} (asymmetry, default 1.5), {@code lr} (weight
 * learning rate, default 0.025). The floor of 1e-4 keeps weights positive; renormalisation keeps their sum at the
 * number of tasks T.
 *
 * <p>Cost: one extra backward pass per task through the graph down to W (retained), on top of the model's
 * backward. A step whose gradient norms or loss ratios are not finite leaves the weights unchanged. The weights
 * reported in a step's {@link StepResult} are the ones used for that step; {@link #weights()} returns the updated
 * ones. W is {@link SharedParameters#lastSharedLayer()}, which must not be empty.
 */
public final class GradNormStrategy extends AbstractStrategy {
    /** Smallest weight kept before renormalisation. */
    public static final double MIN_WEIGHT = 1e-4;

    private final double alpha;
    private final double lr;
    private final double[] weights;
    private final double[] initialLosses;
    private boolean initialised;

    public GradNormStrategy(List<String> tasks, double alpha, double lr, boolean measure) {
        super("gradnorm", tasks, measure);
        if (!Double.isFinite(alpha) || alpha < 0)
            throw new IllegalArgumentException("gradnorm: alpha must be finite and >= 0, got " + alpha);
        if (!Double.isFinite(lr) || lr <= 0)
            throw new IllegalArgumentException("gradnorm: lr must be finite and > 0, got " + lr);
        this.alpha = alpha;
        this.lr = lr;
        weights = new double[tasks.size()];
        Arrays.fill(weights, 1.0);
        initialLosses = new double[tasks.size()];
    }

    @Override
    public StepResult backward(Map<String, Tensor> taskLosses, SharedParameters shared, List<Tensor> allTrainable) {
        List<Tensor> losses = lossesInOrder(taskLosses);
        if (shared.lastSharedLayer().isEmpty())
            throw new IllegalStateException("strategy 'gradnorm' needs the last shared layer of a shared trunk "
                    + "(SharedParameters.lastSharedLayer() is empty); with one trunk per task use 'independent'");
        double[] values = values(losses);
        SharedGradientStats stats = measureIfAsked(losses, shared);
        int n = losses.size();
        double[] norms = new double[n];
        for (int t = 0; t < n; t++)
            norms[t] = Math.sqrt(Gradients.sumSquares(Gradients.of(losses.get(t), shared.lastSharedLayer(), true)));
        double[] used = weights.clone();
        double total = backwardWeighted(losses, used, values);
        updateWeights(values, norms);
        return result(total, values, used, stats);
    }

    /** One GradNorm weight update from this step's loss values and unweighted gradient norms ||grad_W L_t||. */
    void updateWeights(double[] lossValues, double[] norms) {
        int n = weights.length;
        if (!initialised) {
            for (double v : lossValues) if (!Double.isFinite(v)) return;
            for (int t = 0; t < n; t++) initialLosses[t] = (float) lossValues[t];
            initialised = true;
        }
        double[] ratio = new double[n];
        double meanRatio = 0;
        for (int t = 0; t < n; t++) {
            ratio[t] = initialLosses[t] > 0 ? lossValues[t] / initialLosses[t] : 1.0;
            meanRatio += ratio[t] / n;
        }
        double gAvg = 0;
        for (int t = 0; t < n; t++) gAvg += weights[t] * norms[t] / n;
        double[] next = weights.clone();
        for (int t = 0; t < n; t++) {
            double r = meanRatio > 0 ? ratio[t] / meanRatio : 1.0;
            double target = gAvg * Math.pow(r, alpha);
            double g = weights[t] * norms[t];
            double grad = Math.signum(g - target) * norms[t];
            next[t] = Math.max(weights[t] - lr * grad, MIN_WEIGHT);
        }
        double sum = 0;
        for (double w : next) sum += w;
        for (double w : next) if (!Double.isFinite(w) || !Double.isFinite(sum)) return;
        // kept in float precision so that a float32 state dict restores them exactly
        for (int t = 0; t < n; t++) weights[t] = (float) (next[t] * n / sum);
    }

    @Override
    public Map<String, Double> weights() {
        return weightMap(weights);
    }

    /** The losses recorded at the first step (L_t(0)); zeros before it. */
    public Map<String, Double> initialLosses() {
        return weightMap(initialLosses);
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int t = 0; t < weights.length; t++) m.put("weight." + tasks().get(t), StrategyState.scalar(weights[t]));
        for (int t = 0; t < weights.length; t++)
            m.put("initial_loss." + tasks().get(t), StrategyState.scalar(initialLosses[t]));
        m.put("initialised", StrategyState.scalarLong(initialised ? 1 : 0));
        return m;
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        List<String> keys = new ArrayList<>();
        for (String t : tasks()) keys.add("weight." + t);
        for (String t : tasks()) keys.add("initial_loss." + t);
        keys.add("initialised");
        StrategyState.requireKeys(name(), state, keys);
        int n = weights.length;
        double[] w = new double[n], l0 = new double[n];
        for (int t = 0; t < n; t++) {
            w[t] = StrategyState.scalarOf(state, keys.get(t));
            l0[t] = StrategyState.scalarOf(state, keys.get(n + t));
        }
        boolean init = StrategyState.longOf(state, "initialised") != 0;
        System.arraycopy(w, 0, weights, 0, n);
        System.arraycopy(l0, 0, initialLosses, 0, n);
        initialised = init;
    }
}
