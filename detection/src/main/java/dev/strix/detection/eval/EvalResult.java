package dev.strix.detection.eval;

import dev.strix.nn.io.Json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Detection metrics of one evaluation. A metric is {@link Double#NaN} when no class has ground truth that
 * counts for it (pycocotools reports -1 there); in JSON such values are {@code null}.
 *
 * @param voc07Map50    Pascal VOC2007 11-point mAP at IoU 0.5
 * @param vocMap50      Pascal VOC2010+ area mAP at IoU 0.5
 * @param cocoAp        COCO AP@[.5:.05:.95], all areas, 100 detections
 * @param ap50          COCO AP at IoU 0.5
 * @param ap75          COCO AP at IoU 0.75
 * @param apSmall       COCO AP@[.5:.95] for objects of area below 32^2
 * @param apMedium      COCO AP@[.5:.95] for objects of area 32^2 to 96^2
 * @param apLarge       COCO AP@[.5:.95] for objects of area above 96^2
 * @param ar1           COCO AR@[.5:.95] with 1 detection per image and class
 * @param ar10          COCO AR with 10 detections
 * @param ar100         COCO AR with 100 detections
 * @param arSmall       COCO AR (100 detections) for small objects
 * @param arMedium      COCO AR (100 detections) for medium objects
 * @param arLarge       COCO AR (100 detections) for large objects
 * @param perClass      one row per class, in class-list order
 * @param prCurves      VOC precision-recall curves at IoU 0.5 of the classes with ground truth, in class-list order
 * @param numImages     images evaluated
 * @param numDetections detections evaluated
 */
public record EvalResult(double voc07Map50, double vocMap50, double cocoAp, double ap50, double ap75, double apSmall,
                         double apMedium, double apLarge, double ar1, double ar10, double ar100, double arSmall,
                         double arMedium, double arLarge, List<ClassMetrics> perClass, List<PrCurve> prCurves,
                         int numImages, int numDetections) {
    public EvalResult {
        perClass = List.copyOf(perClass);
        prCurves = List.copyOf(prCurves);
    }

    /**
     * The metrics as one JSON object on one line, with the keys {@code voc07_map50, voc_map50, coco_ap, ap50, ap75,
     * ap_small, ap_medium, ap_large, ar100, per_class} (class name &rarr; VOC area AP50, {@code null} for classes
     * without ground truth), {@code num_images, num_detections}.
     */
    public String toJson() {
        return Json.write(toJsonMap());
    }

    /** The object {@link #toJson()} writes, as ordered maps (for embedding in a larger document). */
    public Map<String, Object> toJsonMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("voc07_map50", orNull(voc07Map50));
        out.put("voc_map50", orNull(vocMap50));
        out.put("coco_ap", orNull(cocoAp));
        out.put("ap50", orNull(ap50));
        out.put("ap75", orNull(ap75));
        out.put("ap_small", orNull(apSmall));
        out.put("ap_medium", orNull(apMedium));
        out.put("ap_large", orNull(apLarge));
        out.put("ar100", orNull(ar100));
        Map<String, Object> classes = new LinkedHashMap<>();
        for (ClassMetrics c : perClass) classes.put(c.name(), orNull(c.vocAp50()));
        out.put("per_class", classes);
        out.put("num_images", (long) numImages);
        out.put("num_detections", (long) numDetections);
        return out;
    }

    /** A plain-text table: the summary metrics, then one line per class. */
    public String formatTable() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "images %d, detections %d%n", numImages, numDetections));
        s.append(String.format(Locale.ROOT, "VOC07 mAP50 %s   VOC mAP50 %s%n", fmt(voc07Map50), fmt(vocMap50)));
        s.append(String.format(Locale.ROOT, "COCO AP %s   AP50 %s   AP75 %s   APs %s   APm %s   APl %s%n", fmt(cocoAp),
                fmt(ap50), fmt(ap75), fmt(apSmall), fmt(apMedium), fmt(apLarge)));
        s.append(String.format(Locale.ROOT, "COCO AR1 %s   AR10 %s   AR100 %s   ARs %s   ARm %s   ARl %s%n", fmt(ar1),
                fmt(ar10), fmt(ar100), fmt(arSmall), fmt(arMedium), fmt(arLarge)));
        int width = Math.max(5, perClass.stream().mapToInt(c -> c.name().length()).max().orElse(5));
        s.append(String.format(Locale.ROOT, "%-" + width + "s %7s %7s %8s %8s %8s%n", "class", "gt", "dets", "VOC07",
                "VOC", "COCO"));
        for (ClassMetrics c : perClass)
            s.append(String.format(Locale.ROOT, "%-" + width + "s %7d %7d %8s %8s %8s%n", c.name(), c.numGroundTruth(),
                    c.numDetections(), fmt(c.voc07Ap50()), fmt(c.vocAp50()), fmt(c.cocoAp())));
        return s.toString();
    }

    private static Object orNull(double v) {
        return Double.isFinite(v) ? (Object) v : null;
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "   -  " : String.format(Locale.ROOT, "%.4f", v);
    }
}
