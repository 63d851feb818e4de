package dev.strix.detection.data;

import java.nio.file.Path;
import java.util.List;

/**
 * The annotations of one image.
 *
 * @param imageId   the image's id: the file stem for VOC and YOLO, the numeric id as a string for COCO
 * @param imagePath the image file, or null for images generated in memory
 * @param width     image width in pixels
 * @param height    image height in pixels
 * @param objects   annotated objects (possibly empty)
 */
public record ImageAnnotation(String imageId, Path imagePath, int width, int height, List<ObjectAnnotation> objects) {
    public ImageAnnotation {
        objects = List.copyOf(objects);
    }
}
