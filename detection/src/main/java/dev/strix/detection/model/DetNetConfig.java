package dev.strix.detection.model;

import dev.strix.nn.Tensor;

import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The four numbers that define a {@link DetNet}.
 *
 * @param numClasses  classification outputs per location (C), at least 1
 * @param width       backbone base width (w); the stages have w, 2w, 4w, 8w, 16w channels; at least 1
 * @param fpnChannels channels of the feature pyramid and of the heads (F), at least 1
 * @param towerDepth  conv3x3 + ReLU pairs in each head tower (D), at least 0
 */
public record DetNetConfig(int numClasses, int width, int fpnChannels, int towerDepth) {
    private static final Pattern TOWER_WEIGHT = Pattern.compile("cls_tower\\.(\\d+)\\.weight");

    public DetNetConfig {
        if (numClasses < 1) throw new IllegalArgumentException("DetNet needs at least 1 class, got " + numClasses);
        if (width < 1) throw new IllegalArgumentException("DetNet width must be >= 1, got " + width);
        if (fpnChannels < 1)
            throw new IllegalArgumentException("DetNet FPN channels must be >= 1, got " + fpnChannels);
        if (towerDepth < 0) throw new IllegalArgumentException("DetNet tower depth must be >= 0, got " + towerDepth);
        if ((long) width * 16 > Integer.MAX_VALUE / 9)
            throw new IllegalArgumentException("DetNet width " + width + " is too large");
    }

    /** The benchmark configuration: 20 classes (Pascal VOC), w = 16, F = 64, D = 2. */
    public static DetNetConfig defaults() {
        return new DetNetConfig(20, 16, 64, 2);
    }

    /**
     * Reads the configuration off the tensor shapes of a DetNet state dict: classes from {@code cls_out.weight}
     * (C, F, 3, 3), width from {@code stem.0.weight} (w, 3, 3, 3), FPN channels from {@code lat.0.weight}
     * (F, 4w, 1, 1) and the tower depth from the {@code cls_tower.<2i>.weight} entries.
     *
     * @throws IllegalArgumentException when a needed tensor is missing or has an unexpected rank
     */
    public static DetNetConfig inferFrom(Map<String, Tensor> state) {
        int classes = leadingSize(state, "cls_out.weight");
        int width = leadingSize(state, "stem.0.weight");
        int fpn = leadingSize(state, "lat.0.weight");
        int convs = 0;
        for (String name : state.keySet()) {
            Matcher m = TOWER_WEIGHT.matcher(name);
            if (m.matches()) convs = Math.max(convs, Integer.parseInt(m.group(1)) / 2 + 1);
        }
        return new DetNetConfig(classes, width, fpn, convs);
    }

    private static int leadingSize(Map<String, Tensor> state, String name) {
        Tensor t = state.get(name);
        if (t == null) throw new IllegalArgumentException("not a DetNet state dict: no tensor '" + name + "'");
        if (t.dim() != 4)
            throw new IllegalArgumentException("not a DetNet state dict: '" + name + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected a 4-d convolution weight");
        return t.size(0);
    }

    /** {@code C=20 w=16 F=64 D=2}. */
    public String summary() {
        return "C=" + numClasses + " w=" + width + " F=" + fpnChannels + " D=" + towerDepth;
    }
}
