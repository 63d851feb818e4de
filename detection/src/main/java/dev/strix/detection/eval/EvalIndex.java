package dev.strix.detection.eval;

import dev.strix.detection.data.Box;
import dev.strix.detection.data.Detection;
import dev.strix.detection.data.ImageAnnotation;
import dev.strix.detection.data.ObjectAnnotation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Validated evaluation input, grouped the ways the two protocols read it: ground truth per (image, class) in
 * annotation order, detections per class in input order (VOC) and per (image, class) in input order (COCO).
 */
final class EvalIndex {
    final List<String> classNames;
    final List<ImageAnnotation> images;
    final int numDetections;
    /** [class] detections of the class, in input order. */
    final List<List<Detection>> detectionsByClass;
    /** [class] image index of each entry of {@link #detectionsByClass}. */
    final int[][] detectionImage;
    private final List<List<List<ObjectAnnotation>>> groundTruth; // [image][class]
    private final List<List<List<Detection>>> detections;         // [image][class]

    private EvalIndex(List<ImageAnnotation> images, List<String> classNames, List<Detection> all) {
        this.images = List.copyOf(images);
        this.classNames = List.copyOf(classNames);
        this.numDetections = all.size();
        int numClasses = classNames.size();
        Map<String, Integer> imageIndex = new HashMap<>();
        groundTruth = new ArrayList<>(images.size());
        detections = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            ImageAnnotation image = images.get(i);
            Integer previous = imageIndex.put(image.imageId(), i);
            if (previous != null)
                throw new IllegalArgumentException("image id '" + image.imageId() + "' appears twice in the ground truth (images "
                        + previous + " and " + i + ")");
            List<List<ObjectAnnotation>> perClass = emptyLists(numClasses);
            List<ObjectAnnotation> objects = image.objects();
            for (int o = 0; o < objects.size(); o++) {
                ObjectAnnotation object = objects.get(o);
                int n = o;
                requireClass(object.classIndex(), numClasses, () -> "image '" + image.imageId() + "' object " + n);
                requireFinite(object.box(), () -> "image '" + image.imageId() + "' object " + n);
                perClass.get(object.classIndex()).add(object);
            }
            groundTruth.add(perClass);
            detections.add(emptyLists(numClasses));
        }
        detectionsByClass = emptyLists(numClasses);
        List<List<Integer>> imageOfDetection = emptyLists(numClasses);
        for (int d = 0; d < all.size(); d++) {
            Detection det = all.get(d);
            int n = d;
            Integer image = imageIndex.get(det.imageId());
            if (image == null)
                throw new IllegalArgumentException("detection " + d + " names image id '" + det.imageId()
                        + "', which is not in the ground truth (" + images.size() + " images)");
            requireClass(det.classIndex(), numClasses, () -> "detection " + n);
            requireFinite(det.box(), () -> "detection " + n);
            if (!Float.isFinite(det.score()))
                throw new IllegalArgumentException("detection " + d + " has a non-finite score " + det.score());
            detections.get(image).get(det.classIndex()).add(det);
            detectionsByClass.get(det.classIndex()).add(det);
            imageOfDetection.get(det.classIndex()).add(image);
        }
        detectionImage = new int[numClasses][];
        for (int c = 0; c < numClasses; c++)
            detectionImage[c] = imageOfDetection.get(c).stream().mapToInt(Integer::intValue).toArray();
    }

    static EvalIndex build(List<ImageAnnotation> images, List<String> classNames, List<Detection> detections) {
        return new EvalIndex(images, classNames, detections);
    }

    int numImages() {
        return images.size();
    }

    int numClasses() {
        return classNames.size();
    }

    /** Ground-truth objects of class {@code c} in image {@code i}, in annotation order. */
    List<ObjectAnnotation> groundTruth(int i, int c) {
        return groundTruth.get(i).get(c);
    }

    /** Detections of class {@code c} in image {@code i}, in input order. */
    List<Detection> detections(int i, int c) {
        return detections.get(i).get(c);
    }

    /**
     * Image indices sorted by id as COCOeval visits them ({@code np.unique} of the image ids): numerically when every
     * id is a canonical non-negative integer (COCO's numeric ids), otherwise by string.
     */
    int[] sortedImageOrder() {
        boolean numeric = images.stream().allMatch(im -> isCanonicalInteger(im.imageId()));
        Comparator<Integer> byId = numeric
                ? Comparator.comparing((Integer i) -> new java.math.BigInteger(images.get(i).imageId()))
                : Comparator.comparing((Integer i) -> images.get(i).imageId());
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) order.add(i);
        order.sort(byId);
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    static boolean isCanonicalInteger(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return s.equals("0") || s.charAt(0) != '0';
    }

    private static <T> List<List<T>> emptyLists(int n) {
        List<List<T>> lists = new ArrayList<>(n);
        for (int i = 0; i < n; i++) lists.add(new ArrayList<>());
        return lists;
    }

    private static void requireClass(int classIndex, int numClasses, java.util.function.Supplier<String> what) {
        if (classIndex < 0 || classIndex >= numClasses)
            throw new IllegalArgumentException(what.get() + " has class index " + classIndex + ", outside [0, " + numClasses + ")");
    }

    private static void requireFinite(Box b, java.util.function.Supplier<String> what) {
        if (!(Float.isFinite(b.x1()) && Float.isFinite(b.y1()) && Float.isFinite(b.x2()) && Float.isFinite(b.y2())))
            throw new IllegalArgumentException(what.get() + " has a non-finite box " + b);
    }
}
