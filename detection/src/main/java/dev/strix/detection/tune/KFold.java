package dev.strix.detection.tune;

import dev.strix.detection.data.SeededRandom;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * K-fold splitting of {@code n} images: the indices {@code 0..n-1} are shuffled by a Fisher-Yates pass driven by
 * {@link SeededRandom}{@code (seed)} and cut into {@code k} contiguous runs whose sizes differ by at most one
 * (fold f holds positions {@code [f n / k, (f + 1) n / k)}). The folds are disjoint, together cover every index,
 * and depend only on {@code (n, k, seed)}.
 *
 * @param n     images
 * @param k     folds
 * @param folds {@code [k][~n/k]} the held-out indices of each fold, each sorted ascending
 */
public record KFold(int n, int k, List<int[]> folds) {
    public KFold {
        folds = folds.stream().map(int[]::clone).toList();
    }

    /**
     * @throws IllegalArgumentException unless {@code 2 <= k <= n}
     */
    public static KFold split(int n, int k, long seed) {
        if (k < 2) throw new IllegalArgumentException("k-fold cross-validation needs at least 2 folds, got " + k);
        if (k > n)
            throw new IllegalArgumentException(k + " folds need at least " + k + " training images, the split has " + n);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        SeededRandom random = new SeededRandom(SeededRandom.mix(seed, n, k));
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        List<int[]> folds = new ArrayList<>(k);
        for (int f = 0; f < k; f++) {
            int[] held = Arrays.copyOfRange(order, (int) ((long) f * n / k), (int) ((long) (f + 1) * n / k));
            Arrays.sort(held);
            folds.add(held);
        }
        return new KFold(n, k, folds);
    }

    /** The held-out indices of fold {@code f} (sorted). */
    public int[] heldOut(int f) {
        return folds.get(f).clone();
    }

    /** The training indices of fold {@code f}: every index not held out by it (sorted). */
    public int[] training(int f) {
        boolean[] held = new boolean[n];
        for (int i : folds.get(f)) held[i] = true;
        int[] out = new int[n - folds.get(f).length];
        int m = 0;
        for (int i = 0; i < n; i++) if (!held[i]) out[m++] = i;
        return out;
    }

    /** The largest training part over the folds. */
    public int largestTraining() {
        int min = Integer.MAX_VALUE;
        for (int[] f : folds) min = Math.min(min, f.length);
        return n - min;
    }
}
