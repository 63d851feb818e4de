package dev.strix.detection.data;

import java.awt.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The objects of one synthetic scene and which object each pixel shows: {@code owner[y * width + x]} is the index of
 * the topmost object covering the pixel centre, or -1 for background. Later objects are drawn over earlier ones.
 */
final class SceneLayout {
    /** One placed object: its shape, class, packed colour and the full (unclipped) outline box. */
    record Placed(SyntheticShape shape, int classIndex, int color, double x, double y, double w, double h) {
        Shape outline() {
            return shape.outline(x, y, w, h);
        }
    }

    /** Objects whose visible pixels are below this fraction of their full drawn area are marked difficult. */
    static final double DIFFICULT_VISIBLE_FRACTION = 0.35;
    /** Objects with fewer visible pixels than this are marked difficult. */
    static final int DIFFICULT_MIN_PIXELS = 16;
    /** The smallest object side drawn, in pixels. */
    static final double MIN_SIDE = 8;

    final int width, height;
    final List<Placed> placed;
    final int[] owner;
    final List<ObjectAnnotation> annotations;
    /** For each annotation, the index into {@link #placed} of the object it describes. */
    final int[] annotationToPlaced;

    private SceneLayout(int width, int height, List<Placed> placed) {
        this.width = width;
        this.height = height;
        this.placed = placed;
        this.owner = new int[width * height];
        java.util.Arrays.fill(owner, -1);
        long[] full = new long[placed.size()], inImage = new long[placed.size()];
        for (int k = 0; k < placed.size(); k++) rasterize(k, full, inImage);
        List<ObjectAnnotation> anns = new ArrayList<>();
        List<Integer> map = new ArrayList<>();
        int n = placed.size();
        int[] minX = new int[n], minY = new int[n], maxX = new int[n], maxY = new int[n];
        long[] visible = new long[n];
        java.util.Arrays.fill(minX, Integer.MAX_VALUE);
        java.util.Arrays.fill(minY, Integer.MAX_VALUE);
        java.util.Arrays.fill(maxX, -1);
        java.util.Arrays.fill(maxY, -1);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int k = owner[y * width + x];
                if (k < 0) continue;
                visible[k]++;
                minX[k] = Math.min(minX[k], x);
                maxX[k] = Math.max(maxX[k], x);
                minY[k] = Math.min(minY[k], y);
                maxY[k] = Math.max(maxY[k], y);
            }
        }
        for (int k = 0; k < n; k++) {
            if (visible[k] == 0) continue;
            Placed p = placed.get(k);
            boolean truncated = inImage[k] < full[k];
            boolean difficult = visible[k] < DIFFICULT_MIN_PIXELS || visible[k] < DIFFICULT_VISIBLE_FRACTION * full[k];
            Box box = new Box(minX[k], minY[k], maxX[k] + 1, maxY[k] + 1);
            anns.add(new ObjectAnnotation(box, p.classIndex, difficult, truncated, false));
            map.add(k);
        }
        this.annotations = List.copyOf(anns);
        this.annotationToPlaced = map.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Marks the in-image pixels of object {@code k} as owned by it; counts all its pixels and the in-image ones. */
    private void rasterize(int k, long[] full, long[] inImage) {
        Placed p = placed.get(k);
        Shape s = p.outline();
        int x0 = (int) Math.floor(p.x), x1 = (int) Math.ceil(p.x + p.w);
        int y0 = (int) Math.floor(p.y), y1 = (int) Math.ceil(p.y + p.h);
        long count = 0, inside = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                if (!s.contains(x + 0.5, y + 0.5)) continue;
                count++;
                if (x >= 0 && x < width && y >= 0 && y < height) {
                    owner[y * width + x] = k;
                    inside++;
                }
            }
        }
        full[k] = count;
        inImage[k] = inside;
    }

    /** Draws a scene of {@code width x height} from {@code rng}: 1 to 7 objects, sizes log-uniform from 8 px to half the short side. */
    static SceneLayout generate(int width, int height, int numClasses, SeededRandom rng) {
        int count = rng.nextInt(1, 7);
        double maxSide = Math.max(MIN_SIDE + 1, Math.min(width, height) / 2.0);
        List<Placed> placed = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            for (int attempt = 0; attempt < 20; attempt++) {
                Placed p = candidate(width, height, numClasses, maxSide, rng);
                if (acceptable(p, placed)) {
                    placed.add(p);
                    break;
                }
            }
        }
        return new SceneLayout(width, height, List.copyOf(placed));
    }

    private static Placed candidate(int width, int height, int numClasses, double maxSide, SeededRandom rng) {
        int cls = rng.nextInt(numClasses);
        SyntheticShape shape = SyntheticShape.values()[cls];
        double side = rng.logUniform(MIN_SIDE, maxSide);
        double w, h;
        if (shape == SyntheticShape.BAR) {
            double thin = side * rng.uniform(0.2, 0.33);
            boolean horizontal = rng.chance(0.5);
            w = horizontal ? side : Math.max(3, thin);
            h = horizontal ? Math.max(3, thin) : side;
        } else {
            double aspect = Math.sqrt(rng.uniform(0.8, 1.25));
            w = side * aspect;
            h = side / aspect;
        }
        double x, y;
        if (rng.chance(0.15)) {
            // truncated at a border: the centre lies within 30% of the object's size of the edge, on either side
            x = rng.uniform(0, width - w);
            y = rng.uniform(0, height - h);
            switch (rng.nextInt(4)) {
                case 0 -> x = -w / 2 + rng.uniform(-0.3, 0.3) * w;
                case 1 -> x = width - w / 2 + rng.uniform(-0.3, 0.3) * w;
                case 2 -> y = -h / 2 + rng.uniform(-0.3, 0.3) * h;
                default -> y = height - h / 2 + rng.uniform(-0.3, 0.3) * h;
            }
        } else {
            x = rng.uniform(0, Math.max(0, width - w));
            y = rng.uniform(0, Math.max(0, height - h));
        }
        float[] rgb = SceneColors.hsv(shape.hue() + rng.uniform(-8, 8), rng.uniform(0.65, 1.0), rng.uniform(0.6, 1.0));
        return new Placed(shape, cls, SceneColors.packed(rgb), x, y, w, h);
    }

    /** Overlaps are allowed, but not a near-duplicate or an object swallowing most of another. */
    private static boolean acceptable(Placed p, List<Placed> placed) {
        for (Placed q : placed) {
            double iw = Math.min(p.x + p.w, q.x + q.w) - Math.max(p.x, q.x);
            double ih = Math.min(p.y + p.h, q.y + q.h) - Math.max(p.y, q.y);
            if (iw <= 0 || ih <= 0) continue;
            double inter = iw * ih;
            if (inter > 0.45 * Math.min(p.w * p.h, q.w * q.h)) return false;
        }
        return true;
    }
}
