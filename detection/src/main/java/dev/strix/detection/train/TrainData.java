package dev.strix.detection.train;

import dev.strix.detection.data.CocoDataset;
import dev.strix.detection.data.DatasetException;
import dev.strix.detection.data.DetectionDataset;
import dev.strix.detection.data.ReadOptions;
import dev.strix.detection.data.SyntheticScenes;
import dev.strix.detection.data.VocDataset;
import dev.strix.detection.data.YoloDataset;
import dev.strix.detection.data.augment.AugmentConfig;
import dev.strix.detection.data.augment.ColorJitter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training and validation datasets of a {@link TrainConfig}.
 *
 * <p>Layouts: {@code voc} is a VOCdevkit (or one of its year folders) with {@code ImageSets/Main/<split>.txt};
 * {@code yolo} has {@code images/<split>/}, {@code labels/<split>/} and a class file; {@code coco} is an
 * instances file or a folder with {@code annotations/instances_<split>.json} (see {@link #cocoAnnotations}) and
 * images in {@code images/<split>/} or {@code <split>/} (see {@link #cocoImages}), as {@code strix eval} reads them. The validation set reads with the training set's class list, so
 * class indices agree. {@code synthetic} generates scenes in memory: training from {@code synthetic_seed},
 * validation ({@code synthetic_val_count} scenes) from {@code synthetic_seed + 1}, so the two never share a scene.
 *
 * @param train      the training set
 * @param validation the validation set, or null when there is none
 */
public record TrainData(DetectionDataset train, DetectionDataset validation) {
    /** The entries the readers skipped (lenient reading), training set first, each naming its file and problem. */
    public List<String> readWarnings() {
        List<String> out = new ArrayList<>(warnings(train));
        if (validation != null) out.addAll(warnings(validation));
        return out;
    }

    private static List<String> warnings(DetectionDataset ds) {
        return switch (ds) {
            case VocDataset v -> v.warnings();
            case CocoDataset c -> c.warnings();
            case YoloDataset y -> y.warnings();
            default -> List.of();
        };
    }

    /** The class names, in class-index order. */
    public List<String> classNames() {
        return train.classNames();
    }

    /**
     * Opens the datasets of {@code config}.
     *
     * @throws DatasetException naming the file or folder when the data cannot be read
     */
    public static TrainData open(TrainConfig config) {
        TrainConfig.Data d = config.data();
        if (d.format().equals("synthetic")) {
            int size = config.run().size();
            SyntheticScenes train = new SyntheticScenes(d.syntheticSeed(), d.syntheticCount(), size, d.syntheticClasses());
            SyntheticScenes val = d.syntheticValCount() > 0 && d.valSplit() != null
                    ? new SyntheticScenes(d.syntheticSeed() + 1, d.syntheticValCount(), size, d.syntheticClasses()) : null;
            return new TrainData(train, val);
        }
        Path root = Path.of(d.dir());
        if (!Files.exists(root)) throw new DatasetException(root + ": data folder not found");
        ReadOptions options = d.strict() ? ReadOptions.strict() : ReadOptions.lenientOptions();
        DetectionDataset train = open(d.format(), root, d.split(), options);
        DetectionDataset val = d.valSplit() == null ? null
                : open(d.format(), root, d.valSplit(), options.withClasses(train.classNames()));
        return new TrainData(train, val);
    }

    private static DetectionDataset open(String format, Path root, String split, ReadOptions options) {
        return switch (format) {
            case "voc" -> VocDataset.open(root, split, options);
            case "yolo" -> YoloDataset.open(root, split, options);
            case "coco" -> CocoDataset.open(cocoAnnotations(root, split), cocoImages(root, split), options);
            default -> throw new IllegalArgumentException("unknown data format '" + format + "'");
        };
    }

    /**
     * The annotation file of a split: {@code root} itself when it is a file, else the first of
     * {@code annotations/instances_<split>.json}, {@code annotations/instances_<split>2017.json},
     * {@code annotations/<split>.json}, {@code instances_<split>.json}, {@code <split>.json} (the order
     * {@code strix eval} uses).
     */
    static Path cocoAnnotations(Path root, String split) {
        if (Files.isRegularFile(root)) return root;
        List<String> candidates = List.of("annotations/instances_" + split + ".json", "annotations/instances_" + split
                + "2017.json", "annotations/" + split + ".json", "instances_" + split + ".json", split + ".json");
        for (String c : candidates) if (Files.isRegularFile(root.resolve(c))) return root.resolve(c);
        throw new DatasetException(root + ": no COCO annotation file for split '" + split + "' (looked for " + candidates + ")");
    }

    /** The first folder of {@code images/<split>}, {@code <split>}, {@code <split>2017}, {@code images/<split>2017}, {@code images}, else the base. */
    static Path cocoImages(Path root, String split) {
        Path base = root;
        if (Files.isRegularFile(root)) {
            base = root.toAbsolutePath().getParent();
            if (base.getFileName() != null && base.getFileName().toString().equals("annotations")) base = base.getParent();
        }
        for (String c : List.of("images/" + split, split, split + "2017", "images/" + split + "2017", "images"))
            if (Files.isDirectory(base.resolve(c))) return base.resolve(c);
        return base;
    }

    /** The training augmentation of {@code config} at its input size. */
    public static AugmentConfig augmentation(TrainConfig config) {
        TrainConfig.Augment a = config.data().augment();
        AugmentConfig base = AugmentConfig.training(config.run().size());
        return base.withFlip(a.flip()).withScale(a.scaleMin(), a.scaleMax())
                .withColor(a.colorJitter() ? base.color() : ColorJitter.NONE).withMosaic(a.mosaic());
    }
}
