package dev.strix.detection.postprocess;

import dev.strix.detection.data.Box;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

class NmsTest {
    /** Selection-based greedy NMS: take the best remaining box, drop its same-class overlaps, repeat. */
    static int[] bruteForce(float[] boxes, float[] scores, int[] classes, int n, float thr) {
        List<Integer> remaining = new ArrayList<>();
        for (int i = 0; i < n; i++) if (!Float.isNaN(scores[i])) remaining.add(i);
        List<Integer> kept = new ArrayList<>();
        while (!remaining.isEmpty()) {
            int best = remaining.get(0);
            for (int i : remaining) if (scores[i] > scores[best] || (scores[i] == scores[best] && i < best)) best = i;
            kept.add(best);
            Box b = box(boxes, best);
            int c = classes[best];
            remaining.removeIf(i -> classes[i] == c && box(boxes, i).iou(b) > thr);
            final int chosen = best;
            remaining.removeIf(i -> i == chosen);
        }
        return kept.stream().mapToInt(Integer::intValue).toArray();
    }

    static Box box(float[] boxes, int i) {
        return new Box(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]);
    }

    private static float[] randomBoxes(Random rnd, int n) {
        float[] b = new float[4 * n];
        for (int i = 0; i < n; i++) {
            float x = rnd.nextFloat() * 100, y = rnd.nextFloat() * 100;
            b[4 * i] = x;
            b[4 * i + 1] = y;
            b[4 * i + 2] = x + 1 + rnd.nextFloat() * 40;
            b[4 * i + 3] = y + 1 + rnd.nextFloat() * 40;
        }
        return b;
    }

    @Test
    void classWiseNmsMatchesBruteForceOnRandomBoxes() {
        Random rnd = new Random(3);
        for (int n : new int[] {0, 1, 7, 13, 65, 300, 1000}) {
            for (float thr : new float[] {0.3f, 0.5f, 0.6f}) {
                float[] boxes = randomBoxes(rnd, n), scores = new float[n];
                int[] classes = new int[n];
                for (int i = 0; i < n; i++) {
                    scores[i] = rnd.nextInt(25) / 25f; // coarse scores: many ties, broken by index
                    classes[i] = rnd.nextInt(4);
                }
                int[] got = Nms.batchedNms(boxes, scores, classes, n, thr);
                int[] ref = bruteForce(boxes, scores, classes, n, thr);
                if (!Arrays.equals(got, ref)) {
                    int at = 0;
                    while (at < Math.min(got.length, ref.length) && got[at] == ref[at]) at++;
                    fail("n=" + n + " thr=" + thr + ": first difference at position " + at + " of " + got.length + " vs "
                            + ref.length + " kept: " + Arrays.toString(got) + " vs " + Arrays.toString(ref));
                }
            }
        }
    }

    @Test
    void classAgnosticNmsMatchesBruteForceWithOneClass() {
        Random rnd = new Random(4);
        for (int n : new int[] {1, 31, 200}) {
            float[] boxes = randomBoxes(rnd, n), scores = new float[n];
            for (int i = 0; i < n; i++) scores[i] = rnd.nextFloat();
            assertArrayEquals(bruteForce(boxes, scores, new int[n], n, 0.5f), Nms.nms(boxes, scores, n, 0.5f), "n=" + n);
        }
    }

    @Test
    void handMadeCase() {
        float[] boxes = {
                0, 0, 10, 10,   // 0: score 0.9
                1, 1, 11, 11,   // 1: IoU with 0 = 81/119 = 0.68 -> suppressed at 0.6 within its class
                20, 20, 30, 30, // 2
                0, 0, 10, 10,   // 3: same box as 0, other class
                5, 5, 5, 9};    // 4: degenerate (zero width): IoU 0 with everything, kept
        float[] scores = {0.9f, 0.8f, 0.5f, 0.7f, Float.NaN};
        int[] classes = {0, 0, 0, 1, 0};
        assertArrayEquals(new int[] {0, 3, 2}, Nms.batchedNms(boxes, scores, classes, 5, 0.6f));
        scores[4] = 0.1f;
        assertArrayEquals(new int[] {0, 3, 2, 4}, Nms.batchedNms(boxes, scores, classes, 5, 0.6f));
        assertArrayEquals(new int[] {0, 1, 3, 2, 4}, Nms.batchedNms(boxes, scores, classes, 5, 0.7f));
        assertArrayEquals(new int[] {0, 2, 4}, Nms.nms(boxes, scores, 5, 0.6f));
        assertEquals(81f / 119f, Nms.iou(boxes, 0, 1), 1e-6f);
        // equal scores keep the lower index first
        assertArrayEquals(new int[] {1, 2, 0}, Nms.orderByScore(new float[] {0.2f, 0.5f, 0.5f}, 3));
    }

    @Test
    void orderByScoreSortsNegativeZeroAndPositiveScores() {
        float[] s = {-3f, 0f, 2.5f, -0f, Float.NaN, 1e-30f, -1e-30f, 2.5f};
        // descending: 2.5 (2), 2.5 (7), 1e-30 (5), 0 (1), -0 (3) [equal to 0: index order], -1e-30 (6), -3 (0)
        assertArrayEquals(new int[] {2, 7, 5, 1, 3, 6, 0}, Nms.orderByScore(s, s.length));
    }
}
