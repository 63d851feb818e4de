package dev.strix.detection.infer;

import dev.strix.detection.data.Box;
import dev.strix.detection.data.Detection;

/**
 * One object found by a {@link Detector}.
 *
 * @param box        its box in the original image's pixel coordinates ({@code [0, width] x [0, height]}, see
 *                   {@link Box})
 * @param classIndex 0-based index into {@link Detector#classNames()}
 * @param label      the class name
 * @param score      confidence in (0, 1): {@code sqrt(sigmoid(cls) * sigmoid(ctr))}
 */
public record DetectedObject(Box box, int classIndex, String label, float score) {
    /** This object as an evaluation {@link Detection} of image {@code imageId}. */
    public Detection toDetection(String imageId) {
        return new Detection(imageId, box, classIndex, score);
    }
}
