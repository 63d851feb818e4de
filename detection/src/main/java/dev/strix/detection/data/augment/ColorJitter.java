package dev.strix.detection.data.augment;

import dev.strix.detection.data.SeededRandom;

/**
 * Random photometric changes on a {@code (3, S, S)} frame with values in [0, 1]: brightness (value scaled by
 * {@code 1 +- brightness}), saturation ({@code 1 +- saturation}) and hue ({@code +- hueDegrees}) in HSV, then
 * contrast ({@code 1 +- contrast}) around the frame's mean luminance. Results are clamped to [0, 1].
 */
public record ColorJitter(double brightness, double contrast, double saturation, double hueDegrees) {
    /** No change. */
    public static final ColorJitter NONE = new ColorJitter(0, 0, 0, 0);

    public ColorJitter {
        if (brightness < 0 || brightness >= 1 || contrast < 0 || contrast >= 1 || saturation < 0 || saturation >= 1
                || hueDegrees < 0 || hueDegrees > 180)
            throw new IllegalArgumentException("colour jitter out of range: brightness, contrast, saturation in [0, 1), "
                    + "hue in [0, 180] degrees; got " + this);
    }

    public boolean isIdentity() {
        return brightness == 0 && contrast == 0 && saturation == 0 && hueDegrees == 0;
    }

    /** Applies one random draw to {@code chw (3, size, size)} in place. */
    public void apply(float[] chw, int size, SeededRandom rng) {
        float fv = (float) rng.uniform(1 - brightness, 1 + brightness);
        float fs = (float) rng.uniform(1 - saturation, 1 + saturation);
        float dh = (float) (rng.uniform(-hueDegrees, hueDegrees) / 60.0);
        float fc = (float) rng.uniform(1 - contrast, 1 + contrast);
        if (isIdentity()) return;
        int plane = size * size;
        double lumaSum = 0;
        for (int i = 0; i < plane; i++) {
            float r = chw[i], g = chw[plane + i], b = chw[2 * plane + i];
            float max = Math.max(r, Math.max(g, b)), min = Math.min(r, Math.min(g, b)), d = max - min;
            float h = 0;
            if (d > 0) {
                if (max == r) h = (g - b) / d;
                else if (max == g) h = 2 + (b - r) / d;
                else h = 4 + (r - g) / d;
            }
            float s = max > 0 ? d / max : 0;
            float v = Math.min(1f, max * fv);
            s = Math.min(1f, s * fs);
            h = (h + dh) % 6f;
            if (h < 0) h += 6f;
            int sector = Math.min(5, (int) h);
            float f = h - sector, p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
            switch (sector) {
                case 0 -> { r = v; g = t; b = p; }
                case 1 -> { r = q; g = v; b = p; }
                case 2 -> { r = p; g = v; b = t; }
                case 3 -> { r = p; g = q; b = v; }
                case 4 -> { r = t; g = p; b = v; }
                default -> { r = v; g = p; b = q; }
            }
            chw[i] = r;
            chw[plane + i] = g;
            chw[2 * plane + i] = b;
            lumaSum += 0.299 * r + 0.587 * g + 0.114 * b;
        }
        float mean = (float) (lumaSum / plane);
        for (int i = 0; i < 3 * plane; i++) chw[i] = Math.clamp((chw[i] - mean) * fc + mean, 0f, 1f);
    }
}
