package dev.strix.detection.assign;

import dev.strix.detection.model.LevelOutput;

import java.util.Arrays;
import java.util.List;

/**
 * The output locations of a feature pyramid for one input size, flattened over all levels.
 *
 * <p>Level {@code k} has stride {@code s_k} and a {@code h_k x w_k} grid with {@code h_k = ceil(H / s_k)},
 * {@code w_k = ceil(W / s_k)} (exactly {@code H / s_k} for the multiples of 32 that DetNet takes; the ceiling is
 * what a chain of stride-2, padding-1 3x3 convolutions produces otherwise). Location {@code (i, j)} (row i,
 * column j) of level k sits at the input-pixel point
 * <pre>  x = floor(s_k / 2) + j * s_k,   y = floor(s_k / 2) + i * s_k</pre>
 * as in FCOS (Tian et al. 2019, {@code shifts + stride // 2}).
 *
 * <p>Flat order (used by {@link Assignment}, {@link FcosLoss} and the post-processor): level-major, then
 * row-major {@code (i, j)} inside a level; location {@code q} of level k has flat index
 * {@code levelOffset(k) + i * w_k + j}, and {@code numLocations() = sum_k h_k * w_k}.
 * Instances are immutable.
 */
public final class LevelGrid {
    private final int inputHeight, inputWidth;
    private final int[] strides, heights, widths, offsets;
    private final float[] x, y, locationStride;

    private LevelGrid(int inputHeight, int inputWidth, int[] strides, int[] heights, int[] widths) {
        if (inputHeight <= 0 || inputWidth <= 0)
            throw new IllegalArgumentException("input size must be positive, got " + inputHeight + "x" + inputWidth);
        if (strides.length == 0) throw new IllegalArgumentException("a grid needs at least one level");
        this.inputHeight = inputHeight;
        this.inputWidth = inputWidth;
        this.strides = strides.clone();
        this.heights = heights.clone();
        this.widths = widths.clone();
        offsets = new int[strides.length + 1];
        for (int k = 0; k < strides.length; k++) {
            if (strides[k] <= 0 || heights[k] <= 0 || widths[k] <= 0)
                throw new IllegalArgumentException("level " + k + ": stride " + strides[k] + ", size " + heights[k]
                        + "x" + widths[k] + " must be positive");
            offsets[k + 1] = offsets[k] + heights[k] * widths[k];
        }
        int n = offsets[strides.length];
        x = new float[n];
        y = new float[n];
        locationStride = new float[n];
        for (int k = 0; k < strides.length; k++) {
            int s = strides[k], at = offsets[k];
            for (int i = 0; i < heights[k]; i++) {
                for (int j = 0; j < widths[k]; j++, at++) {
                    x[at] = center(j, s);
                    y[at] = center(i, s);
                    locationStride[at] = s;
                }
            }
        }
    }

    /** The grid of an {@code inputHeight x inputWidth} input with the given level strides (ceil division). */
    public static LevelGrid of(int inputHeight, int inputWidth, int... strides) {
        int[] h = new int[strides.length], w = new int[strides.length];
        for (int k = 0; k < strides.length; k++) {
            if (strides[k] <= 0) throw new IllegalArgumentException("stride must be positive, got " + strides[k]);
            h[k] = Math.ceilDiv(inputHeight, strides[k]);
            w[k] = Math.ceilDiv(inputWidth, strides[k]);
        }
        return new LevelGrid(inputHeight, inputWidth, strides, h, w);
    }

    /** The grid whose level sizes and strides are those of the model outputs (cls of shape (N, C, h, w)). */
    public static LevelGrid of(int inputHeight, int inputWidth, List<LevelOutput> outputs) {
        int levels = outputs.size();
        int[] s = new int[levels], h = new int[levels], w = new int[levels];
        for (int k = 0; k < levels; k++) {
            LevelOutput o = outputs.get(k);
            s[k] = o.stride();
            h[k] = o.cls().size(2);
            w[k] = o.cls().size(3);
        }
        return new LevelGrid(inputHeight, inputWidth, s, h, w);
    }

    /** Input-pixel coordinate of grid index {@code index} on a level of stride {@code stride}. */
    public static float center(int index, int stride) {
        return stride / 2 + (float) index * stride;
    }

    public int inputHeight() {
        return inputHeight;
    }

    public int inputWidth() {
        return inputWidth;
    }

    public int numLevels() {
        return strides.length;
    }

    /** Total number of locations over all levels (L). */
    public int numLocations() {
        return offsets[strides.length];
    }

    public int stride(int level) {
        return strides[level];
    }

    public int height(int level) {
        return heights[level];
    }

    public int width(int level) {
        return widths[level];
    }

    /** Flat index of the first location of {@code level}; {@code levelOffset(numLevels())} is L. */
    public int levelOffset(int level) {
        return offsets[level];
    }

    /** x of every location, shape (L); the shared array, do not modify. */
    public float[] xs() {
        return x;
    }

    /** y of every location, shape (L); the shared array, do not modify. */
    public float[] ys() {
        return y;
    }

    /** Stride of every location's level, shape (L); the shared array, do not modify. */
    public float[] locationStrides() {
        return locationStride;
    }

    /** True when another grid has the same input size, strides and level sizes. */
    public boolean sameLayout(LevelGrid o) {
        return o != null && o.inputHeight == inputHeight && o.inputWidth == inputWidth
                && Arrays.equals(o.strides, strides) && Arrays.equals(o.heights, heights)
                && Arrays.equals(o.widths, widths);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("LevelGrid[" + inputHeight + "x" + inputWidth);
        for (int k = 0; k < strides.length; k++)
            sb.append(", /").append(strides[k]).append(' ').append(heights[k]).append('x').append(widths[k]);
        return sb.append(']').toString();
    }
}
