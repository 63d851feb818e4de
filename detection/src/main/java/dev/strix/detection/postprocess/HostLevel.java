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
}
