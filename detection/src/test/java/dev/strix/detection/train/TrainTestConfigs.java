package dev.strix.detection.train;

import java.util.Map;

/** Tiny training configs that run in about a second on two cores. */
final class TrainTestConfigs {
    private TrainTestConfigs() {}

    /**
     * Synthetic 64 px scenes, {@code images} for training and {@code valImages} held out (0: no validation), DetNet
     * w 4, F 8, D 1, batch 4, SGD.
     */
    static TrainConfig tiny(int images, int valImages, int epochs, String strategy) {
        TrainConfig.Data data = new TrainConfig.Data("synthetic", null, "train", valImages > 0 ? "val" : null, images,
                valImages, 3, 3, 1, false, TrainConfig.Augment.defaults());
        return new TrainConfig(data, new TrainConfig.Model(4, 8, 1, "auto"),
                new TrainConfig.Loss("focal", "giou", strategy, Map.of()),
                new TrainConfig.Optim("sgd", 0.01, 0.9, 1e-4, 0, 1.0, true, 0.01, 10.0, false, 0.999),
                new TrainConfig.Run(64, 4, epochs, "cpu", 7, 1, 10, 1, 1000));
    }
}
