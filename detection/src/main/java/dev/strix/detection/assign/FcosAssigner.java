package dev.strix.detection.assign;

import dev.strix.detection.data.Box;
import dev.strix.detection.data.ObjectAnnotation;

import java.util.Arrays;
import java.util.List;

/**
 * FCOS target assignment (Tian et al., "FCOS: Fully Convolutional One-Stage Object Detection", ICCV 2019, with
 * the centre sampling of its later versions).
 *
 * <p>For a location at {@code (x, y)} (see {@link LevelGrid}) on a level of stride s and an object box
 * {@code (x1, y1, x2, y2)} with centre {@code (cx, cy)}:
 * <pre>
 *   l = x - x1,  t = y - y1,  r = x2 - x,  b = y2 - y
 *   centre region  = [max(cx - R*s, x1), min(cx + R*s, x2)] x [max(cy - R*s, y1), min(cy + R*s, y2)]
 *   candidate      = (x, y) strictly inside the centre region (hence inside the box)
 *                    and lo_k &lt;= max(l, t, r, b) &lt;= hi_k, the level's scale range
 *   positive       = the candidate box of smallest area wins (equal areas: the earlier object in the list)
 *   class target   = that box's class; regression target (l, t, r, b) in pixels;
 *   centerness     = sqrt( min(l, r)/max(l, r) * min(t, b)/max(t, b) )
 * </pre>
 * R is {@link FcosAssignerConfig#centerRadius()} (1.5); with R &lt;= 0 the centre region is the whole box.
 * Crowd objects (and difficult ones when {@link FcosAssignerConfig#difficultAsIgnore()}) make no positives;
 * every location strictly inside such a box that is not positive for another object becomes
 * {@link Assignment#IGNORE}. Boxes that are not {@link Box#isValid() valid} are skipped.
 *
 * <p>Cost: each box visits only the grid cells its centre region covers on the levels whose range its size
 * can reach (max(l, t, r, b) lies in [max(w, h)/2, max(w, h)] inside a box), so a batch costs
 * O(N*L + sum over boxes of the cells they cover). An instance keeps scratch arrays: use one per thread.
 */
public final class FcosAssigner {
    private final FcosAssignerConfig config;
    private float[] bestArea = new float[0];

    public FcosAssigner(FcosAssignerConfig config) {
        this.config = config;
    }

    /** The assigner of DetNet's recipe ({@link FcosAssignerConfig#defaults()}). */
    public FcosAssigner() {
        this(FcosAssignerConfig.defaults());
    }

    public FcosAssignerConfig config() {
        return config;
    }

    /** The grid of an {@code inputHeight x inputWidth} input with this assigner's strides. */
    public LevelGrid grid(int inputHeight, int inputWidth) {
        return LevelGrid.of(inputHeight, inputWidth, config.strides());
    }

    /**
     * Assigns targets for a batch into a new {@link Assignment}.
     *
     * @param targets per image (N lists), its objects with boxes in input-pixel coordinates
     * @param grid    the locations; its strides must be the configured ones
     */
    public Assignment assign(List<List<ObjectAnnotation>> targets, LevelGrid grid) {
        return assign(targets, grid, new Assignment());
    }

    /**
     * Assigns targets for a batch into {@code into}, reusing its arrays when the batch has the same size.
     *
     * @param targets per image (N lists), its objects with boxes in input-pixel coordinates
     * @param grid    the locations; its strides must be the configured ones
     * @param into    the assignment to overwrite
     * @return into
     */
    public Assignment assign(List<List<ObjectAnnotation>> targets, LevelGrid grid, Assignment into) {
        if (grid.numLevels() != config.strides().length)
            throw new IllegalArgumentException("grid has " + grid.numLevels() + " levels, the assigner "
                    + config.strides().length);
        for (int k = 0; k < grid.numLevels(); k++)
            if (grid.stride(k) != config.stride(k))
                throw new IllegalArgumentException("level " + k + " has stride " + grid.stride(k) + ", the assigner "
                        + config.stride(k));
        into.reset(grid, targets.size());
        int locations = grid.numLocations();
        if (bestArea.length < locations) bestArea = new float[locations];
        for (int n = 0; n < targets.size(); n++) assignImage(targets.get(n), grid, n, into);
        return into;
    }

    private boolean ignoredRegion(ObjectAnnotation o) {
        return o.crowd() || (config.difficultAsIgnore() && o.difficult());
    }

    private void assignImage(List<ObjectAnnotation> objects, LevelGrid grid, int image, Assignment out) {
        int locations = grid.numLocations(), base = image * locations;
        int[] match = out.matchedObject(), classes = out.classes();
        Arrays.fill(bestArea, 0, locations, Float.POSITIVE_INFINITY);
        boolean anyIgnored = false;
        for (int idx = 0; idx < objects.size(); idx++) {
            ObjectAnnotation o = objects.get(idx);
            if (ignoredRegion(o)) {
                anyIgnored = true;
                continue;
            }
            Box box = o.box();
            if (!box.isValid()) continue;
            if (o.classIndex() < 0)
                throw new IllegalArgumentException("image " + image + ", object " + idx + ": class index "
                        + o.classIndex() + " is negative");
            for (int k = 0; k < grid.numLevels(); k++) markCandidates(box, idx, grid, k, base, match);
        }
        float[] xs = grid.xs(), ys = grid.ys(), ltrb = out.ltrb(), ctr = out.centerness();
        int positives = 0;
        for (int q = 0; q < locations; q++) {
            int idx = match[base + q];
            if (idx < 0) continue;
            ObjectAnnotation o = objects.get(idx);
            Box b = o.box();
            float l = xs[q] - b.x1(), t = ys[q] - b.y1(), r = b.x2() - xs[q], bo = b.y2() - ys[q];
            int row = base + q;
            classes[row] = o.classIndex();
            ltrb[4 * row] = l;
            ltrb[4 * row + 1] = t;
            ltrb[4 * row + 2] = r;
            ltrb[4 * row + 3] = bo;
            ctr[row] = Assignment.centerness(l, t, r, bo);
            positives++;
        }
        int ignored = 0;
        if (anyIgnored) {
            for (ObjectAnnotation o : objects) {
                if (!ignoredRegion(o) || !o.box().isValid()) continue;
                for (int k = 0; k < grid.numLevels(); k++) ignored += markIgnored(o.box(), grid, k, base, classes);
            }
        }
        out.setCounts(image, positives, ignored);
    }

    /** Records object idx at every location of level k that is a candidate for it and for which it is the smallest. */
    private void markCandidates(Box box, int idx, LevelGrid grid, int k, int base, int[] match) {
        float maxSide = Math.max(box.width(), box.height());
        if (maxSide < config.low(k) || 0.5f * maxSide > config.high(k)) return; // no location can fit the range
        int s = grid.stride(k);
        float xmin = box.x1(), xmax = box.x2(), ymin = box.y1(), ymax = box.y2();
        if (config.centerRadius() > 0f) {
            float rad = config.centerRadius() * s, cx = box.centerX(), cy = box.centerY();
            xmin = Math.max(cx - rad, xmin);
            xmax = Math.min(cx + rad, xmax);
            ymin = Math.max(cy - rad, ymin);
            ymax = Math.min(cy + rad, ymax);
        }
        int w = grid.width(k), offset = grid.levelOffset(k);
        int jLo = firstIndex(xmin, s), jHi = lastIndex(xmax, s, w);
        int iLo = firstIndex(ymin, s), iHi = lastIndex(ymax, s, grid.height(k));
        float lo = config.low(k), hi = config.high(k), area = box.area();
        for (int i = iLo; i <= iHi; i++) {
            float y = LevelGrid.center(i, s);
            if (!(y > ymin && y < ymax)) continue;
            float t = y - box.y1(), b = box.y2() - y, tb = Math.max(t, b);
            for (int j = jLo; j <= jHi; j++) {
                float x = LevelGrid.center(j, s);
                if (!(x > xmin && x < xmax)) continue;
                float m = Math.max(tb, Math.max(x - box.x1(), box.x2() - x));
                if (m < lo || m > hi) continue;
                int q = offset + i * w + j;
                if (area < bestArea[q]) { // strict: on equal areas the earlier object keeps the location
                    bestArea[q] = area;
                    match[base + q] = idx;
                }
            }
        }
    }

    /** Turns background locations of level k strictly inside {@code box} into ignored ones; returns how many. */
    private static int markIgnored(Box box, LevelGrid grid, int k, int base, int[] classes) {
        int s = grid.stride(k), w = grid.width(k), offset = grid.levelOffset(k);
        int jLo = firstIndex(box.x1(), s), jHi = lastIndex(box.x2(), s, w);
        int iLo = firstIndex(box.y1(), s), iHi = lastIndex(box.y2(), s, grid.height(k));
        int count = 0;
        for (int i = iLo; i <= iHi; i++) {
            float y = LevelGrid.center(i, s);
            if (!(y > box.y1() && y < box.y2())) continue;
            for (int j = jLo; j <= jHi; j++) {
                float x = LevelGrid.center(j, s);
                if (!(x > box.x1() && x < box.x2())) continue;
                int row = base + offset + i * w + j;
                if (classes[row] == Assignment.BACKGROUND) {
                    classes[row] = Assignment.IGNORE;
                    count++;
                }
            }
        }
        return count;
    }

    /** A grid index at or below the first location right of {@code v} (the loop re-checks strictly). */
    private static int firstIndex(float v, int stride) {
        return (int) Math.max(0, Math.floor((v - stride / 2) / stride));
    }

    /** A grid index at or above the last location left of {@code v}, clamped to size - 1. */
    private static int lastIndex(float v, int stride, int size) {
        return (int) Math.min(size - 1, Math.ceil((v - stride / 2) / stride));
    }
}
