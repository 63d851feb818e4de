package dev.strix.detection.eval;

import dev.strix.detection.data.Detection;
import dev.strix.detection.data.ImageAnnotation;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores detections against ground truth with the Pascal VOC devkit's rules (VOC2007 11-point and VOC2010+ area
 * mAP at IoU 0.5) and pycocotools' COCOeval rules (AP@[.5:.95], AP50, AP75, AP and AR by object size, AR at 1, 10
 * and 100 detections).
 *
 * <p>Flags: difficult objects are neither true nor false positives in both protocols (for COCO, ignored regions);
 * crowd objects are ignore regions in COCO (IoU = intersection / detection area, may absorb several detections) and
 * are treated as difficult for VOC. Classes without counted ground truth get NaN APs and are left out of every mean.
 */
public final class Evaluator {
    private Evaluator() {
    }

    /**
     * Evaluates {@code detections} against {@code groundTruth}.
     *
     * @param groundTruth the annotated images; image ids must be distinct
     * @param classNames  class names; every class index must index this list
     * @param detections  detections of images in {@code groundTruth}, any order (ties in score keep this order)
     * @throws IllegalArgumentException naming the entry, for a detection of an unknown image, an out-of-range class
     *                                  index, a non-finite score or box, or a duplicate image id
     */
    public static EvalResult evaluate(List<ImageAnnotation> groundTruth, List<String> classNames, List<Detection> detections) {
        EvalIndex index = EvalIndex.build(groundTruth, classNames, detections);
        CocoEvaluation coco = CocoEvaluation.run(index);
        List<ClassMetrics> perClass = new ArrayList<>();
        List<PrCurve> curves = new ArrayList<>();
        double sum07 = 0;
        double sumArea = 0;
        int counted = 0;
        for (int k = 0; k < index.numClasses(); k++) {
            VocEvaluation.ClassResult voc = VocEvaluation.evaluateClass(index, k);
            String name = classNames.get(k);
            perClass.add(new ClassMetrics(name, voc.numPositives(), index.detectionsByClass.get(k).size(), voc.ap07(),
                    voc.apArea(), coco.classAveragePrecision(k)));
            if (voc.numPositives() > 0) {
                curves.add(new PrCurve(name, voc.recall(), voc.precision(), voc.apArea()));
                sum07 += voc.ap07();
                sumArea += voc.apArea();
                counted++;
            }
        }
        int all = CocoEvaluation.AREA_ALL;
        int m100 = CocoEvaluation.MAX_DETS.length - 1;
        int[] everyIou = CocoEvaluation.allIouIndices();
        return new EvalResult(
                counted == 0 ? Double.NaN : sum07 / counted,
                counted == 0 ? Double.NaN : sumArea / counted,
                coco.averagePrecision(everyIou, all, m100),
                coco.averagePrecision(new int[] {CocoEvaluation.iouIndex(0.5)}, all, m100),
                coco.averagePrecision(new int[] {CocoEvaluation.iouIndex(0.75)}, all, m100),
                coco.averagePrecision(everyIou, CocoEvaluation.AREA_SMALL, m100),
                coco.averagePrecision(everyIou, CocoEvaluation.AREA_MEDIUM, m100),
                coco.averagePrecision(everyIou, CocoEvaluation.AREA_LARGE, m100),
                coco.averageRecall(all, 0),
                coco.averageRecall(all, 1),
                coco.averageRecall(all, m100),
                coco.averageRecall(CocoEvaluation.AREA_SMALL, m100),
                coco.averageRecall(CocoEvaluation.AREA_MEDIUM, m100),
                coco.averageRecall(CocoEvaluation.AREA_LARGE, m100),
                perClass, curves, index.numImages(), index.numDetections);
    }
}
