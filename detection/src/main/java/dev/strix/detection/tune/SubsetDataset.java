package dev.strix.detection.tune;

import dev.strix.detection.data.DetectionDataset;
import dev.strix.detection.data.ImageAnnotation;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;

/**
 * The images of another dataset at the given indices, in the given order (a cross-validation fold). Reads go to the
 * underlying dataset, so it is as thread-safe as that one.
 */
public final class SubsetDataset implements DetectionDataset {
    private final DetectionDataset base;
    private final int[] indices;
    private final String label;

    /**
     * @param indices indices into {@code base}, each in {@code [0, base.size())}
     * @param label   what the subset is, for logs (e.g. "fold 2/5 training part")
     */
    public SubsetDataset(DetectionDataset base, int[] indices, String label) {
        for (int i : indices)
            if (i < 0 || i >= base.size())
                throw new IllegalArgumentException("index " + i + " outside the dataset of " + base.size() + " images");
        if (indices.length == 0) throw new IllegalArgumentException("a subset needs at least one image");
        this.base = base;
        this.indices = indices.clone();
        this.label = label;
    }

    @Override
    public List<String> classNames() {
        return base.classNames();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public ImageAnnotation annotation(int i) {
        return base.annotation(indices[i]);
    }

    @Override
    public BufferedImage image(int i) throws IOException {
        return base.image(indices[i]);
    }

    @Override
    public String describe() {
        return label + " (" + indices.length + " images) of " + base.describe();
    }
}
