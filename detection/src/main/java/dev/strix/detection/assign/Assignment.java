package dev.strix.detection.assign;

import java.util.Arrays;

/**
 * Per-location training targets of a batch, as produced by {@link FcosAssigner}.
 *
 * <p>Legend: N images, L = {@link LevelGrid#numLocations()} locations per image. Every array is flat over
 * {@code (N, L, ...)}: image-major, then the grid's flat location order (level-major, then row-major y, x),
 * so location q of image n is row {@code n * L + q}, the same row order in which {@link FcosLoss} flattens the
 * model outputs.
 * <ul>
 *   <li>{@link #classes()} (N*L): 0-based class index of a positive, {@link #BACKGROUND} or {@link #IGNORE};</li>
 *   <li>{@link #ltrb()} (N*L*4): distances (l, t, r, b) in input pixels from the location to the sides of its
 *       object's box, 0 where not positive;</li>
 *   <li>{@link #centerness()} (N*L): {@code sqrt(min(l,r)/max(l,r) * min(t,b)/max(t,b))}, 0 where not positive;</li>
 *   <li>{@link #matchedObject()} (N*L): index into that image's target list, -1 where not positive.</li>
 * </ul>
 * The arrays are owned by this object and overwritten when it is passed back to
 * {@link FcosAssigner#assign(java.util.List, LevelGrid, Assignment)} for reuse.
 */
public final class Assignment {
    /** Class value of a location that is negative for every class. */
    public static final int BACKGROUND = -1;
    /** Class value of a location that takes part in no loss (inside a crowd region and not positive). */
    public static final int IGNORE = -2;

    private LevelGrid grid;
    private int numImages;
    private int[] classes = new int[0], matchedObject = new int[0], positivesPerImage = new int[0];
    private float[] ltrb = new float[0], centerness = new float[0];
    private int numPositives, numIgnored;

    /** An empty assignment to be filled by {@link FcosAssigner}. */
    public Assignment() {}

    /** Sizes the arrays for {@code numImages} images on {@code grid} (reusing them when the size matches) and resets them. */
    void reset(LevelGrid grid, int numImages) {
        this.grid = grid;
        this.numImages = numImages;
        int n = numImages * grid.numLocations();
        if (classes.length != n) {
            classes = new int[n];
            matchedObject = new int[n];
            ltrb = new float[4 * n];
            centerness = new float[n];
        } else {
            Arrays.fill(ltrb, 0f);
            Arrays.fill(centerness, 0f);
        }
        Arrays.fill(classes, BACKGROUND);
        Arrays.fill(matchedObject, -1);
        if (positivesPerImage.length != numImages) positivesPerImage = new int[numImages];
        else Arrays.fill(positivesPerImage, 0);
        numPositives = 0;
        numIgnored = 0;
    }

    void setCounts(int image, int positives, int ignored) {
        positivesPerImage[image] = positives;
        numPositives += positives;
        numIgnored += ignored;
    }

    /** The grid the locations belong to. */
    public LevelGrid grid() {
        return grid;
    }

    /** N. */
    public int numImages() {
        return numImages;
    }

    /** L, locations per image. */
    public int locationsPerImage() {
        return grid.numLocations();
    }

    /** Class per location (N*L): class index, {@link #BACKGROUND} or {@link #IGNORE}. The owned array. */
    public int[] classes() {
        return classes;
    }

    /** Regression targets (N*L*4), (l, t, r, b) in input pixels per location. The owned array. */
    public float[] ltrb() {
        return ltrb;
    }

    /** Centerness targets (N*L), in [0, 1] for positives, 0 elsewhere. The owned array. */
    public float[] centerness() {
        return centerness;
    }

    /** Index of the matched object in the image's target list (N*L), -1 where not positive. The owned array. */
    public int[] matchedObject() {
        return matchedObject;
    }

    /** Positive locations of one image. */
    public int positives(int image) {
        return positivesPerImage[image];
    }

    /** Positive locations in the batch. */
    public int numPositives() {
        return numPositives;
    }

    /** Ignored locations in the batch. */
    public int numIgnored() {
        return numIgnored;
    }

    /** {@code sqrt(min(l,r)/max(l,r) * min(t,b)/max(t,b))} for positive distances (FCOS's centerness target). */
    public static float centerness(float l, float t, float r, float b) {
        double lr = Math.min(l, r) / (double) Math.max(l, r);
        double tb = Math.min(t, b) / (double) Math.max(t, b);
        return (float) Math.sqrt(lr * tb);
    }
}
