package dev.strix.detection.postprocess;

import dev.strix.detection.model.LevelOutput;

import java.util.Arrays;

/**
 * One level's head outputs copied to the host, in the model's NCHW layout.
 *
 * @param cls    class logits, (N, C, h, w) flat
 * @param box    distances (l, t, r, b) in input pixels, (N, 4, h, w) flat
 * @param ctr    centerness logits, (N, 1, h, w) flat
 * @param n      N
 * @param classes C
 * @param height h
 * @param width  w
 * @param stride input pixels per location
 */
public record HostLevel(float[] cls, float[] box, float[] ctr, int n, int classes, int height, int width, int stride) {
    public HostLevel {
        int hw = height * width;
        if (cls.length != n * classes * hw || box.length != n * 4 * hw || ctr.length != n * hw)
            throw new IllegalArgumentException("arrays of " + cls.length + ", " + box.length + ", " + ctr.length
                    + " values do not fit N=" + n + ", C=" + classes + ", " + height + "x" + width);
    }

    /** Downloads a level's tensors (one {@code toArray()} per tensor). */
    public static HostLevel of(LevelOutput o) {
        int[] s = o.cls().shape();
        if (s.length != 4) throw new IllegalArgumentException("cls must be (N, C, h, w), got " + Arrays.toString(s));
        return new HostLevel(o.cls().toArray(), o.box().toArray(), o.ctr().toArray(), s[0], s[1], s[2], s[3], o.stride());
    }

    /**
     * This level of a softmax classifier, (N, C+1, h, w) logits with the background last, as the (N, C, h, w)
     * logits of the class probabilities, so that sigmoid post-processing applies unchanged.
     */
    public HostLevel withoutBackground() {
        int n = n(), all = classes(), c = all - 1, hw = height() * width();
        float[] in = cls(), out = new float[n * c * hw];
        for (int i = 0; i < n; i++)
            for (int q = 0; q < hw; q++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < all; k++) max = Math.max(max, in[(i * all + k) * hw + q]);
                double sum = 0;
                for (int k = 0; k < all; k++) sum += Math.exp(in[(i * all + k) * hw + q] - max);
                for (int k = 0; k < c; k++) {
                    double p = Math.exp(in[(i * all + k) * hw + q] - max) / sum;
                    p = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
                    out[(i * c + k) * hw + q] = (float) Math.log(p / (1 - p));
                }
            }
        return new HostLevel(out, box(), ctr(), n, c, height(), width(), stride());
    }
}
