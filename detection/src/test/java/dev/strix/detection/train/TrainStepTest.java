package dev.strix.detection.train;

import dev.strix.detection.data.Batch;
import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.detection.data.SeededRandom;
import dev.strix.detection.data.SyntheticScenes;
import dev.strix.detection.data.augment.AugmentConfig;
import dev.strix.detection.data.augment.Augmenter;
import dev.strix.detection.data.augment.TrainSample;
import dev.strix.detection.mtl.StepResult;
import dev.strix.nn.CpuDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training step itself: repeated on one batch, the loss must fall (the model can fit it). */
class TrainStepTest {
    @TempDir
    Path dir;

    @Test
    void lossFallsOnAFixedBatch() throws IOException {
        int size = 64, n = 4;
        SyntheticScenes scenes = new SyntheticScenes(11, n, size, 3);
        Augmenter none = new Augmenter(AugmentConfig.none(size));
        float[] images = new float[n * 3 * size * size];
        List<List<ObjectAnnotation>> targets = new ArrayList<>();
        List<TrainSample> meta = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TrainSample s = none.apply(scenes, i, SeededRandom.mix(i));
            System.arraycopy(s.chw(), 0, images, i * 3 * size * size, 3 * size * size);
            targets.add(s.objects());
            meta.add(s.withoutPixels());
        }
        Batch batch = new Batch(images, size, targets, meta);

        TrainConfig c = TrainTestConfigs.tiny(4, 0, 1000, "weighted") // many epochs: the cosine stays near its peak
                .withModel(new TrainConfig.Model(4, 8, 1, "shared"))
                .withOptim(new TrainConfig.Optim("adamw", 3e-3, 0.9, 0, 0, 0, true, 0.01, 10, false, 0.999));
        double first = Double.NaN, last = Double.NaN;
        try (Trainer t = new Trainer(c, dir, CpuDevice.INSTANCE, new PrintStream(new ByteArrayOutputStream()), false)) {
            for (int s = 0; s < 30; s++) {
                StepResult r = t.stepOn(batch);
                assertNotNull(r, "step " + s + " was skipped");
                if (s == 0) first = r.combinedLoss();
                last = r.combinedLoss();
            }
        }
        // 30 AdamW steps on 4 images take the tiny model's loss from 2.38 to 0.93 (ratio 0.39, measured while writing
        // this test); 0.7 leaves a wide margin and still fails for a step that does not learn
        assertTrue(last < 0.7 * first, "loss went from " + first + " to " + last);
    }
}
