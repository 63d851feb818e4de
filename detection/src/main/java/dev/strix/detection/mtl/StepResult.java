package dev.strix.detection.mtl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one {@link MtlStrategy#backward} call reports.
 *
 * @param combinedLoss the value of the objective the strategy back-propagated (for strategies that do not form
 *                     one, the plain sum of the task losses)
 * @param tasks        per-task diagnostics in the strategy's task order
 */
public record StepResult(double combinedLoss, List<TaskGradientStats> tasks) {
    public StepResult {
        tasks = List.copyOf(tasks);
    }

    /** The diagnostics of {@code task}. */
    public TaskGradientStats task(String task) {
        for (TaskGradientStats s : tasks) if (s.task().equals(task)) return s;
        throw new IllegalArgumentException("no task '" + task + "' in this step; tasks are " + taskNames());
    }

    /** Cosine similarity between the shared-trunk gradients of tasks a and b (NaN when not measured). */
    public double cosine(String a, String b) {
        return task(a).cosines().getOrDefault(b, Double.NaN);
    }

    /** True when shared-trunk gradients were measured in this step. */
    public boolean gradientsMeasured() {
        return !tasks.isEmpty() && tasks.get(0).measured();
    }

    /**
     * A flat, ordered view for metric files: {@code loss_<t>}, {@code weight_<t>}, {@code grad_norm_<t>} per task,
     * then {@code cos_<a>_<b>} for each pair a before b in task order (the last two only when measured), and
     * {@code loss_total}.
     */
    public Map<String, Double> toFlatMap() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (TaskGradientStats s : tasks) {
            out.put("loss_" + s.task(), s.loss());
            out.put("weight_" + s.task(), s.weight());
            if (s.measured()) out.put("grad_norm_" + s.task(), s.sharedGradNorm());
        }
        for (int i = 0; i < tasks.size(); i++)
            for (int j = i + 1; j < tasks.size(); j++) {
                Double c = tasks.get(i).cosines().get(tasks.get(j).task());
                if (c != null) out.put("cos_" + tasks.get(i).task() + "_" + tasks.get(j).task(), c);
            }
        out.put("loss_total", combinedLoss);
        return out;
    }

    private List<String> taskNames() {
        return tasks.stream().map(TaskGradientStats::task).toList();
    }
}
