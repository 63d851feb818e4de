package dev.strix.detection.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;

/** A list of annotated images with a class list; implementations read VOC, COCO, YOLO or generate scenes. */
public interface DetectionDataset {
    /** Class names; an object's {@code classIndex} indexes this list. */
    List<String> classNames();

    /** Number of images. */
    int size();

    /** Annotations of image {@code i} (cheap: no pixel decoding). */
    ImageAnnotation annotation(int i);

    /** Pixels of image {@code i} as TYPE_3BYTE_BGR or TYPE_INT_RGB; errors name the file and what is wrong. */
    BufferedImage image(int i) throws IOException;

    /** One line for logs: format, root, split, image count. */
    String describe();
}
