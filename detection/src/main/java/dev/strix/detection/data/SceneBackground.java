package dev.strix.detection.data;

/**
 * Cluttered, textured backgrounds for {@link SyntheticScenes}: a two-colour gradient, optional stripes, soft blobs,
 * faint distractor strokes (thin lines and arcs that are not objects) and per-pixel noise. Colours are muted (low
 * saturation) except for the thin strokes. Pixels are packed {@code 0xRRGGBB}, row-major {@code (height, width)}.
 */
final class SceneBackground {
    private SceneBackground() {
    }

    static int[] paint(int width, int height, SeededRandom rng) {
        float[] r = new float[width * height], g = new float[width * height], b = new float[width * height];
        float[] c0 = muted(rng), c1 = muted(rng);
        double angle = rng.uniform(0, 2 * Math.PI), ca = Math.cos(angle), sa = Math.sin(angle);
        double span = Math.abs(ca) * width + Math.abs(sa) * height;
        boolean stripes = rng.chance(0.5);
        double sAngle = rng.uniform(0, Math.PI), sPeriod = rng.uniform(6, 40), sAmp = rng.uniform(8, 22);
        double sc = Math.cos(sAngle), ss = Math.sin(sAngle);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double t = ((x - width / 2.0) * ca + (y - height / 2.0) * sa) / span + 0.5;
                double s = stripes ? sAmp * Math.sin(2 * Math.PI * (x * sc + y * ss) / sPeriod) : 0;
                int i = y * width + x;
                r[i] = (float) (c0[0] + (c1[0] - c0[0]) * t + s);
                g[i] = (float) (c0[1] + (c1[1] - c0[1]) * t + s);
                b[i] = (float) (c0[2] + (c1[2] - c0[2]) * t + s);
            }
        }
        int blobs = rng.nextInt(3, 10);
        for (int k = 0; k < blobs; k++) blob(r, g, b, width, height, rng);
        int strokes = rng.nextInt(2, 7);
        for (int k = 0; k < strokes; k++) stroke(r, g, b, width, height, rng);
        double sigma = rng.uniform(3, 10);
        int[] out = new int[width * height];
        for (int i = 0; i < out.length; i++) {
            double n = sigma * rng.gaussian();
            out[i] = clamp(r[i] + n) << 16 | clamp(g[i] + n) << 8 | clamp(b[i] + n);
        }
        return out;
    }

    private static void blob(float[] r, float[] g, float[] b, int width, int height, SeededRandom rng) {
        float[] c = muted(rng);
        double cx = rng.uniform(0, width), cy = rng.uniform(0, height);
        double rx = rng.uniform(0.05, 0.35) * width, ry = rng.uniform(0.05, 0.35) * height, alpha = rng.uniform(0.2, 0.55);
        int x0 = Math.max(0, (int) (cx - 2 * rx)), x1 = Math.min(width, (int) (cx + 2 * rx) + 1);
        int y0 = Math.max(0, (int) (cy - 2 * ry)), y1 = Math.min(height, (int) (cy + 2 * ry) + 1);
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                double dx = (x + 0.5 - cx) / rx, dy = (y + 0.5 - cy) / ry;
                float a = (float) (alpha * Math.exp(-(dx * dx + dy * dy)));
                int i = y * width + x;
                r[i] += a * (c[0] - r[i]);
                g[i] += a * (c[1] - g[i]);
                b[i] += a * (c[2] - b[i]);
            }
        }
    }

    /** A thin quadratic curve (a straight line when the control point is on it), blended at low opacity. */
    private static void stroke(float[] r, float[] g, float[] b, int width, int height, SeededRandom rng) {
        float[] c = SceneColors.hsv(rng.uniform(0, 360), rng.uniform(0.3, 0.9), rng.uniform(0.3, 1.0));
        double ax = rng.uniform(0, width), ay = rng.uniform(0, height), bx = rng.uniform(0, width), by = rng.uniform(0, height);
        double mx = rng.uniform(0, width), my = rng.uniform(0, height);
        if (rng.chance(0.5)) {
            mx = (ax + bx) / 2;
            my = (ay + by) / 2;
        }
        double radius = rng.uniform(0.5, 1.3), alpha = rng.uniform(0.25, 0.6);
        double length = Math.hypot(bx - ax, by - ay) + Math.hypot(mx - ax, my - ay);
        int steps = (int) (length * 2) + 2;
        for (int s = 0; s <= steps; s++) {
            double t = (double) s / steps, u = 1 - t;
            double px = u * u * ax + 2 * u * t * mx + t * t * bx, py = u * u * ay + 2 * u * t * my + t * t * by;
            int xa = (int) Math.floor(px - radius), xb = (int) Math.ceil(px + radius);
            int ya = (int) Math.floor(py - radius), yb = (int) Math.ceil(py + radius);
            for (int y = Math.max(0, ya); y < Math.min(height, yb); y++) {
                for (int x = Math.max(0, xa); x < Math.min(width, xb); x++) {
                    if (Math.hypot(x + 0.5 - px, y + 0.5 - py) > radius) continue;
                    int i = y * width + x;
                    r[i] = (float) (r[i] + alpha * (c[0] - r[i]) / 2);
                    g[i] = (float) (g[i] + alpha * (c[1] - g[i]) / 2);
                    b[i] = (float) (b[i] + alpha * (c[2] - b[i]) / 2);
                }
            }
        }
    }

    private static float[] muted(SeededRandom rng) {
        return SceneColors.hsv(rng.uniform(0, 360), rng.uniform(0.0, 0.3), rng.uniform(0.2, 0.8));
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}
