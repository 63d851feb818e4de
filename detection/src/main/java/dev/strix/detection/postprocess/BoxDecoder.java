package dev.strix.detection.postprocess;

import dev.strix.detection.assign.LevelGrid;
import dev.strix.detection.data.Box;

/**
 * Turns distances (l, t, r, b) from a location (x, y) into the box {@code (x - l, y - t, x + r, y + b)}, the
 * inverse of the FCOS regression target (see {@link dev.strix.detection.assign.FcosAssigner}).
 */
public final class BoxDecoder {
    private BoxDecoder() {}

    /** The box around {@code (x, y)} whose sides lie at distances l, t, r, b. */
    public static Box decode(float x, float y, float l, float t, float r, float b) {
        return new Box(x - l, y - t, x + r, y + b);
    }

    /**
     * The box of flat location {@code location} of {@code grid} from distances stored as {@code ltrb[4*row ..]}.
     *
     * @param ltrb     distances, (rows, 4) flat
     * @param row      row of ltrb to read
     * @param grid     the locations
     * @param location flat location index in the grid (row % L for batched rows)
     */
    public static Box decode(float[] ltrb, int row, LevelGrid grid, int location) {
        return decode(grid.xs()[location], grid.ys()[location], ltrb[4 * row], ltrb[4 * row + 1], ltrb[4 * row + 2],
                ltrb[4 * row + 3]);
    }

    /**
     * Decodes {@code count} boxes into {@code out} as (x1, y1, x2, y2) rows, from distances and location points.
     *
     * @param out  decoded boxes, (count, 4) flat
     * @param ltrb distances, (count, 4) flat
     * @param xs   location x, (count)
     * @param ys   location y, (count)
     */
    public static void decode(float[] out, float[] ltrb, float[] xs, float[] ys, int count) {
        for (int i = 0; i < count; i++) {
            out[4 * i] = xs[i] - ltrb[4 * i];
            out[4 * i + 1] = ys[i] - ltrb[4 * i + 1];
            out[4 * i + 2] = xs[i] + ltrb[4 * i + 2];
            out[4 * i + 3] = ys[i] + ltrb[4 * i + 3];
        }
    }
}
