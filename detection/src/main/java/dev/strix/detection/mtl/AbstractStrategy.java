package dev.strix.detection.mtl;

import dev.strix.nn.Device;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.MathOps;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** What every strategy shares: the task list, loss-map validation, gradient measurement and step reports. */
abstract class AbstractStrategy implements MtlStrategy {
    private final String name;
    private final List<String> tasks;
    private boolean measure;

    AbstractStrategy(String name, List<String> tasks, boolean measure) {
        if (tasks.isEmpty()) throw new IllegalArgumentException(name + ": the task list is empty");
        if (new TreeSet<>(tasks).size() != tasks.size())
            throw new IllegalArgumentException(name + ": a task is listed twice in " + tasks);
        this.name = name;
        this.tasks = List.copyOf(tasks);
        this.measure = measure;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final List<String> tasks() {
        return tasks;
    }

    @Override
    public final boolean measuresGradients() {
        return measure;
    }

    @Override
    public final void setMeasureGradients(boolean measure) {
        this.measure = measure;
    }

    @Override
    public List<Tensor> extraParameters() {
        return List.of();
    }

    @Override
    public Map<String, Tensor> stateDict() {
        return new LinkedHashMap<>();
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        StrategyState.requireKeys(name, state, List.of());
    }

    @Override
    public void onEpochEnd(Map<String, Double> epochMeanLosses) {}

    @Override
    public void to(Device device) {}

    /** The losses in task order, after checking the key set and that each holds one element. */
    final List<Tensor> lossesInOrder(Map<String, Tensor> taskLosses) {
        if (!new TreeSet<>(taskLosses.keySet()).equals(new TreeSet<>(tasks)))
            throw new IllegalArgumentException("strategy '" + name + "' is configured for tasks " + tasks
                    + " but the step's losses are for " + taskLosses.keySet()
                    + " (set the strategy option 'tasks' to the model's tasks)");
        List<Tensor> out = new ArrayList<>(tasks.size());
        for (String t : tasks) {
            Tensor l = taskLosses.get(t);
            if (l == null) throw new IllegalArgumentException("loss of task '" + t + "' is null");
            if (l.numel() != 1)
                throw new IllegalArgumentException("loss of task '" + t + "' must have one element, shape is "
                        + Arrays.toString(l.shape()));
            out.add(l);
        }
        return out;
    }

    /** The losses' values. */
    static double[] values(List<Tensor> losses) {
        double[] v = new double[losses.size()];
        for (int i = 0; i < v.length; i++) v[i] = losses.get(i).item();
        return v;
    }

    /**
     * Per-task gradients on the shared trunk and their stats when measurement is on (the graph is retained for the
     * strategy's own backward); null when off or when nothing is shared.
     */
    final SharedGradientStats measureIfAsked(List<Tensor> losses, SharedParameters shared) {
        if (!measure || shared.shared().isEmpty()) return null;
        List<List<Tensor>> grads = new ArrayList<>(losses.size());
        for (Tensor l : losses) grads.add(Gradients.of(l, shared.shared(), true));
        return SharedGradientStats.of(grads);
    }

    /**
     * Back-propagates {@code sum_t w_t L_t} into the leaves' {@code .grad} (losses that do not require grad are left
     * out of the graph) and returns its value.
     */
    static double backwardWeighted(List<Tensor> losses, double[] w, double[] lossValues) {
        Tensor total = null;
        double value = 0;
        for (int t = 0; t < losses.size(); t++) {
            value += w[t] * lossValues[t];
            Tensor l = losses.get(t);
            if (!l.requiresGrad()) continue;
            Tensor term = MathOps.scale(l, (float) w[t]);
            total = total == null ? term : MathOps.add(total, term);
        }
        if (total != null) total.backward();
        return value;
    }

    /** The step report; {@code stats} may be null (not measured). */
    final StepResult result(double combined, double[] loss, double[] weight, SharedGradientStats stats) {
        List<TaskGradientStats> out = new ArrayList<>(tasks.size());
        for (int t = 0; t < tasks.size(); t++) {
            Map<String, Double> cos = new LinkedHashMap<>();
            if (stats != null)
                for (int o = 0; o < tasks.size(); o++) if (o != t) cos.put(tasks.get(o), stats.cosines()[t][o]);
            out.add(new TaskGradientStats(tasks.get(t), loss[t], weight[t], stats == null ? Double.NaN : stats.norms()[t], cos));
        }
        return new StepResult(combined, out);
    }

    /** Weights in task order as a map. */
    final Map<String, Double> weightMap(double[] w) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int t = 0; t < tasks.size(); t++) m.put(tasks.get(t), w[t]);
        return m;
    }

    /** The epoch means in task order, after checking every task is present and finite-or-not is the caller's. */
    final double[] epochMeansInOrder(Map<String, Double> epochMeanLosses) {
        double[] v = new double[tasks.size()];
        for (int t = 0; t < v.length; t++) {
            Double d = epochMeanLosses.get(tasks.get(t));
            if (d == null)
                throw new IllegalArgumentException("epoch mean losses lack task '" + tasks.get(t) + "': got "
                        + epochMeanLosses.keySet());
            v[t] = d;
        }
        return v;
    }
}
