package dev.strix.detection.mtl;

import java.util.Map;

/**
 * Diagnostics of one task at one training step.
 *
 * @param task           the task name
 * @param loss           the task's loss value
 * @param weight         the weight the task's loss had in this step's combination (1 where the strategy does not
 *                       weight losses)
 * @param sharedGradNorm L2 norm of the task's unweighted loss gradient on the shared trunk,
 *                       {@code ||dL_t/dθ_shared||}; NaN when not measured or when there is no shared trunk
 * @param cosines        cosine similarity between this task's shared-trunk gradient and each other task's
 *                       (keyed by the other task; 0 where either gradient is zero); empty when not measured
 */
public record TaskGradientStats(String task, double loss, double weight, double sharedGradNorm,
                                Map<String, Double> cosines) {
    public TaskGradientStats {
        cosines = Map.copyOf(cosines);
    }

    /** True when the shared-trunk gradient was measured for this step. */
    public boolean measured() {
        return !Double.isNaN(sharedGradNorm);
    }
}
