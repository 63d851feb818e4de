package dev.strix.detection.cli;

import dev.strix.detection.data.ImageAnnotation;
import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.detection.data.SyntheticScenes;
import dev.strix.detection.infer.TinyDetNets;
import dev.strix.nn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code strix eval} run in-process on a small VOC dataset written by the synthetic generator. */
class EvalCommandTest {
    private static final List<String> KEYS = List.of("voc07_map50", "voc_map50", "coco_ap", "ap50", "ap75", "ap_small",
            "ap_medium", "ap_large", "ar100", "per_class");

    @TempDir
    Path dir;

    private SyntheticScenes scenes() {
        return new SyntheticScenes(42, 4, 96, 3);
    }

    private Path voc() throws Exception {
        Path root = dir.resolve("voc");
        scenes().writeVoc(root, "val");
        return root;
    }

    private static Map<?, ?> lastLineJson(MainTest.Outcome r) {
        Map<?, ?> m = assertInstanceOf(Map.class, Json.parse(r.lastOutLine()), "last stdout line is a JSON object");
        for (String k : KEYS) assertTrue(m.containsKey(k), "key " + k + " in " + m);
        return m;
    }

    @Test
    void perfectPredictionsScoreOne() throws Exception {
        Path root = voc();
        SyntheticScenes s = scenes();
        List<Object> entries = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            ImageAnnotation a = s.annotation(i);
            for (ObjectAnnotation o : a.objects()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("image_id", a.imageId());
                e.put("category_id", o.classIndex() + 1);
                e.put("bbox", o.box().toXywh());
                e.put("score", 0.9);
                entries.add(e);
            }
        }
        Path preds = Files.writeString(dir.resolve("preds.json"), Json.write(entries), StandardCharsets.UTF_8);
        Path json = dir.resolve("metrics.json"), out = dir.resolve("eval");
        MainTest.Outcome r = MainTest.strix("eval", "--predictions", preds.toString(), "--data", root.toString(),
                "--format", "voc", "--split", "val", "--classes", String.join(",", s.classNames()),
                "--json", json.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Map<?, ?> m = lastLineJson(r);
        for (String k : new String[] {"voc07_map50", "voc_map50", "coco_ap", "ap50", "ap75", "ar100"})
            assertEquals(1.0, ((Number) m.get(k)).doubleValue(), 1e-9, k);
        Map<?, ?> perClass = assertInstanceOf(Map.class, m.get("per_class"));
        assertEquals(s.classNames(), new ArrayList<>(perClass.keySet()));
        assertEquals(Json.parse(r.lastOutLine()), Json.parse(Files.readString(json)), "--json holds the same object");
        assertTrue(r.out().contains("VOC07 mAP50"), "human table first: " + r.out());
        assertTrue(Files.size(out.resolve("pr_curves.png")) > 0);
    }

    @Test
    void runsWeightsOverTheDataset() throws Exception {
        Path root = voc(), out = dir.resolve("eval");
        Path w = TinyDetNets.write(dir.resolve("best.safetensors"), scenes().classNames(), 96, 7);
        MainTest.Outcome r = MainTest.strix("eval", "--weights", w.toString(), "--data", root.toString(), "--format",
                "voc", "--out", out.toString(), "--batch", "3");
        assertEquals(0, r.code(), r.err());
        Map<?, ?> m = lastLineJson(r);
        assertEquals(4L, m.get("num_images"));
        assertTrue(Files.size(out.resolve("pr_curves.png")) > 0);
        assertInstanceOf(List.class, Json.parse(Files.readString(out.resolve("detections.json"))));

        MainTest.Outcome synthetic = MainTest.strix("eval", "--weights", w.toString(), "--format", "synthetic",
                "--data", "seed=5,count=2,size=64,classes=3", "--size", "64");
        assertEquals(0, synthetic.code(), synthetic.err());
        assertEquals(2L, lastLineJson(synthetic).get("num_images"));
    }

    @Test
    void reportsClassCountMismatchAndBadInput() throws Exception {
        Path root = voc();
        Path w = TinyDetNets.write(dir.resolve("two.safetensors"), 2, 1, Map.of());
        MainTest.Outcome r = MainTest.strix("eval", "--weights", w.toString(), "--data", root.toString(), "--format", "voc");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("have 2 classes") && r.err().contains("has 3"), r.err());

        Path preds = Files.writeString(dir.resolve("bad.json"), "[{\"image_id\": \"nope\", \"category_id\": 1, "
                + "\"bbox\": [0, 0, 1, 1], \"score\": 0.5}]");
        MainTest.Outcome bad = MainTest.strix("eval", "--predictions", preds.toString(), "--data", root.toString(),
                "--format", "voc");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("unknown image id 'nope'"), bad.err());

        MainTest.Outcome both = MainTest.strix("eval", "--data", root.toString(), "--format", "voc");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("exactly one of --weights and --predictions"), both.err());
    }
}
