package dev.strix.detection.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The embedded default dataset: scenes of coloured shapes on cluttered backgrounds, fully determined by
 * {@code (seed, count, imageSize, numClasses)}.
 *
 * <p>Each image's long side is {@code imageSize} and its short side 70-100% of it. An image holds 1 to 7 objects of
 * the first {@code numClasses} {@link SyntheticShape}s (circle, square, triangle, ring, cross, diamond, star, bar),
 * each with its class's hue plus per-object colour jitter, sized log-uniformly from 8 px to half the short side, with
 * overlaps (an object never covers more than 45% of another's box), some cut by the image border (marked
 * truncated), on backgrounds of gradients, stripes, soft blobs, faint strokes and noise. A box is the exact extent of
 * the object's visible pixels; objects mostly hidden by later ones are marked difficult. Image {@code i} is drawn on
 * demand from its own seed, so it is identical every time and independent of the order of access.
 */
public final class SyntheticScenes implements DetectionDataset {
    /** The largest number of classes. */
    public static final int MAX_CLASSES = SyntheticShape.values().length;

    private final long seed;
    private final int count;
    private final int imageSize;
    private final int numClasses;
    private final List<String> classNames;
    private final AtomicReferenceArray<ImageAnnotation> annotations;

    public SyntheticScenes(long seed, int count, int imageSize, int numClasses) {
        if (count <= 0) throw new IllegalArgumentException("count must be positive, got " + count);
        if (imageSize < 32) throw new IllegalArgumentException("imageSize must be >= 32, got " + imageSize);
        if (numClasses < 1 || numClasses > MAX_CLASSES)
            throw new IllegalArgumentException("numClasses must be in [1, " + MAX_CLASSES + "], got " + numClasses);
        this.seed = seed;
        this.count = count;
        this.imageSize = imageSize;
        this.numClasses = numClasses;
        List<String> names = new ArrayList<>();
        for (int k = 0; k < numClasses; k++) names.add(SyntheticShape.values()[k].label());
        this.classNames = List.copyOf(names);
        this.annotations = new AtomicReferenceArray<>(count);
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public int size() {
        return count;
    }

    /** Computed from the scene layout (no background drawn) on first access, then cached. */
    @Override
    public ImageAnnotation annotation(int i) {
        ImageAnnotation a = annotations.get(checkIndex(i));
        if (a == null) {
            SceneLayout layout = layout(i);
            a = new ImageAnnotation(imageId(i), null, layout.width, layout.height, layout.annotations);
            annotations.compareAndSet(i, null, a);
        }
        return a;
    }

    @Override
    public BufferedImage image(int i) {
        SceneLayout layout = layout(checkIndex(i));
        int[] pixels = SceneBackground.paint(layout.width, layout.height, new SeededRandom(SeededRandom.mix(seed, i, 2)));
        for (int p = 0; p < pixels.length; p++) {
            int k = layout.owner[p];
            if (k >= 0) pixels[p] = layout.placed.get(k).color();
        }
        BufferedImage img = new BufferedImage(layout.width, layout.height, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, layout.width, layout.height, pixels, 0, layout.width);
        return img;
    }

    /** The packed {@code 0xRRGGBB} colour in which object {@code j} of {@link #annotation annotation(i)} is drawn. */
    public int objectColor(int i, int j) {
        SceneLayout layout = layout(checkIndex(i));
        return layout.placed.get(layout.annotationToPlaced[j]).color();
    }

    /** The image id: the seed in hex and the index, e.g. {@code 2a_000017}. */
    public String imageId(int i) {
        return Long.toHexString(seed) + "_" + String.format("%06d", i);
    }

    private SceneLayout layout(int i) {
        SeededRandom rng = new SeededRandom(SeededRandom.mix(seed, i, 1));
        int shortSide = (int) Math.round(imageSize * rng.uniform(0.7, 1.0));
        boolean landscape = rng.chance(0.5);
        int w = landscape ? imageSize : shortSide, h = landscape ? shortSide : imageSize;
        return SceneLayout.generate(w, h, numClasses, rng);
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= count) throw new IndexOutOfBoundsException("image index " + i + " of " + count);
        return i;
    }

    /**
     * Writes this dataset in the VOCdevkit layout under {@code root} as PNG images (lossless). Read it back with
     * {@code VocDataset.open(root, split, ReadOptions.strict().withClasses(classNames()))} to keep the class order.
     */
    public void writeVoc(Path root, String split) throws IOException {
        DatasetWriter.writeVoc(this, root, split, "png");
    }

    /** As {@link #writeVoc(Path, String)} with {@code imageFormat} "png" or "jpg". */
    public void writeVoc(Path root, String split, String imageFormat) throws IOException {
        DatasetWriter.writeVoc(this, root, split, imageFormat);
    }

    /** Writes a COCO instances file and PNG images; image ids are 1-based positions, category ids 1-based classes. */
    public void writeCoco(Path jsonFile, Path imageDir) throws IOException {
        DatasetWriter.writeCoco(this, jsonFile, imageDir, "png");
    }

    /** As {@link #writeCoco(Path, Path)} with {@code imageFormat} "png" or "jpg". */
    public void writeCoco(Path jsonFile, Path imageDir, String imageFormat) throws IOException {
        DatasetWriter.writeCoco(this, jsonFile, imageDir, imageFormat);
    }

    @Override
    public String describe() {
        return "synthetic seed " + seed + ": " + count + " images of up to " + imageSize + " px, " + numClasses + " classes";
    }
}
