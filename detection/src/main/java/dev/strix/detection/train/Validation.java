package dev.strix.detection.train;

import dev.strix.detection.data.Batch;
import dev.strix.detection.data.DataLoader;
import dev.strix.detection.data.DetectionDataset;
import dev.strix.detection.data.Detection;
import dev.strix.detection.data.ImageAnnotation;
import dev.strix.detection.data.augment.AugmentConfig;
import dev.strix.detection.data.augment.Augmenter;
import dev.strix.detection.data.augment.TrainSample;
import dev.strix.detection.eval.EvalResult;
import dev.strix.detection.eval.Evaluator;
import dev.strix.detection.model.LevelOutput;
import dev.strix.detection.postprocess.HostLevel;
import dev.strix.detection.postprocess.PostProcessor;
import dev.strix.nn.Autograd;
import dev.strix.nn.Device;
import dev.strix.nn.Tensor;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Evaluation of a model on a dataset during training: centred letterbox at the training size, DetNet's
 * post-processing (threshold 0.05, class-wise NMS at 0.6, 100 per image), boxes mapped back to the original images,
 * scored by {@link Evaluator} against the original annotations.
 *
 * <p>With a softmax classifier (C + 1 logits, the last one background), class c's probability {@code p_c} is
 * turned into the logit {@code log(p_c / (1 - p_c))} so that the post-processor's sigmoid gives back {@code p_c}.
 */
public final class Validation {
    private Validation() {}

    /** Detections and their score. */
    public record Outcome(EvalResult result, List<Detection> detections) {}

    /**
     * Runs {@code model} (switched to evaluation mode for the call, then back) over {@code data}.
     *
     * @param size    the square input side
     * @param softmax the classifier has a background logit (softmax cross-entropy)
     * @param batch   images per forward pass
     * @param workers loader threads
     */
    public static Outcome evaluate(MultiTaskDetNet model, DetectionDataset data, int size, boolean softmax, Device device,
                                   int batch, int workers, PostProcessor post) {
        boolean wasTraining = model.isTraining();
        model.eval();
        List<Detection> detections = new ArrayList<>();
        DataLoader.Options options = new DataLoader.Options(batch, workers, Math.max(2, 2 * workers), false, false, false, 0);
        try (DataLoader loader = new DataLoader(data, new Augmenter(AugmentConfig.none(size)), options);
             var ignored = Autograd.noGrad()) {
            Iterator<Batch> it = loader.epoch(0);
            while (it.hasNext()) {
                Batch b = it.next();
                Tensor x = Tensor.from(device, b.images(), b.count(), 3, size, size);
                List<HostLevel> levels = hostLevels(model.forward(x), softmax);
                List<String> ids = new ArrayList<>(b.count());
                List<UnaryOperator<dev.strix.detection.data.Box>> maps = new ArrayList<>(b.count());
                for (TrainSample s : b.meta()) {
                    ids.add(s.imageId());
                    maps.add(s.transform()::toOriginal);
                }
                for (List<Detection> d : post.processHost(levels, size, size, ids, maps)) detections.addAll(d);
            }
        } catch (Exception e) {
            if (e instanceof RuntimeException r) throw r;
            throw new IllegalStateException("validation failed: " + e.getMessage(), e);
        } finally {
            if (wasTraining) model.train();
        }
        List<ImageAnnotation> truth = new ArrayList<>(data.size());
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (int i = 0; i < data.size(); i++) {
            ImageAnnotation a = data.annotation(i);
            if (seen.put(a.imageId(), Boolean.TRUE) == null) truth.add(a);
        }
        return new Outcome(Evaluator.evaluate(truth, data.classNames(), detections), detections);
    }

    /** The outputs on the host; softmax classifiers converted to per-class logits without the background. */
    public static List<HostLevel> hostLevels(List<LevelOutput> outputs, boolean softmax) {
        List<HostLevel> levels = new ArrayList<>(outputs.size());
        for (LevelOutput o : outputs) {
            HostLevel h = HostLevel.of(o);
            levels.add(softmax ? h.withoutBackground() : h);
        }
        return levels;
    }
}
