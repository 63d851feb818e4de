package dev.strix.detection.tune;

import dev.strix.nn.io.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one trial of a search or comparison gave; kept as {@code trial.json} in the trial's run folder so that a
 * search started again over the same folder reuses finished trials. Metrics that were not measured are NaN.
 *
 * @param name           the trial folder's name under {@code trials/}
 * @param group          what the trial tests: a grid point ({@code cls=0.5,box=2}) or a strategy name
 * @param fold           the held-out fold, 1-based, or 0 without cross-validation
 * @param failed         true when training stopped (e.g. too many non-finite steps) or could not run
 * @param reason         why it failed ("" when it did not)
 * @param seed           the run seed
 * @param epochs         epochs completed
 * @param steps          optimizer steps taken (skipped ones included)
 * @param skippedSteps   steps skipped for a non-finite loss or gradient
 * @param vocMap50       validation VOC mAP50 (area under the interpolated curve) of the final weights
 * @param voc07Map50     validation VOC07 11-point mAP50
 * @param cocoAp         validation COCO AP@[.5:.95]
 * @param ap50           validation COCO AP50
 * @param ap75           validation COCO AP75
 * @param lossCls        mean training loss of the last epoch, classification
 * @param lossBox        box regression
 * @param lossCtr        centerness
 * @param meanCosine     mean cosine similarity of the task gradients on the shared trunk, over the task pairs and
 *                       the epochs that measured it (NaN without a shared trunk or measurement)
 * @param seconds        training time (with validation) over all sessions of the trial
 * @param lossPerEpoch   {@code [epochs]} the sum of the three task losses per epoch (comparable between strategies,
 *                       unlike each strategy's own weighted objective)
 */
public record TrialOutcome(String name, String group, int fold, boolean failed, String reason, long seed, int epochs,
                           long steps, long skippedSteps, double vocMap50, double voc07Map50, double cocoAp, double ap50,
                           double ap75, double lossCls, double lossBox, double lossCtr, double meanCosine, double seconds,
                           double[] lossPerEpoch) {
    /** The file in the trial folder. */
    public static final String FILE = "trial.json";

    public TrialOutcome {
        reason = reason == null ? "" : reason;
        lossPerEpoch = lossPerEpoch == null ? new double[0] : lossPerEpoch.clone();
    }

    /** A trial that could not finish. */
    public static TrialOutcome failure(String name, String group, int fold, long seed, String reason, int epochs,
                                       long steps, double seconds, double[] lossPerEpoch) {
        double nan = Double.NaN;
        return new TrialOutcome(name, group, fold, true, reason, seed, epochs, steps, 0, nan, nan, nan, nan, nan, nan, nan,
                nan, nan, seconds, lossPerEpoch);
    }

    @Override
    public double[] lossPerEpoch() {
        return lossPerEpoch.clone();
    }

    /** As JSON (NaN as null). */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("group", group);
        m.put("fold", (long) fold);
        m.put("failed", failed);
        m.put("reason", reason);
        m.put("seed", seed);
        m.put("epochs", (long) epochs);
        m.put("steps", steps);
        m.put("skipped_steps", skippedSteps);
        m.put("voc_map50", num(vocMap50));
        m.put("voc07_map50", num(voc07Map50));
        m.put("coco_ap", num(cocoAp));
        m.put("ap50", num(ap50));
        m.put("ap75", num(ap75));
        m.put("loss_cls", num(lossCls));
        m.put("loss_box", num(lossBox));
        m.put("loss_ctr", num(lossCtr));
        m.put("mean_cosine", num(meanCosine));
        m.put("seconds", num(seconds));
        List<Object> losses = new ArrayList<>();
        for (double v : lossPerEpoch) losses.add(num(v));
        m.put("loss_per_epoch", losses);
        return Json.writePretty(m, 2) + "\n";
    }

    /** Reads {@link #toJson()}. @throws IllegalArgumentException for a malformed document */
    public static TrialOutcome fromJson(String json) {
        try {
            Map<String, Object> m = Json.asObject(Json.parse(json), "trial");
            List<Object> l = Json.requireList(m, "loss_per_epoch");
            double[] losses = new double[l.size()];
            for (int i = 0; i < losses.length; i++) losses[i] = l.get(i) == null ? Double.NaN : ((Number) l.get(i)).doubleValue();
            return new TrialOutcome(Json.requireString(m, "name"), Json.requireString(m, "group"),
                    (int) Json.requireLong(m, "fold"), Json.requireBoolean(m, "failed"), Json.requireString(m, "reason"),
                    Json.requireLong(m, "seed"), (int) Json.requireLong(m, "epochs"), Json.requireLong(m, "steps"),
                    Json.requireLong(m, "skipped_steps"), dbl(m, "voc_map50"), dbl(m, "voc07_map50"), dbl(m, "coco_ap"),
                    dbl(m, "ap50"), dbl(m, "ap75"), dbl(m, "loss_cls"), dbl(m, "loss_box"), dbl(m, "loss_ctr"),
                    dbl(m, "mean_cosine"), dbl(m, "seconds"), losses);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed " + FILE + ": " + e.getMessage(), e);
        }
    }

    private static Object num(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static double dbl(Map<String, Object> m, String key) {
        return m.get(key) == null ? Double.NaN : Json.requireDouble(m, key);
    }
}
