package dev.strix.detection.mtl;

import dev.strix.nn.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Independent training: every task has its own parameters and they are optimised on that task's loss only,
 * <pre>
 *   θ_t  receives  dL_t/dθ_t          for every task t
 * </pre>
 * i.e. T single-task models trained side by side with one optimizer (the "single-task" / "independent" baseline
 * of multi-task studies, e.g. Kendall et al., CVPR 2018, and Standley et al., "Which Tasks Should Be Learned
 * Together in Multi-task Learning?", ICML 2020). Each task's loss is back-propagated only into the parameters the
 * model lists for that task ({@link SharedParameters#taskParameters()}); a parameter listed for several tasks
 * (e.g. one tower for box and centerness) receives the sum of their gradients.
 *
 * <p>Requires the model built in independent sharing mode (one trunk per task, so {@link SharedParameters#shared()}
 * is empty); with a shared trunk there is no way to optimise the trunk on one loss only, and {@link #backward}
 * refuses with an explanation. Every trainable parameter must belong to at least one task. Gradient measurement
 * reports NaN norms: there is no shared trunk.
 */
public final class IndependentStrategy extends AbstractStrategy {
    public IndependentStrategy(List<String> tasks, boolean measure) {
        super("independent", tasks, measure);
    }

    @Override
    public StepResult backward(Map<String, Tensor> taskLosses, SharedParameters shared, List<Tensor> allTrainable) {
        List<Tensor> losses = lossesInOrder(taskLosses);
        if (!shared.isIndependent())
            throw new IllegalStateException("strategy 'independent' needs the model built in independent sharing mode "
                    + "(one trunk per task), but this model shares " + shared.shared().size() + " parameter tensors "
                    + "between all tasks; build the model with independent sharing or choose another strategy "
                    + "(e.g. 'weighted')");
        checkOwnership(shared, allTrainable);
        double[] values = values(losses);
        int last = -1;
        for (int t = 0; t < losses.size(); t++) if (losses.get(t).requiresGrad()) last = t;
        for (int t = 0; t <= last; t++) {
            Tensor loss = losses.get(t);
            if (!loss.requiresGrad()) continue;
            List<Tensor> own = shared.parametersOf(tasks().get(t));
            if (own.isEmpty()) continue;
            List<Tensor> g = Gradients.of(loss, own, t < last);
            for (int i = 0; i < own.size(); i++) Gradients.accumulate(own.get(i), g.get(i));
        }
        double[] ones = new double[values.length];
        Arrays.fill(ones, 1.0);
        double total = 0;
        for (double v : values) total += v;
        return result(total, values, ones, null);
    }

    private void checkOwnership(SharedParameters shared, List<Tensor> allTrainable) {
        List<Tensor> owned = new ArrayList<>();
        for (String t : tasks()) owned.addAll(shared.parametersOf(t));
        Set<Tensor> ownedSet = SharedParameters.identitySet(owned);
        int orphans = 0;
        Tensor example = null;
        for (Tensor p : allTrainable)
            if (!ownedSet.contains(p)) {
                orphans++;
                if (example == null) example = p;
            }
        if (orphans > 0)
            throw new IllegalStateException("strategy 'independent': " + orphans + " trainable parameter tensors belong "
                    + "to no task (first: " + example + "); every parameter must be listed for a task");
    }

    @Override
    public Map<String, Double> weights() {
        double[] ones = new double[tasks().size()];
        Arrays.fill(ones, 1.0);
        return weightMap(ones);
    }
}
