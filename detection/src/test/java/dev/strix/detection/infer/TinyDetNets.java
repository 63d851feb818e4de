package dev.strix.detection.infer;

import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.DetNetConfig;
import dev.strix.nn.Tensor;
import dev.strix.nn.init.Init;
import dev.strix.nn.io.StateDicts;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small DetNets with seeded random weights saved as checkpoints, and test pictures, for the inference tests. */
public final class TinyDetNets {
    private TinyDetNets() {
    }

    /**
     * A DetNet(C = numClasses, w = 4, F = 8, D = 1) with seeded random weights: batch-norm statistics perturbed, the
     * box-output bias raised so that most locations decode to boxes of a few strides, and the centerness bias raised
     * so that many candidates pass the 0.05 threshold.
     */
    public static DetNet model(int numClasses, long seed) {
        Init.seed(seed);
        DetNet model = new DetNet(new DetNetConfig(numClasses, 4, 8, 1));
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            String name = e.getKey();
            if (name.endsWith("running_mean")) Init.uniform(e.getValue(), -0.1, 0.1);
            else if (name.endsWith("running_var")) Init.uniform(e.getValue(), 0.5, 1.5);
        }
        Init.constant(model.stateDict().get("box_out.bias"), 2.0);
        Init.constant(model.stateDict().get("ctr_out.bias"), 1.0);
        return model;
    }

    /**
     * Saves {@link #model} to {@code file} with the given metadata entries (e.g.
     * {@link CheckpointMetadata#entries}); returns the file.
     */
    public static Path write(Path file, int numClasses, long seed, Map<String, String> metadata) throws IOException {
        StateDicts.save(file, model(numClasses, seed).stateDict(), new LinkedHashMap<>(metadata));
        return file;
    }

    /** Saves a model whose metadata names its classes and training size. */
    public static Path write(Path file, List<String> classNames, int inputSize, long seed) throws IOException {
        return write(file, classNames.size(), seed, CheckpointMetadata.entries(classNames, inputSize));
    }

    /** A {@code w x h} picture of coloured shapes on a gradient, different for each {@code variant}. */
    public static BufferedImage picture(int w, int h, int variant) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                img.setRGB(x, y, ((x * 255 / w) << 16) | ((y * 255 / h) << 8) | (variant * 40 & 0xFF));
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(new Color(230, 40 + 50 * variant % 200, 30));
            g.fillOval(w / 5 + 3 * variant, h / 4, w / 3, h / 3);
            g.setColor(new Color(20, 60, 220));
            g.fillRect(w / 2, h / 2 - 2 * variant, w / 4, h / 3);
        } finally {
            g.dispose();
        }
        return img;
    }
}
