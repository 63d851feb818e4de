package dev.strix.detection.postprocess;

import dev.strix.detection.assign.LevelGrid;
import dev.strix.detection.data.Box;
import dev.strix.detection.data.Detection;
import dev.strix.detection.model.LevelOutput;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * FCOS inference on the head outputs: scores, thresholds, top-k, decoding, NMS and mapping to the original image.
 * <pre>
 *   score(location, class) = sqrt( sigmoid(cls logit) * sigmoid(ctr logit) )
 *   candidates             = (location, class) with score &gt; scoreThreshold, the topKPerLevel best per level
 *                            (equal scores: lower location, then lower class first)
 *   box                    = (x - l, y - t, x + r, y + b) at the location's point (see {@link LevelGrid}),
 *                            clipped to the input [0, W] x [0, H]
 *   detections             = class-wise NMS at nmsIou over the candidates of all levels, the maxDetections
 *                            best, each box passed through the image's map to original coordinates
 * </pre>
 * Stateless and thread-safe. Works on host arrays: each level's tensors are downloaded once.
 */
public final class PostProcessor {
    /** Extra room (in logits) for the cheap pre-filter; the exact score test follows it. */
    private static final double LOGIT_SLACK = 1e-4;

    private final PostProcessConfig config;

    public PostProcessor(PostProcessConfig config) {
        this.config = config;
    }

    /** The post-processor of DetNet's recipe ({@link PostProcessConfig#defaults()}). */
    public PostProcessor() {
        this(PostProcessConfig.defaults());
    }

    public PostProcessConfig config() {
        return config;
    }

    /**
     * Detections of a batch from model outputs.
     *
     * @param outputs     per level: cls (N, C, h, w), box (N, 4, h, w), ctr (N, 1, h, w)
     * @param inputHeight H of the network input
     * @param inputWidth  W of the network input
     * @param imageIds    N image ids, one per image
     * @param toOriginal  N maps from input-pixel boxes to original-image boxes (null, or null entries, for identity)
     * @return per image, its detections by decreasing score
     */
    public List<List<Detection>> process(List<LevelOutput> outputs, int inputHeight, int inputWidth,
                                         List<String> imageIds, List<? extends UnaryOperator<Box>> toOriginal) {
        List<HostLevel> levels = new ArrayList<>(outputs.size());
        for (LevelOutput o : outputs) levels.add(HostLevel.of(o));
        return processHost(levels, inputHeight, inputWidth, imageIds, toOriginal);
    }

    /** {@link #process} on outputs already on the host. */
    public List<List<Detection>> processHost(List<HostLevel> levels, int inputHeight, int inputWidth,
                                             List<String> imageIds, List<? extends UnaryOperator<Box>> toOriginal) {
        int n = levels.get(0).n();
        if (imageIds.size() != n) throw new IllegalArgumentException(imageIds.size() + " image ids for " + n + " images");
        if (toOriginal != null && toOriginal.size() != n)
            throw new IllegalArgumentException(toOriginal.size() + " coordinate maps for " + n + " images");
        List<List<Detection>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
            out.add(processImage(levels, i, inputHeight, inputWidth, imageIds.get(i),
                    toOriginal == null ? null : toOriginal.get(i)));
        return out;
    }

    /**
     * Detections of image {@code image} of the batch.
     *
     * @param toOriginal map from input-pixel boxes to original-image boxes, or null for identity
     * @return its detections by decreasing score (equal scores: candidate order)
     */
    public List<Detection> processImage(List<HostLevel> levels, int image, int inputHeight, int inputWidth,
                                        String imageId, UnaryOperator<Box> toOriginal) {
        int classes = levels.get(0).classes();
        Candidates all = new Candidates();
        for (HostLevel level : levels) {
            if (level.classes() != classes || level.n() != levels.get(0).n())
                throw new IllegalArgumentException("levels disagree on N or C");
            collectLevel(level, image, inputHeight, inputWidth, all);
        }
        int[] kept = Nms.batchedNms(all.boxes, all.scores, all.classes, all.size, config.nmsIou());
        int count = Math.min(kept.length, config.maxDetections());
        List<Detection> detections = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            int i = kept[k];
            Box b = new Box(all.boxes[4 * i], all.boxes[4 * i + 1], all.boxes[4 * i + 2], all.boxes[4 * i + 3]);
            if (toOriginal != null) b = toOriginal.apply(b);
            detections.add(new Detection(imageId, b, all.classes[i], all.scores[i]));
        }
        return detections;
    }

    /** Adds the top-k candidates of one level of one image to {@code out}, decoded and clipped. */
    private void collectLevel(HostLevel level, int image, int inputHeight, int inputWidth, Candidates out) {
        int hw = level.height() * level.width(), classes = level.classes();
        float threshold = config.scoreThreshold();
        double thresholdSq = (double) threshold * threshold;
        double[] ctrSig = new double[hw];
        double[] minLogit = new double[hw];
        int ctrBase = image * hw;
        for (int q = 0; q < hw; q++) {
            double sc = sigmoid(level.ctr()[ctrBase + q]);
            ctrSig[q] = sc;
            // score > t  <=>  sigmoid(x) > t^2 / sc: impossible when t^2 >= sc, else x > logit(t^2 / sc)
            double need = thresholdSq / sc;
            minLogit[q] = need >= 1.0 || Double.isNaN(need) ? Double.POSITIVE_INFINITY
                    : Math.log(need / (1.0 - need)) - LOGIT_SLACK;
        }
        float[] cls = level.cls();
        int clsBase = image * classes * hw;
        long[] keys = new long[64];
        int m = 0;
        for (int c = 0; c < classes; c++) {
            int row = clsBase + c * hw;
            for (int q = 0; q < hw; q++) {
                float x = cls[row + q];
                if (!(x > minLogit[q])) continue;
                float score = (float) Math.sqrt(sigmoid(x) * ctrSig[q]);
                if (!(score > threshold)) continue;
                if (m == keys.length) keys = Arrays.copyOf(keys, 2 * m);
                keys[m++] = Nms.descendingKey(score, q * classes + c);
            }
        }
        Arrays.sort(keys, 0, m);
        int take = Math.min(m, config.topKPerLevel());
        float[] box = level.box();
        int boxBase = image * 4 * hw, s = level.stride(), w = level.width();
        for (int k = 0; k < take; k++) {
            int cand = (int) keys[k], q = cand / classes, c = cand % classes;
            float x = LevelGrid.center(q % w, s), y = LevelGrid.center(q / w, s);
            Box b = BoxDecoder.decode(x, y, box[boxBase + q], box[boxBase + hw + q], box[boxBase + 2 * hw + q],
                    box[boxBase + 3 * hw + q]).clip(inputWidth, inputHeight);
            float score = (float) Math.sqrt(sigmoid(cls[clsBase + c * hw + q]) * ctrSig[q]);
            out.add(b, score, c);
        }
    }

    private static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /** Growable parallel arrays of candidate boxes (n, 4), scores (n) and classes (n). */
    private static final class Candidates {
        float[] boxes = new float[4 * 256], scores = new float[256];
        int[] classes = new int[256];
        int size;

        void add(Box b, float score, int c) {
            if (size == scores.length) {
                boxes = Arrays.copyOf(boxes, 8 * size);
                scores = Arrays.copyOf(scores, 2 * size);
                classes = Arrays.copyOf(classes, 2 * size);
            }
            boxes[4 * size] = b.x1();
            boxes[4 * size + 1] = b.y1();
            boxes[4 * size + 2] = b.x2();
            boxes[4 * size + 3] = b.y2();
            scores[size] = score;
            classes[size++] = c;
        }
    }
}
