package dev.strix.detection.postprocess;

import java.util.Arrays;

/**
 * Greedy non-maximum suppression, exact: boxes are visited by decreasing score (equal scores: lower index
 * first), and each kept box removes every later box whose IoU with it exceeds the threshold. O(n^2) per class.
 *
 * <p>Boxes are flat {@code (n, 4)} arrays of (x1, y1, x2, y2) in continuous coordinates (as
 * {@link dev.strix.detection.data.Box}); IoU is intersection over union, 0 when the union is empty. Entries with a
 * NaN score are dropped.
 */
public final class Nms {
    private Nms() {}

    /**
     * Class-agnostic NMS.
     *
     * @param boxes        (n, 4) flat
     * @param scores       (n)
     * @param n            number of entries to consider (a prefix of the arrays)
     * @param iouThreshold a box is suppressed when its IoU with a kept box is greater than this
     * @return kept indices in order of decreasing score (ties: increasing index)
     */
    public static int[] nms(float[] boxes, float[] scores, int n, float iouThreshold) {
        int[] order = orderByScore(scores, n);
        boolean[] kept = new boolean[n];
        int count = suppress(boxes, order, 0, order.length, iouThreshold, kept);
        return collect(order, kept, count);
    }

    /**
     * Class-wise NMS: boxes of different classes never suppress each other.
     *
     * @param boxes        (n, 4) flat
     * @param scores       (n)
     * @param classes      (n), class of each box (any non-negative int)
     * @param n            number of entries to consider (a prefix of the arrays)
     * @param iouThreshold a box is suppressed when its IoU with a kept box of its class is greater than this
     * @return kept indices of all classes together, in order of decreasing score (ties: increasing index)
     */
    public static int[] batchedNms(float[] boxes, float[] scores, int[] classes, int n, float iouThreshold) {
        int[] order = orderByScore(scores, n);
        int m = order.length;
        int maxClass = -1;
        for (int i = 0; i < m; i++) {
            int c = classes[order[i]];
            if (c < 0) throw new IllegalArgumentException("negative class " + c + " at index " + order[i]);
            maxClass = Math.max(maxClass, c);
        }
        // stable counting sort of the score order by class: each class's run keeps decreasing score
        int[] start = new int[maxClass + 2];
        for (int i = 0; i < m; i++) start[classes[order[i]] + 1]++;
        for (int c = 0; c <= maxClass; c++) start[c + 1] += start[c];
        int[] fill = Arrays.copyOf(start, maxClass + 1), byClass = new int[m];
        for (int i = 0; i < m; i++) byClass[fill[classes[order[i]]]++] = order[i];
        boolean[] kept = new boolean[n];
        int count = 0;
        for (int c = 0; c <= maxClass; c++) count += suppress(boxes, byClass, start[c], start[c + 1], iouThreshold, kept);
        return collect(order, kept, count);
    }

    /** Greedy NMS over {@code order[from, to)} (already sorted); marks kept indices, returns their number. */
    private static int suppress(float[] boxes, int[] order, int from, int to, float iouThreshold, boolean[] kept) {
        int len = to - from;
        boolean[] removed = new boolean[len];
        int count = 0;
        for (int a = 0; a < len; a++) {
            if (removed[a]) continue;
            int i = order[from + a];
            kept[i] = true;
            count++;
            for (int b = a + 1; b < len; b++)
                if (!removed[b] && iou(boxes, i, order[from + b]) > iouThreshold) removed[b] = true;
        }
        return count;
    }

    private static int[] collect(int[] order, boolean[] kept, int count) {
        int[] out = new int[count];
        int at = 0;
        for (int i : order) if (kept[i]) out[at++] = i;
        return out;
    }

    /** IoU of boxes i and j of a flat (n, 4) array (0 when they do not overlap or the union is empty). */
    public static float iou(float[] boxes, int i, int j) {
        float ax1 = boxes[4 * i], ay1 = boxes[4 * i + 1], ax2 = boxes[4 * i + 2], ay2 = boxes[4 * i + 3];
        float bx1 = boxes[4 * j], by1 = boxes[4 * j + 1], bx2 = boxes[4 * j + 2], by2 = boxes[4 * j + 3];
        float iw = Math.min(ax2, bx2) - Math.max(ax1, bx1);
        float ih = Math.min(ay2, by2) - Math.max(ay1, by1);
        if (iw <= 0 || ih <= 0) return 0f;
        float inter = iw * ih;
        float union = Math.max(0f, ax2 - ax1) * Math.max(0f, ay2 - ay1) + Math.max(0f, bx2 - bx1) * Math.max(0f, by2 - by1)
                - inter;
        return union > 0 ? inter / union : 0f;
    }

    /**
     * Indices {@code 0..n-1} with a non-NaN score, ordered by decreasing score, equal scores by increasing index.
     *
     * @param scores (n)
     */
    public static int[] orderByScore(float[] scores, int n) {
        long[] keys = new long[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(scores[i])) continue;
            keys[m++] = descendingKey(scores[i], i);
        }
        Arrays.sort(keys, 0, m);
        int[] order = new int[m];
        for (int i = 0; i < m; i++) order[i] = (int) keys[i];
        return order;
    }

    /**
     * A long whose ascending order is decreasing {@code score}, then increasing {@code index}: the high half is
     * the bitwise complement of the score's order-preserving int image, the low half the index.
     */
    static long descendingKey(float score, int index) {
        int bits = Float.floatToIntBits(score == 0f ? 0f : score); // -0 and +0 rank equal
        int ordered = bits ^ ((bits >> 31) & 0x7fffffff);           // monotone in the float value
        return ((long) ~ordered << 32) | (index & 0xffffffffL);
    }
}
