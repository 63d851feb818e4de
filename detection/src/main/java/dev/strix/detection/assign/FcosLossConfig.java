package dev.strix.detection.assign;

import java.util.Locale;

/**
 * Settings of {@link FcosLoss}.
 *
 * @param classification the classification loss
 * @param box            the box regression loss
 * @param focalAlpha     focal loss weight of positives (0.25)
 * @param focalGamma     focal loss focusing exponent (2)
 * @param smoothL1Beta   smooth L1 threshold, in strides (the regression losses compare ltrb / stride)
 * @param iouEps         epsilon of the IoU-family losses (torchvision's 1e-7)
 */
public record FcosLossConfig(ClassificationLoss classification, BoxLoss box, float focalAlpha, float focalGamma,
                             float smoothL1Beta, float iouEps) {
    /** How the classification task is scored. */
    public enum ClassificationLoss {
        /** Sigmoid focal loss per class, summed over non-ignored locations, divided by max(1, positives). */
        FOCAL,
        /** Binary cross-entropy per class, summed over non-ignored locations, divided by max(1, positives). */
        BCE,
        /**
         * Softmax cross-entropy with a background class: the model predicts C + 1 logits per location, the last
         * being background; mean over non-ignored locations.
         */
        SOFTMAX_CE;

        /** The value for a name such as {@code focal}, {@code bce} or {@code softmax_ce} (case-insensitive). */
        public static ClassificationLoss parse(String name) {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    /** How the box task is scored on positive locations. */
    public enum BoxLoss {
        GIOU, DIOU, CIOU, IOU,
        /** Smooth L1 on (l, t, r, b) / stride, summed over the four sides. */
        SMOOTH_L1,
        /** L1 on (l, t, r, b) / stride, summed over the four sides. */
        L1,
        /** Squared error on (l, t, r, b) / stride, summed over the four sides. */
        MSE;

        /** True for the losses on (l, t, r, b) / stride rather than on box overlap. */
        public boolean isPointwise() {
            return this == SMOOTH_L1 || this == L1 || this == MSE;
        }

        /** The value for a name such as {@code giou} or {@code smooth_l1} / {@code smoothl1} (case-insensitive). */
        public static BoxLoss parse(String name) {
            String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            return n.equals("SMOOTHL1") ? SMOOTH_L1 : valueOf(n);
        }
    }

    public FcosLossConfig {
        if (classification == null || box == null) throw new IllegalArgumentException("loss kinds must be given");
        if (!(focalGamma >= 0f)) throw new IllegalArgumentException("focal gamma must be >= 0, got " + focalGamma);
        if (!(smoothL1Beta >= 0f)) throw new IllegalArgumentException("smooth L1 beta must be >= 0, got " + smoothL1Beta);
        if (!(iouEps >= 0f)) throw new IllegalArgumentException("IoU epsilon must be >= 0, got " + iouEps);
    }

    /** DetNet's recipe: focal (alpha 0.25, gamma 2), GIoU; smooth L1 beta 1/9 stride when chosen. */
    public static FcosLossConfig defaults() {
        return new FcosLossConfig(ClassificationLoss.FOCAL, BoxLoss.GIOU, 0.25f, 2f, 1f / 9f, 1e-7f);
    }

    public FcosLossConfig withClassification(ClassificationLoss c) {
        return new FcosLossConfig(c, box, focalAlpha, focalGamma, smoothL1Beta, iouEps);
    }

    public FcosLossConfig withBox(BoxLoss b) {
        return new FcosLossConfig(classification, b, focalAlpha, focalGamma, smoothL1Beta, iouEps);
    }
}
