package dev.strix.detection.bench;

import dev.strix.detection.data.Box;
import dev.strix.detection.data.ObjectAnnotation;

import java.util.ArrayList;
import java.util.List;

/**
 * Fixed synthetic ground truth for the benchmarks: a few seeded boxes per image whose sizes spread over all
 * three pyramid levels, so that target assignment and every loss term do real work.
 *
 * <p>Per image, from one {@link SplitMix64} stream seeded with {@code seed}, in this order:
 * <pre>
 *   count = 2 + nextInt(4)                              (2 to 5 objects)
 *   per object:
 *     side  = size * 0.08 * (0.9 / 0.08)^u1             (log-uniform longest side, 8% to 90% of the image)
 *     ratio = 2^(2 u2 - 1)                              (aspect w/h in [0.5, 2])
 *     w = side, h = side / ratio when ratio >= 1, else h = side, w = side * ratio
 *     x1 = u3 * (size - w), y1 = u4 * (size - h)        (inside the image)
 *     class = nextInt(classes)
 * </pre>
 * {@code benchmarks/pytorch/detnet_bench.py} implements the same recipe, so both sides train on identical
 * boxes and classes.
 */
public final class SyntheticTargets {
    private SyntheticTargets() {}

    /**
     * @param batch   images N (>= 1)
     * @param size    image side in pixels (>= 1)
     * @param classes number of classes (>= 1)
     * @param seed    seed of the generator
     * @return N lists of objects, boxes in input-pixel coordinates
     */
    public static List<List<ObjectAnnotation>> generate(int batch, int size, int classes, long seed) {
        if (batch < 1 || size < 1 || classes < 1)
            throw new IllegalArgumentException("need batch, size and classes >= 1; got " + batch + ", " + size
                    + ", " + classes);
        SplitMix64 rnd = new SplitMix64(seed);
        List<List<ObjectAnnotation>> all = new ArrayList<>(batch);
        for (int n = 0; n < batch; n++) {
            int count = 2 + rnd.nextInt(4);
            List<ObjectAnnotation> objects = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                double side = size * 0.08 * Math.pow(0.9 / 0.08, rnd.nextDouble());
                double ratio = Math.pow(2.0, 2.0 * rnd.nextDouble() - 1.0);
                double w = ratio >= 1 ? side : side * ratio, h = ratio >= 1 ? side / ratio : side;
                double x1 = rnd.nextDouble() * (size - w), y1 = rnd.nextDouble() * (size - h);
                int cls = rnd.nextInt(classes);
                objects.add(ObjectAnnotation.of(new Box((float) x1, (float) y1, (float) (x1 + w), (float) (y1 + h)), cls));
            }
            all.add(List.copyOf(objects));
        }
        return List.copyOf(all);
    }

    /**
     * A seeded input batch (N, 3, size, size) of values uniform in [0, 1), as a flat array.
     *
     * @param batch images N
     * @param size  image side
     * @param seed  seed of the generator
     */
    public static float[] images(int batch, int size, long seed) {
        long n = (long) batch * 3 * size * size;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("input of " + n + " floats is too large");
        float[] x = new float[(int) n];
        SplitMix64 rnd = new SplitMix64(seed);
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextDouble();
        return x;
    }
}
