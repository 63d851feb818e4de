package dev.strix.detection.data;

/**
 * One annotated object.
 *
 * @param box        its box in the image's pixel coordinates
 * @param classIndex 0-based index into the dataset's class list
 * @param difficult  Pascal VOC's flag: ignored by VOC evaluation, neither a true nor a false positive
 * @param truncated  Pascal VOC's flag: the object extends past the image border
 * @param crowd      COCO's {@code iscrowd}: a region to ignore in training and evaluation
 */
public record ObjectAnnotation(Box box, int classIndex, boolean difficult, boolean truncated, boolean crowd) {
    /** A plain object with no flags set. */
    public static ObjectAnnotation of(Box box, int classIndex) {
        return new ObjectAnnotation(box, classIndex, false, false, false);
    }
}
