package dev.strix.detection.data;

import dev.strix.detection.data.augment.TrainSample;

import java.util.List;

/**
 * A batch of training samples.
 *
 * @param images  pixels {@code (B, 3, S, S)}, contiguous, RGB, values in [0, 1] (8-bit value / 255; see
 *                {@link TrainSample})
 * @param size    the frame side S
 * @param targets per sample, its objects in the {@code S x S} frame
 * @param meta    per sample, its id, original size and transform; pixels stripped ({@link TrainSample#withoutPixels()})
 */
public record Batch(float[] images, int size, List<List<ObjectAnnotation>> targets, List<TrainSample> meta) {
    public Batch {
        targets = List.copyOf(targets);
        meta = List.copyOf(meta);
        if (images.length != meta.size() * 3 * size * size)
            throw new IllegalArgumentException("images has " + images.length + " values for " + meta.size() + " samples of 3x" + size + "x" + size);
    }

    /** The number of samples B (may be below the loader's batch size when samples were skipped or at the epoch end). */
    public int count() {
        return meta.size();
    }
}
