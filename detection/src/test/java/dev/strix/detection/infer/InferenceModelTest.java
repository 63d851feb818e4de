package dev.strix.detection.infer;

import dev.strix.detection.data.Detection;
import dev.strix.detection.data.augment.Letterbox;
import dev.strix.detection.data.augment.TrainSample;
import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.LevelOutput;
import dev.strix.detection.postprocess.HostLevel;
import dev.strix.detection.postprocess.PostProcessor;
import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;
import dev.strix.nn.io.StateDicts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoint layouts: one DetNet per task, and softmax classifiers with a background logit. */
class InferenceModelTest {
    @TempDir
    Path dir;

    /**
     * A per-task checkpoint (cls.*, box.*, ctr.*) takes the class logits from the cls network, the boxes from the box
     * network and the centerness from the ctr network: compared with those outputs combined by hand.
     */
    @Test
    void perTaskCheckpointRoutesEachHeadFromItsNetwork() throws Exception {
        DetNet a = TinyDetNets.model(2, 1), b = TinyDetNets.model(2, 2), c = TinyDetNets.model(2, 3);
        Map<String, Tensor> state = new LinkedHashMap<>();
        a.stateDict().forEach((k, v) -> state.put("cls." + k, v));
        b.stateDict().forEach((k, v) -> state.put("box." + k, v));
        c.stateDict().forEach((k, v) -> state.put("ctr." + k, v));
        Path w = dir.resolve("independent.safetensors");
        StateDicts.save(w, state, CheckpointMetadata.entries(List.of("x", "y"), 64));

        BufferedImage image = TinyDetNets.picture(90, 70, 1);
        TrainSample s = Letterbox.apply(image, 64);
        List<Detection> expected;
        for (DetNet n : List.of(a, b, c)) n.eval();
        try (var g = Autograd.noGrad()) {
            Tensor x = Tensor.of(s.chw(), 1, 3, 64, 64);
            List<LevelOutput> oa = a.forward(x), ob = b.forward(x), oc = c.forward(x);
            List<LevelOutput> mixed = new ArrayList<>();
            for (int k = 0; k < oa.size(); k++)
                mixed.add(new LevelOutput(oa.get(k).cls(), ob.get(k).box(), oc.get(k).ctr(), oa.get(k).stride()));
            expected = new PostProcessor().process(mixed, 64, 64, List.of("0"), List.of(s.transform()::toOriginal)).getFirst();
        }
        try (Detector d = Detector.load(w)) {
            assertTrue(d.describe().contains("one per task"), d.describe());
            List<DetectedObject> got = d.detect(image);
            List<Detection> valid = expected.stream().filter(e -> e.box().isValid()).toList();
            assertFalse(valid.isEmpty());
            assertEquals(valid.size(), got.size());
            for (int i = 0; i < got.size(); i++) {
                assertEquals(valid.get(i).classIndex(), got.get(i).classIndex(), "class " + i);
                assertEquals(valid.get(i).score(), got.get(i).score(), 0f, "score " + i);
                assertEquals(valid.get(i).box(), got.get(i).box(), "box " + i);
            }
        }
    }

    /** sigmoid of the converted logit equals the softmax probability of the class (background excluded). */
    @Test
    void softmaxLogitsBecomeClassProbabilities() {
        int n = 2, classes = 3, h = 1, w = 3, hw = h * w; // 3 classes + background
        float[] cls = new float[n * (classes + 1) * hw];
        for (int i = 0; i < cls.length; i++) cls[i] = (float) Math.sin(1.7 * i) * 4;
        HostLevel level = new HostLevel(cls, new float[n * 4 * hw], new float[n * hw], n, classes + 1, h, w, 8);
        HostLevel out = level.withoutBackground();
        assertEquals(classes, out.classes());
        for (int i = 0; i < n; i++)
            for (int q = 0; q < hw; q++) {
                double sum = 0;
                for (int k = 0; k <= classes; k++) sum += Math.exp(cls[(i * (classes + 1) + k) * hw + q]);
                for (int k = 0; k < classes; k++) {
                    double p = Math.exp(cls[(i * (classes + 1) + k) * hw + q]) / sum;
                    double sig = 1 / (1 + Math.exp(-out.cls()[(i * classes + k) * hw + q]));
                    // float logits: about 1e-7 relative on p
                    assertEquals(p, sig, 1e-6 + 1e-5 * p, "image " + i + " location " + q + " class " + k);
                }
            }
    }

    @Test
    void softmaxCheckpointHasOneClassFewerThanOutputs() throws Exception {
        Map<String, String> meta = new LinkedHashMap<>(CheckpointMetadata.entries(List.of("a", "b"), 64));
        meta.put(InferenceModel.CLS_LOSS, InferenceModel.SOFTMAX);
        Path w = TinyDetNets.write(dir.resolve("softmax.safetensors"), 3, 4, meta);
        try (Detector d = Detector.load(w)) {
            assertEquals(2, d.numClasses());
            assertEquals(List.of("a", "b"), d.classNames());
            for (DetectedObject o : d.detect(TinyDetNets.picture(80, 60, 0)))
                assertTrue(o.classIndex() < 2, "background is never a detection: " + o);
        }
    }
}
