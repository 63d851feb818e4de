package dev.strix.detection.eval;

/**
 * One row of the per-class table. An AP is {@link Double#NaN} when the class has no ground truth that counts
 * (no objects, or only difficult/crowd ones): such classes are left out of every mean.
 *
 * @param name           class name
 * @param numGroundTruth objects of the class that count for VOC (not difficult, not crowd)
 * @param numDetections  detections of the class
 * @param voc07Ap50      VOC2007 11-point AP at IoU 0.5
 * @param vocAp50        VOC2010+ area AP at IoU 0.5
 * @param cocoAp         COCO AP@[.5:.95] (all areas, 100 detections)
 */
public record ClassMetrics(String name, int numGroundTruth, int numDetections, double voc07Ap50, double vocAp50,
                           double cocoAp) {}
