package dev.strix.detection.eval;

import dev.strix.detection.data.Box;
import dev.strix.detection.data.Detection;
import dev.strix.detection.data.ImageAnnotation;
import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.nn.io.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compares the evaluator with an independent numpy implementation of the VOC devkit's voc_eval and of pycocotools'
 * COCOeval on 30 random scenes (difficult and crowd objects, tied scores, a class without ground truth, an image
 * with more than 100 detections of one class). Regenerate the fixture with
 * {@code /usr/bin/python3 detection/src/test/python/make_eval_fixture.py}.
 */
class EvaluatorFixtureTest {
    /** Both sides compute in float64 from identical float32 inputs; only summation order differs (~1e-15). */
    private static final double TOL = 1e-6;
    private static final String FIXTURE = "/fixtures/eval/random_scenes.json";

    private static Map<String, Object> doc;
    private static Map<String, Object> expected;
    private static List<String> classNames;
    private static EvalResult result;

    @BeforeAll
    static void evaluateFixture() throws IOException {
        try (InputStream in = EvaluatorFixtureTest.class.getResourceAsStream(FIXTURE)) {
            assertNotNull(in, FIXTURE + " missing: regenerate with detection/src/test/python/make_eval_fixture.py");
            doc = Json.asObject(Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)), "fixture");
        }
        expected = Json.requireObject(doc, "expected");
        classNames = new ArrayList<>();
        for (Object o : Json.requireList(doc, "class_names")) classNames.add((String) o);
        List<ImageAnnotation> images = new ArrayList<>();
        for (Object o : Json.requireList(doc, "images")) {
            Map<String, Object> im = Json.asObject(o, "image");
            List<ObjectAnnotation> objects = new ArrayList<>();
            for (Object ob : Json.requireList(im, "objects")) {
                Map<String, Object> obj = Json.asObject(ob, "object");
                objects.add(new ObjectAnnotation(box(Json.requireList(obj, "box")), (int) Json.requireLong(obj, "class"),
                        Json.requireBoolean(obj, "difficult"), false, Json.requireBoolean(obj, "crowd")));
            }
            images.add(new ImageAnnotation(Json.requireString(im, "id"), null, (int) Json.requireLong(im, "width"),
                    (int) Json.requireLong(im, "height"), objects));
        }
        List<Detection> detections = new ArrayList<>();
        for (Object o : Json.requireList(doc, "detections")) {
            Map<String, Object> d = Json.asObject(o, "detection");
            detections.add(new Detection(Json.requireString(d, "image_id"), box(Json.requireList(d, "box")),
                    (int) Json.requireLong(d, "class"), (float) Json.requireDouble(d, "score")));
        }
        result = Evaluator.evaluate(images, classNames, detections);
    }

    private static Box box(List<Object> v) {
        // the fixture stores float32 values; the double -> float cast is exact
        return new Box(f(v.get(0)), f(v.get(1)), f(v.get(2)), f(v.get(3)));
    }

    private static float f(Object o) {
        return ((Number) o).floatValue();
    }

    @Test
    void vocMeansMatchDevkit() {
        assertClose("voc07_map50", Json.requireDouble(expected, "voc07_map50"), result.voc07Map50());
        assertClose("voc_map50", Json.requireDouble(expected, "voc_map50"), result.vocMap50());
    }

    @Test
    void vocPerClassMatchesDevkit() {
        List<Object> ap07 = Json.requireList(expected, "per_class_voc07");
        List<Object> ap = Json.requireList(expected, "per_class_voc");
        List<Object> npos = Json.requireList(expected, "per_class_npos");
        for (int k = 0; k < classNames.size(); k++) {
            ClassMetrics row = result.perClass().get(k);
            assertEquals(((Number) npos.get(k)).intValue(), row.numGroundTruth(), "npos of class " + k);
            if (ap.get(k) == null) {
                assertTrue(Double.isNaN(row.vocAp50()) && Double.isNaN(row.voc07Ap50()), "class " + k + " has no GT: NaN");
            } else {
                assertClose("VOC07 AP of class " + k, ((Number) ap07.get(k)).doubleValue(), row.voc07Ap50());
                assertClose("VOC AP of class " + k, ((Number) ap.get(k)).doubleValue(), row.vocAp50());
            }
        }
    }

    @Test
    void prCurvesMatchDevkit() {
        List<Object> curves = Json.requireList(expected, "pr_curves");
        int n = 0;
        for (int k = 0; k < classNames.size(); k++) {
            if (curves.get(k) == null) continue;
            Map<String, Object> c = Json.asObject(curves.get(k), "curve");
            PrCurve curve = result.prCurves().get(n++);
            assertEquals(classNames.get(k), curve.className());
            assertArrayClose("recall of class " + k, Json.requireList(c, "recall"), curve.recall());
            assertArrayClose("precision of class " + k, Json.requireList(c, "precision"), curve.precision());
        }
        assertEquals(n, result.prCurves().size(), "one curve per class with ground truth");
    }

    @Test
    void cocoSummaryMatchesCocoEval() {
        Map<String, Object> coco = Json.requireObject(expected, "coco");
        double[] actual = {result.cocoAp(), result.ap50(), result.ap75(), result.apSmall(), result.apMedium(),
                result.apLarge(), result.ar1(), result.ar10(), result.ar100(), result.arSmall(), result.arMedium(),
                result.arLarge()};
        String[] keys = {"ap", "ap50", "ap75", "ap_small", "ap_medium", "ap_large", "ar1", "ar10", "ar100", "ar_small",
                "ar_medium", "ar_large"};
        for (int i = 0; i < keys.length; i++) assertClose("COCO " + keys[i], Json.requireDouble(coco, keys[i]), actual[i]);
    }

    @Test
    void cocoPerClassMatchesCocoEval() {
        List<Object> ap = Json.requireList(expected, "per_class_coco_ap");
        for (int k = 0; k < classNames.size(); k++) {
            double actual = result.perClass().get(k).cocoAp();
            if (ap.get(k) == null) assertTrue(Double.isNaN(actual), "class " + k + " has no GT: NaN, got " + actual);
            else assertClose("COCO AP of class " + k, ((Number) ap.get(k)).doubleValue(), actual);
        }
    }

    @Test
    void cocoThresholdsEqualNumpyLinspaceBitForBit() {
        assertArrayExact("iouThrs", Json.requireList(expected, "coco_iou_thresholds"), CocoEvaluation.IOU_THRESHOLDS);
        assertArrayExact("recThrs", Json.requireList(expected, "coco_recall_thresholds"), CocoEvaluation.RECALL_THRESHOLDS);
    }

    @Test
    void jsonCarriesTheFixtureMetrics() {
        Map<String, Object> json = Json.asObject(Json.parse(result.toJson()), "result");
        assertClose("json voc_map50", Json.requireDouble(expected, "voc_map50"), Json.requireDouble(json, "voc_map50"));
        Map<String, Object> coco = Json.requireObject(expected, "coco");
        assertClose("json coco_ap", Json.requireDouble(coco, "ap"), Json.requireDouble(json, "coco_ap"));
        Map<String, Object> perClass = Json.requireObject(json, "per_class");
        assertEquals(classNames, new ArrayList<>(perClass.keySet()));
        assertNull(perClass.get("ghost"), "class without ground truth is null");
        assertEquals(30L, Json.requireLong(json, "num_images"));
        assertEquals((long) Json.requireList(doc, "detections").size(), Json.requireLong(json, "num_detections"));
    }

    private static void assertClose(String what, double expected, double actual) {
        double diff = Math.abs(expected - actual);
        if (!(diff <= TOL)) fail(what + ": expected " + expected + " but got " + actual + " (difference " + diff + ")");
    }

    private static void assertArrayClose(String what, List<Object> expected, double[] actual) {
        assertEquals(expected.size(), actual.length, what + ": length");
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < actual.length; i++) {
            double diff = Math.abs(((Number) expected.get(i)).doubleValue() - actual[i]);
            if (!(diff <= worst) || Double.isNaN(diff)) {
                worst = diff;
                worstAt = i;
            }
        }
        if (!(worst <= TOL))
            fail(what + ": index " + worstAt + " expected " + expected.get(worstAt) + " but got " + actual[worstAt]
                    + " (largest difference " + worst + ")");
    }

    private static void assertArrayExact(String what, List<Object> expected, double[] actual) {
        assertEquals(expected.size(), actual.length, what + ": length");
        for (int i = 0; i < actual.length; i++)
            assertEquals(((Number) expected.get(i)).doubleValue(), actual[i], 0.0, what + "[" + i + "]");
    }
}
