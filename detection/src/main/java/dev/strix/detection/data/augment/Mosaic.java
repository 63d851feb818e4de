package dev.strix.detection.data.augment;

import dev.strix.detection.data.ImageAnnotation;
import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.detection.data.SeededRandom;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Four images in one {@code S x S} frame. A centre {@code (xc, yc)} is drawn uniformly in the middle half of the
 * frame; tile k (top-left, top-right, bottom-left, bottom-right) is scaled by {@code (S / 2) / max(w, h)} times the
 * scale jitter, optionally mirrored, placed with its inner corner at the centre and clipped to its quadrant. Boxes
 * follow the same drop/clip rules as a single image.
 */
final class Mosaic {
    private Mosaic() {
    }

    static TrainSample compose(List<BufferedImage> images, List<ImageAnnotation> annotations, AugmentConfig config, SeededRandom rng) {
        int size = config.size();
        int xc = (int) Math.round(rng.uniform(0.25, 0.75) * size), yc = (int) Math.round(rng.uniform(0.25, 0.75) * size);
        float[] chw = Letterbox.blankFrame(size);
        List<ObjectAnnotation> objects = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            BufferedImage img = images.get(k);
            int w = img.getWidth(), h = img.getHeight();
            float scale = (float) (size / 2.0 / Math.max(w, h) * rng.logUniform(config.scaleMin(), config.scaleMax() * (1 + 1e-12)));
            boolean flip = rng.chance(config.flipProbability());
            boolean right = k % 2 == 1, bottom = k >= 2;
            float padX = right ? xc : xc - w * scale, padY = bottom ? yc : yc - h * scale;
            LetterboxTransform t = new LetterboxTransform(scale, padX, padY, flip, w, h);
            int[] region = {right ? xc : 0, bottom ? yc : 0, right ? size : xc, bottom ? size : yc};
            Letterbox.render(img, t, chw, size, region);
            BoxMapping.map(annotations.get(k).objects(), t, region, config.minBoxSide(), config.minVisibleFraction(), objects);
        }
        config.color().apply(chw, size, rng);
        ImageAnnotation first = annotations.getFirst();
        return new TrainSample(chw, size, objects, first.imageId(), first.width(), first.height(), null);
    }
}
