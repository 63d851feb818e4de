package dev.strix.detection.data;

/**
 * One detection: a box, a class and a score, in original-image pixel coordinates.
 *
 * @param imageId    the id of the image it belongs to (see {@link ImageAnnotation#imageId()})
 * @param box        the box
 * @param classIndex 0-based class index
 * @param score      confidence in [0, 1]
 */
public record Detection(String imageId, Box box, int classIndex, float score) {}
