package dev.strix.detection.data.augment;

import dev.strix.detection.data.ObjectAnnotation;

import java.util.List;

/**
 * One image ready for the network and its targets.
 *
 * <p>Pixels: {@code chw} has shape {@code (3, size, size)}, channel order R, G, B, row-major, each value the 8-bit
 * sample divided by 255 (range [0, 1]; no mean or standard-deviation normalisation). Padding is gray
 * {@link Letterbox#FILL} / 255.
 *
 * @param chw            pixels {@code (3, size, size)}; empty (length 0) in a batch's meta list, where the pixels live
 *                       in the batch array
 * @param size           the square frame's side S
 * @param objects        targets in the {@code S x S} frame
 * @param imageId        the original image's id (the first tile's for a mosaic)
 * @param originalWidth  the original image's width (the first tile's for a mosaic)
 * @param originalHeight the original image's height (the first tile's for a mosaic)
 * @param transform      maps original coordinates to the frame and back; null for a mosaic, which has four sources
 */
public record TrainSample(float[] chw, int size, List<ObjectAnnotation> objects, String imageId, int originalWidth,
                          int originalHeight, LetterboxTransform transform) {
    public TrainSample {
        objects = List.copyOf(objects);
        if (chw.length != 0 && chw.length != 3 * size * size)
            throw new IllegalArgumentException("chw has " + chw.length + " values, expected 3*" + size + "*" + size);
    }

    /** The same sample with an empty pixel array (for metadata lists that must not hold a second copy of the pixels). */
    public TrainSample withoutPixels() {
        return new TrainSample(new float[0], size, objects, imageId, originalWidth, originalHeight, transform);
    }

    /** True for a mosaic sample, which has no single {@link #transform()}. */
    public boolean isMosaic() {
        return transform == null;
    }
}
