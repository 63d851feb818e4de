package dev.strix.detection.assign;

import java.util.Arrays;

/**
 * Settings of {@link FcosAssigner}.
 *
 * @param strides           level strides, finest first, shape (K)
 * @param rangeLow          lower bound per level on max(l, t, r, b), inclusive, shape (K)
 * @param rangeHigh         upper bound per level on max(l, t, r, b), inclusive (may be infinite), shape (K)
 * @param centerRadius      centre-sampling radius in strides (FCOS uses 1.5); 0 or less disables centre sampling,
 *                          so that every location inside the box is a candidate
 * @param difficultAsIgnore treat VOC "difficult" objects like crowd regions (ignored) instead of as objects
 */
public record FcosAssignerConfig(int[] strides, float[] rangeLow, float[] rangeHigh, float centerRadius,
                                 boolean difficultAsIgnore) {
    public FcosAssignerConfig {
        if (strides.length == 0 || rangeLow.length != strides.length || rangeHigh.length != strides.length)
            throw new IllegalArgumentException("one stride and one range per level: strides " + Arrays.toString(strides)
                    + ", low " + Arrays.toString(rangeLow) + ", high " + Arrays.toString(rangeHigh));
        for (int k = 0; k < strides.length; k++) {
            if (strides[k] <= 0) throw new IllegalArgumentException("stride must be positive: " + strides[k]);
            if (!(rangeLow[k] <= rangeHigh[k]))
                throw new IllegalArgumentException("level " + k + ": range [" + rangeLow[k] + ", " + rangeHigh[k] + "]");
        }
        if (!Float.isFinite(centerRadius)) throw new IllegalArgumentException("centre radius must be finite");
        strides = strides.clone();
        rangeLow = rangeLow.clone();
        rangeHigh = rangeHigh.clone();
    }

    /** DetNet's recipe: strides 8, 16, 32 with ranges [0, 64], [64, 128], [128, inf), radius 1.5 strides. */
    public static FcosAssignerConfig defaults() {
        return new FcosAssignerConfig(new int[] {8, 16, 32}, new float[] {0f, 64f, 128f},
                new float[] {64f, 128f, Float.POSITIVE_INFINITY}, 1.5f, false);
    }

    @Override
    public int[] strides() {
        return strides.clone();
    }

    @Override
    public float[] rangeLow() {
        return rangeLow.clone();
    }

    @Override
    public float[] rangeHigh() {
        return rangeHigh.clone();
    }

    int stride(int k) {
        return strides[k];
    }

    float low(int k) {
        return rangeLow[k];
    }

    float high(int k) {
        return rangeHigh[k];
    }

    @Override
    public boolean equals(Object o) {
        if (o == null || o.getClass() != FcosAssignerConfig.class) return false;
        FcosAssignerConfig c = (FcosAssignerConfig) o;
        return Arrays.equals(strides, c.strides)
                && Arrays.equals(rangeLow, c.rangeLow) && Arrays.equals(rangeHigh, c.rangeHigh)
                && Float.compare(centerRadius, c.centerRadius) == 0 && difficultAsIgnore == c.difficultAsIgnore;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(strides) * 31 + Arrays.hashCode(rangeLow) * 17 + Arrays.hashCode(rangeHigh)
                + Float.hashCode(centerRadius) + (difficultAsIgnore ? 1 : 0);
    }

    @Override
    public String toString() {
        return "FcosAssignerConfig[strides=" + Arrays.toString(strides) + ", low=" + Arrays.toString(rangeLow)
                + ", high=" + Arrays.toString(rangeHigh) + ", centerRadius=" + centerRadius
                + ", difficultAsIgnore=" + difficultAsIgnore + "]";
    }
}
