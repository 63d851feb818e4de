package dev.strix.detection.eval;

import dev.strix.detection.data.Box;
import dev.strix.detection.data.Detection;
import dev.strix.detection.data.ImageAnnotation;
import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.nn.io.Json;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-built scenes whose VOC and COCO numbers follow from the definitions by hand. */
class EvaluatorTest {
    /** Results are exact up to the devkits' 1e-16 guards (eps, np.spacing(1)) and rounding of a few divisions. */
    private static final double TOL = 1e-12;
    private static final List<String> ONE_CLASS = List.of("thing");

    private static ImageAnnotation image(String id, ObjectAnnotation... objects) {
        return new ImageAnnotation(id, null, 640, 480, List.of(objects));
    }

    private static ObjectAnnotation gt(float x1, float y1, float x2, float y2) {
        return ObjectAnnotation.of(new Box(x1, y1, x2, y2), 0);
    }

    private static Detection det(String image, float x1, float y1, float x2, float y2, float score) {
        return new Detection(image, new Box(x1, y1, x2, y2), 0, score);
    }

    private static void close(String what, double expected, double actual) {
        assertEquals(expected, actual, TOL, what);
    }

    @Test
    void perfectDetectionsScoreOne() {
        List<ImageAnnotation> images = List.of(
                image("a", gt(10, 10, 60, 80), gt(100, 100, 300, 260)),
                image("b", new ObjectAnnotation(new Box(5, 5, 20, 25), 1, false, false, false)),
                image("c"));
        List<Detection> dets = List.of(det("a", 10, 10, 60, 80, 0.9f), det("a", 100, 100, 300, 260, 0.8f),
                new Detection("b", new Box(5, 5, 20, 25), 1, 0.7f));
        EvalResult r = Evaluator.evaluate(images, List.of("x", "y"), dets);
        double[] all = {r.voc07Map50(), r.vocMap50(), r.cocoAp(), r.ap50(), r.ap75(), r.ar10(), r.ar100()};
        for (double v : all) close("perfect", 1.0, v);
        close("AR1: one detection per image and class finds one of the two x objects in image a", (0.5 + 1) / 2, r.ar1());
        close("small", 1.0, r.apSmall());   // 15 x 20 = 300 < 32^2
        close("medium", 1.0, r.apMedium()); // 50 x 70 = 3500
        close("large", 1.0, r.apLarge());   // 200 x 160 = 32000
        assertEquals(3, r.numImages());
        assertEquals(3, r.numDetections());
    }

    @Test
    void falsePositiveRankedAboveTwoTruePositives() {
        // ranked: FP, TP, TP -> recall [0, 1/2, 1], precision [0, 1/2, 2/3]; the envelope is 2/3 everywhere
        List<ImageAnnotation> images = List.of(image("a", gt(0, 0, 50, 50), gt(100, 0, 150, 50)));
        List<Detection> dets = List.of(det("a", 200, 200, 250, 250, 0.9f), det("a", 0, 0, 50, 50, 0.8f),
                det("a", 100, 0, 150, 50, 0.7f));
        EvalResult r = Evaluator.evaluate(images, ONE_CLASS, dets);
        close("VOC area", 2.0 / 3, r.vocMap50());
        close("VOC07", 2.0 / 3, r.voc07Map50());
        close("COCO AP", 2.0 / 3, r.cocoAp());
        close("AR100", 1.0, r.ar100());
        close("AR1: the top detection is the FP", 0.0, r.ar1());
        PrCurve curve = r.prCurves().getFirst();
        assertEquals(List.of(0.0, 0.5, 1.0), List.of(curve.recall()[0], curve.recall()[1], curve.recall()[2]));
        close("precision[1]", 0.5, curve.precision()[1]);
        close("precision[2]", 2.0 / 3, curve.precision()[2]);
    }

    @Test
    void secondDetectionOfTheSameObjectIsFalsePositive() {
        // ranked: A (TP), A again (FP), B (TP) -> recall [1/2, 1/2, 1], precision [1, 1/2, 2/3]
        List<ImageAnnotation> images = List.of(image("a", gt(0, 0, 50, 50), gt(100, 0, 150, 50)));
        List<Detection> dets = List.of(det("a", 0, 0, 50, 50, 0.9f), det("a", 1, 1, 50, 50, 0.8f),
                det("a", 100, 0, 150, 50, 0.7f));
        EvalResult r = Evaluator.evaluate(images, ONE_CLASS, dets);
        close("VOC area: 0.5 * 1 + 0.5 * 2/3", 5.0 / 6, r.vocMap50());
        close("VOC07: t = 0..0.5 -> 1 (6 points), t = 0.6..1 -> 2/3 (5 points)", (6 + 5 * 2.0 / 3) / 11, r.voc07Map50());
        // COCO: envelope [1, 2/3, 2/3]; recall thresholds 0..0.50 (51 of them) -> 1, 0.51..1 (50) -> 2/3
        close("AP50", (51 + 50 * 2.0 / 3) / 101, r.ap50());
    }

    @Test
    void difficultObjectsAreNeitherTrueNorFalsePositives() {
        ObjectAnnotation difficult = new ObjectAnnotation(new Box(100, 100, 200, 200), 0, true, false, false);
        List<ImageAnnotation> images = List.of(image("a", gt(0, 0, 50, 50), difficult));
        List<Detection> dets = List.of(det("a", 100, 100, 200, 200, 0.95f), det("a", 102, 100, 200, 200, 0.93f),
                det("a", 0, 0, 50, 50, 0.9f));
        EvalResult r = Evaluator.evaluate(images, ONE_CLASS, dets);
        assertEquals(1, r.perClass().getFirst().numGroundTruth(), "difficult object not counted in npos");
        close("VOC area", 1.0, r.vocMap50());
        close("VOC07", 1.0, r.voc07Map50());
        PrCurve curve = r.prCurves().getFirst();
        close("no TP and no FP yet after two detections on the difficult object", 0.0, curve.precision()[1]);
        // COCO: a difficult object is ignored like an object outside the area range; it absorbs one detection, the
        // second one is a false positive (only crowd regions absorb several): ranked ignored, FP, TP -> 1/2
        close("COCO AP", 0.5, r.cocoAp());
        EvalResult once = Evaluator.evaluate(images, ONE_CLASS, List.of(dets.get(0), dets.get(2)));
        close("COCO AP with one detection on the difficult object", 1.0, once.cocoAp());
    }

    @Test
    void classWithOnlyDifficultOrNoObjectsIsExcludedFromTheMean() {
        ObjectAnnotation difficult = new ObjectAnnotation(new Box(100, 100, 200, 200), 1, true, false, false);
        List<ImageAnnotation> images = List.of(image("a", gt(0, 0, 50, 50), difficult));
        List<Detection> dets = List.of(det("a", 0, 0, 50, 50, 0.9f), new Detection("a", new Box(100, 100, 200, 200), 1, 0.9f),
                new Detection("a", new Box(300, 300, 400, 400), 2, 0.9f));
        EvalResult r = Evaluator.evaluate(images, List.of("p", "q", "r"), dets);
        close("mean over class p only", 1.0, r.vocMap50());
        close("COCO mean over class p only", 1.0, r.cocoAp());
        for (int k = 1; k < 3; k++) {
            ClassMetrics row = r.perClass().get(k);
            assertTrue(Double.isNaN(row.vocAp50()) && Double.isNaN(row.voc07Ap50()) && Double.isNaN(row.cocoAp()), row.toString());
        }
        assertEquals(1, r.prCurves().size());
        Map<String, Object> json = Json.asObject(Json.parse(r.toJson()), "json");
        Map<String, Object> perClass = Json.requireObject(json, "per_class");
        assertEquals(1.0, perClass.get("p"));
        assertTrue(perClass.containsKey("q") && perClass.get("q") == null);
    }

    @Test
    void nothingToScoreGivesNaNAndNullInJson() {
        EvalResult r = Evaluator.evaluate(List.of(image("a")), ONE_CLASS, List.of(det("a", 0, 0, 5, 5, 0.5f)));
        assertTrue(Double.isNaN(r.vocMap50()) && Double.isNaN(r.cocoAp()) && Double.isNaN(r.ar100()));
        Map<String, Object> json = Json.asObject(Json.parse(r.toJson()), "json");
        assertTrue(json.containsKey("voc_map50") && json.get("voc_map50") == null);
        assertEquals(List.of("voc07_map50", "voc_map50", "coco_ap", "ap50", "ap75", "ap_small", "ap_medium", "ap_large",
                "ar100", "per_class", "num_images", "num_detections"), new ArrayList<>(json.keySet()));
    }

    @Test
    void missedObjectsWithoutDetectionsScoreZero() {
        EvalResult r = Evaluator.evaluate(List.of(image("a", gt(0, 0, 50, 50))), ONE_CLASS, List.of());
        close("VOC", 0.0, r.vocMap50());
        close("VOC07", 0.0, r.voc07Map50());
        close("COCO", 0.0, r.cocoAp());
        close("AR", 0.0, r.ar100());
    }

    @Test
    void crowdRegionsAbsorbDetectionsInCocoAndActAsDifficultInVoc() {
        ObjectAnnotation crowd = new ObjectAnnotation(new Box(100, 0, 300, 200), 0, false, false, true);
        List<ImageAnnotation> images = List.of(image("a", gt(0, 0, 50, 50), crowd));
        // three detections inside the crowd box: crowd IoU = intersection / detection area = 1, several may match;
        // their ordinary IoU is 0.25, so for VOC they miss the (difficult) crowd object and are false positives
        List<Detection> dets = List.of(det("a", 150, 50, 250, 150, 0.95f), det("a", 110, 10, 210, 110, 0.92f),
                det("a", 190, 90, 290, 190, 0.91f), det("a", 0, 0, 50, 50, 0.9f));
        EvalResult r = Evaluator.evaluate(images, ONE_CLASS, dets);
        close("COCO AP", 1.0, r.cocoAp());
        close("AR100", 1.0, r.ar100());
        assertEquals(1, r.perClass().getFirst().numGroundTruth());
        // VOC: FP, FP, FP, TP -> recall reaches 1 at precision 1/4
        close("VOC area", 0.25, r.vocMap50());
        // the same detections with a plain object instead of a crowd region are false positives for COCO as well
        List<ImageAnnotation> plain = List.of(image("a", gt(0, 0, 50, 50), gt(100, 0, 300, 200)));
        EvalResult p = Evaluator.evaluate(plain, ONE_CLASS, dets);
        close("COCO AR100 without crowd flag: one of two objects found", 0.5, p.ar100());
    }

    @Test
    void crowdRegionDoesNotAbsorbADetectionThatMostlyLiesOutside() {
        ObjectAnnotation crowd = new ObjectAnnotation(new Box(100, 0, 300, 200), 0, false, false, true);
        List<ImageAnnotation> images = List.of(image("a", gt(0, 0, 50, 50), crowd));
        // 20 x 100 of this 100 x 100 detection lies in the crowd box: crowd IoU 0.2 < 0.5 -> false positive
        List<Detection> dets = List.of(det("a", 280, 0, 380, 100, 0.95f), det("a", 0, 0, 50, 50, 0.9f));
        EvalResult r = Evaluator.evaluate(images, ONE_CLASS, dets);
        close("COCO AP: precision 1/2 at every recall threshold", 0.5, r.cocoAp());
    }

    @Test
    void areaRangesSplitObjectsBySizeWithInclusiveBounds() {
        // small 10x10 (100), boundary 32x32 (1024: both small and medium), medium 50x50, large 200x200
        List<ImageAnnotation> images = List.of(image("a", gt(0, 0, 10, 10), gt(20, 0, 52, 32), gt(60, 0, 110, 50),
                gt(200, 200, 400, 400)));
        List<Detection> dets = List.of(det("a", 0, 0, 10, 10, 0.9f), det("a", 20, 0, 52, 32, 0.8f),
                det("a", 200, 200, 400, 400, 0.7f));
        EvalResult r = Evaluator.evaluate(images, ONE_CLASS, dets);
        close("AP small", 1.0, r.apSmall());
        close("AR small", 1.0, r.arSmall());
        // medium: the 32x32 object found first, then two detections of other sizes (ignored), the 50x50 object missed
        // -> recall 1/2 with precision 1: thresholds 0..0.50 (51 of 101) give 1
        close("AP medium", 51.0 / 101, r.apMedium());
        close("AR medium", 0.5, r.arMedium());
        close("AP large", 1.0, r.apLarge());
        // all: recall 1/4, 2/4, 3/4 at precision 1; thresholds 0..0.75 -> 76 of 101
        close("AP all", 76.0 / 101, r.cocoAp());
        close("AR100", 0.75, r.ar100());
    }

    @Test
    void onlyTheHundredBestDetectionsPerImageAndClassCount() {
        List<ImageAnnotation> images = List.of(image("a", gt(0, 0, 20, 20)));
        List<Detection> dets = new ArrayList<>();
        for (int i = 0; i < 100; i++) dets.add(det("a", 30 + 5 * i, 300, 34 + 5 * i, 304, 0.9f - i * 0.001f));
        dets.add(det("a", 0, 0, 20, 20, 0.5f));
        EvalResult r = Evaluator.evaluate(images, ONE_CLASS, dets);
        close("COCO AP: the true positive is detection 101", 0.0, r.cocoAp());
        close("AR100", 0.0, r.ar100());
        close("VOC keeps every detection: recall 1 at precision 1/101", 1.0 / 101, r.vocMap50());

        List<Detection> fewer = new ArrayList<>(dets.subList(90, 101)); // 10 FPs above the TP
        EvalResult f = Evaluator.evaluate(images, ONE_CLASS, fewer);
        close("AR1", 0.0, f.ar1());
        close("AR10", 0.0, f.ar10());
        close("AR100", 1.0, f.ar100());
        close("AP: recall 1 at precision 1/11", 1.0 / 11, f.cocoAp());
    }

    @Test
    void vocNeedsIouStrictlyAboveHalfWhileCocoAcceptsEqual() {
        // IoU exactly 0.5 in both conventions: inclusive [1..10] vs [1..20] wide, same height -> 100 / 200
        List<ImageAnnotation> images = List.of(image("a", gt(0, 0, 10, 10)));
        EvalResult r = Evaluator.evaluate(images, ONE_CLASS, List.of(det("a", 0, 0, 20, 10, 0.9f)));
        close("VOC: ovmax > 0.5 fails", 0.0, r.vocMap50());
        close("AP50: iou >= 0.5 matches", 1.0, r.ap50());
        close("AP75", 0.0, r.ap75());
        close("AP over ten thresholds", 0.1, r.cocoAp());
    }

    @Test
    void detectionGoesToTheHighestIouObjectEvenWhenTaken() {
        // VOC: the second detection's best object is A (taken) -> FP, even though it also overlaps B above 0.5
        List<ImageAnnotation> images = List.of(image("a", gt(0, 0, 100, 100), gt(10, 0, 110, 100)));
        List<Detection> dets = List.of(det("a", 0, 0, 100, 100, 0.9f), det("a", 3, 0, 103, 100, 0.8f));
        EvalResult r = Evaluator.evaluate(images, ONE_CLASS, dets);
        // ranked TP, FP -> recall [1/2, 1/2]: area AP 0.5
        close("VOC area", 0.5, r.vocMap50());
        // COCO takes the best still-free object instead: both found at IoU 0.5 (IoU with B = 93/107)
        close("AP50", 1.0, r.ap50());
    }

    @Test
    void rejectsDetectionsOfUnknownImagesAndClasses() {
        List<ImageAnnotation> images = List.of(image("a", gt(0, 0, 10, 10)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Evaluator.evaluate(images, ONE_CLASS, List.of(det("zz", 0, 0, 5, 5, 0.5f))));
        assertTrue(e.getMessage().contains("'zz'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(images, ONE_CLASS,
                List.of(new Detection("a", new Box(0, 0, 5, 5), 3, 0.5f))));
        assertTrue(e.getMessage().contains("class index 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Evaluator.evaluate(images, ONE_CLASS, List.of(det("a", 0, 0, 5, 5, Float.NaN))));
        assertTrue(e.getMessage().contains("score"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Evaluator.evaluate(List.of(image("a"), image("a")), ONE_CLASS, List.of()));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    @Test
    void elevenPointAndAreaOnAStaircaseComputedByHand() {
        // five objects; precision-recall after each of six ranked detections
        double[] recall = {1 / 5.0, 2 / 5.0, 2 / 5.0, 3 / 5.0, 3 / 5.0, 4 / 5.0};
        double[] precision = {1.0, 1.0, 2 / 3.0, 3 / 4.0, 3 / 5.0, 4 / 6.0};
        // envelope: 1, 1, 3/4, 3/4, 2/3, 2/3; area = 0.2 * (1 + 1 + 3/4 + 2/3) + 0.2 * 0 (recall 0.8 -> 1)
        close("area", 0.2 * (1 + 1 + 0.75 + 2 / 3.0), VocAveragePrecision.area(recall, precision));
        // 11-point: t = 0, .1, .2, .3, .4 -> 1; t = .5 -> 3/4; t = 6 * 0.1 = 0.6000000000000001 > 3/5, so only
        // recall 0.8 reaches it (as in the devkit's numpy arange) -> 2/3; t = .7, .8 -> 2/3; t = .9, 1 -> 0
        close("11-point", (5 * 1.0 + 0.75 + 3 * (2 / 3.0)) / 11, VocAveragePrecision.elevenPoint(recall, precision));
        close("empty curve", 0.0, VocAveragePrecision.area(new double[0], new double[0]));
        close("empty curve 11-point", 0.0, VocAveragePrecision.elevenPoint(new double[0], new double[0]));
    }

    @Test
    void tiedScoresKeepInputOrder() {
        // same score: FP listed first, then TP -> ranked FP, TP -> area AP 0.5; swapped input order -> 1
        List<ImageAnnotation> images = List.of(image("a", gt(0, 0, 50, 50)));
        Detection fp = det("a", 300, 300, 350, 350, 0.5f);
        Detection tp = det("a", 0, 0, 50, 50, 0.5f);
        close("FP first", 0.5, Evaluator.evaluate(images, ONE_CLASS, List.of(fp, tp)).vocMap50());
        close("TP first", 1.0, Evaluator.evaluate(images, ONE_CLASS, List.of(tp, fp)).vocMap50());
        close("COCO, FP first", 0.5, Evaluator.evaluate(images, ONE_CLASS, List.of(fp, tp)).cocoAp());
    }
}
