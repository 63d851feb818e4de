package dev.strix.detection.data.augment;

import dev.strix.detection.data.DetectionDataset;
import dev.strix.detection.data.ImageAnnotation;
import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.detection.data.SeededRandom;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The box-aware training pipeline: with probability {@code mosaicProbability} a {@link Mosaic} of four images,
 * otherwise one image scaled by the letterbox scale times a log-uniform jitter, placed at a random offset (cropping
 * or padding to {@code S x S}), optionally mirrored; then colour jitter. Every random choice comes from the seed
 * passed in, so a sample depends only on {@code (dataset, index, seed)}. Thread-safe (no mutable state).
 */
public final class Augmenter {
    private final AugmentConfig config;

    public Augmenter(AugmentConfig config) {
        this.config = config;
    }

    public AugmentConfig config() {
        return config;
    }

    /** Decodes and augments image {@code index} of {@code dataset} (plus three random partners for a mosaic). */
    public TrainSample apply(DetectionDataset dataset, int index, long seed) throws IOException {
        SeededRandom rng = new SeededRandom(seed);
        if (config.mosaicProbability() > 0 && rng.chance(config.mosaicProbability())) {
            List<BufferedImage> images = new ArrayList<>(4);
            List<ImageAnnotation> annotations = new ArrayList<>(4);
            for (int k = 0; k < 4; k++) {
                int j = k == 0 ? index : rng.nextInt(dataset.size());
                images.add(dataset.image(j));
                annotations.add(dataset.annotation(j));
            }
            return Mosaic.compose(images, annotations, config, rng);
        }
        return apply(dataset.image(index), dataset.annotation(index), rng);
    }

    /** Augments one image (no mosaic). */
    public TrainSample apply(BufferedImage image, ImageAnnotation annotation, SeededRandom rng) {
        int size = config.size();
        int w = image.getWidth(), h = image.getHeight();
        LetterboxTransform t = config.randomPlacement() || config.scaleMin() != 1 || config.scaleMax() != 1 || config.flipProbability() > 0
                ? randomTransform(w, h, size, (float) size / Math.max(w, h), rng)
                : Letterbox.transform(w, h, size);
        float[] chw = Letterbox.blankFrame(size);
        int[] all = {0, 0, size, size};
        Letterbox.render(image, t, chw, size, all);
        List<ObjectAnnotation> objects = BoxMapping.map(annotation.objects(), t, all, config.minBoxSide(), config.minVisibleFraction());
        config.color().apply(chw, size, rng);
        return new TrainSample(chw, size, objects, annotation.imageId(), w, h, t);
    }

    /**
     * Scale {@code base * jitter}; the image's top-left lands uniformly in the range that keeps the frame covered
     * (when larger) or the image inside (when smaller), or centred without random placement.
     */
    LetterboxTransform randomTransform(int w, int h, int frame, float base, SeededRandom rng) {
        float scale = (float) (base * rng.logUniform(config.scaleMin(), config.scaleMax() * (1 + 1e-12)));
        boolean flip = rng.chance(config.flipProbability());
        float ux = rng.nextFloat(), uy = rng.nextFloat();
        float spareX = frame - w * scale, spareY = frame - h * scale;
        float padX = config.randomPlacement() ? placement(spareX, ux) : spareX / 2;
        float padY = config.randomPlacement() ? placement(spareY, uy) : spareY / 2;
        return new LetterboxTransform(scale, padX, padY, flip, w, h);
    }

    /** Offset in [min(0, spare), max(0, spare)]: pad when spare > 0, crop when spare < 0. */
    private static float placement(float spare, float u) {
        return spare >= 0 ? (float) Math.floor(spare * u) : (float) Math.ceil(spare * u);
    }
}
