package dev.strix.detection.postprocess;

/**
 * Settings of {@link PostProcessor}.
 *
 * @param scoreThreshold a candidate is kept when its score {@code sqrt(sigmoid(cls) * sigmoid(ctr))} is greater
 *                       than this
 * @param topKPerLevel   at most this many candidates (location, class) per level and image, by score
 * @param nmsIou         class-wise NMS suppresses a box whose IoU with a kept box of its class exceeds this
 * @param maxDetections  at most this many detections per image, by score
 */
public record PostProcessConfig(float scoreThreshold, int topKPerLevel, float nmsIou, int maxDetections) {
    public PostProcessConfig {
        if (!(scoreThreshold >= 0f && scoreThreshold < 1f))
            throw new IllegalArgumentException("score threshold must lie in [0, 1), got " + scoreThreshold);
        if (topKPerLevel <= 0) throw new IllegalArgumentException("top-k per level must be positive, got " + topKPerLevel);
        if (!(nmsIou >= 0f && nmsIou <= 1f)) throw new IllegalArgumentException("NMS IoU must lie in [0, 1], got " + nmsIou);
        if (maxDetections <= 0) throw new IllegalArgumentException("max detections must be positive, got " + maxDetections);
    }

    /** DetNet's recipe: threshold 0.05, top 1,000 per level, NMS at IoU 0.6, 100 detections per image. */
    public static PostProcessConfig defaults() {
        return new PostProcessConfig(0.05f, 1000, 0.6f, 100);
    }

    public PostProcessConfig withScoreThreshold(float t) {
        return new PostProcessConfig(t, topKPerLevel, nmsIou, maxDetections);
    }

    public PostProcessConfig withTopKPerLevel(int k) {
        return new PostProcessConfig(scoreThreshold, k, nmsIou, maxDetections);
    }

    public PostProcessConfig withNmsIou(float iou) {
        return new PostProcessConfig(scoreThreshold, topKPerLevel, iou, maxDetections);
    }

    public PostProcessConfig withMaxDetections(int m) {
        return new PostProcessConfig(scoreThreshold, topKPerLevel, nmsIou, m);
    }
}
