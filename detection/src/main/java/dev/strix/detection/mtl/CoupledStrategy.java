package dev.strix.detection.mtl;

import dev.strix.nn.Tensor;

import java.util.List;
import java.util.Map;

/**
 * The detection objective with one coupling weight between classification and localisation:
 * <pre>
 *   L = L_cls + w * L_box + w_ctr * L_ctr
 * </pre>
 * the form {@code L = L_cls + λ L_box} of Faster R-CNN (Ren, He, Girshick, Sun, "Faster R-CNN: Towards Real-Time
 * Object Detection with Region Proposal Networks", NeurIPS 2015, eq. 1) and FCOS (Tian, Shen, Chen, He, "FCOS:
 * Fully Convolutional One-Stage Object Detection", ICCV 2019, eq. 2), plus the auxiliary centerness term with its
 * own weight (FCOS uses 1). Tasks must include {@code cls} and {@code box}; {@code ctr} is optional.
 */
public final class CoupledStrategy extends AbstractStrategy {
    private final double[] weights;

    /**
     * @param tasks     the tasks: cls, box and optionally ctr
     * @param boxWeight w, the weight of the box loss (finite, >= 0)
     * @param ctrWeight w_ctr, the weight of the centerness loss (finite, >= 0)
     */
    public CoupledStrategy(List<String> tasks, double boxWeight, double ctrWeight, boolean measure) {
        super("coupled", tasks, measure);
        if (!tasks.contains("cls") || !tasks.contains("box"))
            throw new IllegalArgumentException("coupled: tasks must include 'cls' and 'box', got " + tasks);
        for (String t : tasks)
            if (!t.equals("cls") && !t.equals("box") && !t.equals("ctr"))
                throw new IllegalArgumentException("coupled: L = L_cls + w L_box + w_ctr L_ctr has no place for task '"
                        + t + "'; use 'weighted' for other task sets");
        check("box_weight", boxWeight);
        check("ctr_weight", ctrWeight);
        weights = new double[tasks.size()];
        for (int t = 0; t < tasks.size(); t++)
            weights[t] = switch (tasks.get(t)) {
                case "cls" -> 1.0;
                case "box" -> boxWeight;
                default -> ctrWeight;
            };
    }

    private static void check(String what, double w) {
        if (!Double.isFinite(w) || w < 0)
            throw new IllegalArgumentException("coupled: " + what + " must be finite and >= 0, got " + w);
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
