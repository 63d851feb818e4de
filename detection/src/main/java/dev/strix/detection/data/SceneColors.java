package dev.strix.detection.data;

/** HSV to RGB for the synthetic scenes. */
final class SceneColors {
    private SceneColors() {
    }

    /** {@code (r, g, b)} in [0, 255] for hue in degrees, saturation and value in [0, 1]. */
    static float[] hsv(double hue, double sat, double val) {
        double h = ((hue % 360) + 360) % 360 / 60.0;
        int sector = (int) Math.floor(h) % 6;
        double f = h - Math.floor(h);
        double p = val * (1 - sat), q = val * (1 - sat * f), t = val * (1 - sat * (1 - f));
        double r, g, b;
        switch (sector) {
            case 0 -> { r = val; g = t; b = p; }
            case 1 -> { r = q; g = val; b = p; }
            case 2 -> { r = p; g = val; b = t; }
            case 3 -> { r = p; g = q; b = val; }
            case 4 -> { r = t; g = p; b = val; }
            default -> { r = val; g = p; b = q; }
        }
        return new float[] {(float) (r * 255), (float) (g * 255), (float) (b * 255)};
    }

    /** Packed {@code 0xRRGGBB}. */
    static int packed(float[] rgb) {
        return Math.round(rgb[0]) << 16 | Math.round(rgb[1]) << 8 | Math.round(rgb[2]);
    }
}
