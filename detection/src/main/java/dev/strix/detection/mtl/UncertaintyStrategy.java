package dev.strix.detection.mtl;

import dev.strix.nn.CpuDevice;
import dev.strix.nn.Device;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.MathOps;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Homoscedastic-uncertainty weighting (Kendall, Gal, Cipolla, "Multi-Task Learning Using Uncertainty to Weigh
 * Losses for Scene Geometry and Semantics", CVPR 2018). Each task has a learned log-variance {@code s_t = log σ_t²}
 * and the objective is
 * <pre>
 *   L = sum_t exp(-s_t) L_t + s_t
 * </pre>
 * so a task's effective weight is {@code exp(-s_t)} and the {@code + s_t} term keeps the variances from growing
 * without bound. The paper derives {@code 1/(2σ²) L + log σ} for Gaussian (regression) likelihoods and
 * {@code 1/σ² L + log σ} for classification; like most implementations (and the paper's own reparametrisation in
 * terms of s), this class uses the common form {@code exp(-s) L + s} for every task: the regression variant
 * {@code 0.5 exp(-s) L + 0.5 s} only rescales that task's objective by 1/2.
 *
 * <p>Gradients: {@code dL/dθ = sum_t exp(-s_t) dL_t/dθ} and {@code dL/ds_t = 1 - exp(-s_t) L_t}. The {@code s_t}
 * are 0-d tensors returned by {@link #extraParameters()}: the trainer adds them to its optimizer without weight
 * decay (and must call {@link #to} with the model's device first). Initial value: option {@code init_log_var}
 * (default 0, i.e. all weights 1).
 */
public final class UncertaintyStrategy extends AbstractStrategy {
    private final List<Tensor> logVars = new ArrayList<>();

    public UncertaintyStrategy(List<String> tasks, double initLogVar, boolean measure) {
        super("uncertainty", tasks, measure);
        if (!Double.isFinite(initLogVar))
            throw new IllegalArgumentException("uncertainty: init_log_var must be finite, got " + initLogVar);
        for (String t : tasks)
            logVars.add(Tensor.full(CpuDevice.INSTANCE, (float) initLogVar).requiresGrad(true).label("log_var." + t));
    }

    @Override
    public StepResult backward(Map<String, Tensor> taskLosses, SharedParameters shared, List<Tensor> allTrainable) {
        List<Tensor> losses = lossesInOrder(taskLosses);
        for (int t = 0; t < losses.size(); t++)
            if (losses.get(t).device() != logVars.get(t).device())
                throw new IllegalStateException("uncertainty: the log-variances live on " + logVars.get(t).device().name()
                        + " but the losses on " + losses.get(t).device().name() + "; call to(device) before building the optimizer");
        double[] values = values(losses);
        SharedGradientStats stats = measureIfAsked(losses, shared);
        double[] weights = new double[values.length];
        double value = 0;
        Tensor total = null;
        for (int t = 0; t < losses.size(); t++) {
            Tensor s = logVars.get(t);
            double sv = s.item();
            weights[t] = Math.exp(-sv);
            value += weights[t] * values[t] + sv;
            Tensor term = MathOps.add(MathOps.mul(MathOps.exp(MathOps.neg(s)), losses.get(t)), s);
            total = total == null ? term : MathOps.add(total, term);
        }
        total.backward();
        return result(value, values, weights, stats);
    }

    @Override
    public List<Tensor> extraParameters() {
        return List.copyOf(logVars);
    }

    @Override
    public Map<String, Double> weights() {
        double[] w = new double[logVars.size()];
        for (int t = 0; t < w.length; t++) w[t] = Math.exp(-logVars.get(t).item());
        return weightMap(w);
    }

    /** The current log-variance s_t of each task. */
    public Map<String, Double> logVariances() {
        double[] s = new double[logVars.size()];
        for (int t = 0; t < s.length; t++) s[t] = logVars.get(t).item();
        return weightMap(s);
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int t = 0; t < logVars.size(); t++) m.put("log_var." + tasks().get(t), StrategyState.scalar(logVars.get(t).item()));
        return m;
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        List<String> keys = tasks().stream().map(t -> "log_var." + t).toList();
        StrategyState.requireKeys(name(), state, keys);
        double[] v = new double[keys.size()];
        for (int t = 0; t < v.length; t++) v[t] = StrategyState.scalarOf(state, keys.get(t));
        for (int t = 0; t < v.length; t++) logVars.get(t).device().fill(logVars.get(t), (float) v[t]);
    }

    @Override
    public void to(Device device) {
        for (int t = 0; t < logVars.size(); t++) {
            Tensor s = logVars.get(t);
            if (s.device() == device) continue;
            logVars.set(t, Tensor.from(device, s.toArray(), s.shape()).requiresGrad(true).label(s.label()));
        }
    }
}
