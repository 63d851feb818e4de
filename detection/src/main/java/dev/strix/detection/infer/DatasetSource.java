package dev.strix.detection.infer;

import dev.strix.detection.data.CocoDataset;
import dev.strix.detection.data.DatasetException;
import dev.strix.detection.data.DetectionDataset;
import dev.strix.detection.data.ReadOptions;
import dev.strix.detection.data.SyntheticScenes;
import dev.strix.detection.data.VocDataset;
import dev.strix.detection.data.YoloDataset;
import dev.strix.detection.eval.CategoryMapping;
import dev.strix.detection.eval.CocoResults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A dataset named on the command line by {@code --format}, {@code --data} and {@code --split}, with the category ids
 * and image-id style its COCO results files use.
 *
 * <ul>
 *   <li>{@code voc}: {@code data} is a VOCdevkit year folder (or a folder holding exactly one);
 *       {@code ImageSets/Main/<split>.txt} lists the images.</li>
 *   <li>{@code coco}: {@code data} is an instances JSON file, or a folder holding the first of
 *       {@code annotations/instances_<split>.json}, {@code annotations/instances_<split>2017.json},
 *       {@code annotations/<split>.json}, {@code instances_<split>.json}, {@code <split>.json}; images are in the
 *       first existing folder of {@code images/<split>}, {@code <split>}, {@code <split>2017},
 *       {@code images/<split>2017}, {@code images}, or the folder itself. Category ids and numeric image ids are
 *       the dataset's own.</li>
 *   <li>{@code yolo}: {@code data} holds {@code images/<split>/}, {@code labels/<split>/} and {@code classes.txt}
 *       (or {@code data.names}).</li>
 *   <li>{@code synthetic}: {@code data} is a comma-separated list of {@code key=value} settings of
 *       {@link SyntheticScenes}: {@code seed} (default 0), {@code count} (default 512 for train, 128 otherwise),
 *       {@code size} (long image side, default 256) and {@code classes} (default 8), the defaults of
 *       {@code strix train}; the empty string or {@code default} takes all defaults. Split {@code train} uses the seed itself, {@code val} seed + 1,
 *       {@code test} seed + 2, so the splits never share an image.</li>
 * </ul>
 * VOC, YOLO and synthetic data use string image ids (file stems) and category id = 1-based class index.
 *
 * @param dataset     the images and their annotations
 * @param categories  category id &lt;-&gt; class index for results files
 * @param imageIdStyle how results files spell image ids
 */
public record DatasetSource(DetectionDataset dataset, CategoryMapping categories, CocoResults.ImageIdStyle imageIdStyle) {
    /** The accepted {@code --format} values. */
    public static final List<String> FORMATS = List.of("voc", "coco", "yolo", "synthetic");

    /**
     * Opens a dataset.
     *
     * @param format     one of {@link #FORMATS}
     * @param data       the folder, file or (synthetic) settings string
     * @param split      the split name, e.g. {@code val}
     * @param classNames an explicit class list (index order) to read the data with, or null to take it from the data
     *                   (for synthetic data it must equal the generated one)
     * @throws DatasetException         naming the path when the data cannot be found or read
     * @throws IllegalArgumentException for an unknown format or bad synthetic settings
     */
    public static DatasetSource open(String format, String data, String split, List<String> classNames) {
        ReadOptions options = ReadOptions.strict().withClasses(classNames);
        return switch (format) {
            case "voc" -> byStem(VocDataset.open(Path.of(data), split, options));
            case "yolo" -> byStem(YoloDataset.open(Path.of(data), split, options));
            case "coco" -> openCoco(Path.of(data), split, options);
            case "synthetic" -> {
                SyntheticScenes scenes = synthetic(data, split);
                if (classNames != null && !classNames.equals(scenes.classNames()))
                    throw new IllegalArgumentException("the synthetic data has the classes " + scenes.classNames()
                            + ", not " + classNames);
                yield byStem(scenes);
            }
            default -> throw new IllegalArgumentException("unknown dataset format '" + format + "' (formats: "
                    + String.join(", ", FORMATS) + ")");
        };
    }

    /** String image ids and 1-based category ids (VOC, YOLO and synthetic data). */
    public static DatasetSource byStem(DetectionDataset dataset) {
        return new DatasetSource(dataset, CategoryMapping.oneBased(dataset.classNames().size()),
                CocoResults.ImageIdStyle.STRING);
    }

    private static DatasetSource openCoco(Path data, String split, ReadOptions options) {
        Path json, base;
        if (Files.isRegularFile(data)) {
            json = data;
            base = data.toAbsolutePath().getParent();
            if (base != null && base.getFileName() != null && base.getFileName().toString().equals("annotations"))
                base = base.getParent();
        } else if (Files.isDirectory(data)) {
            base = data;
            json = firstExisting(data, true, "annotations/instances_" + split + ".json",
                    "annotations/instances_" + split + "2017.json", "annotations/" + split + ".json",
                    "instances_" + split + ".json", split + ".json");
            if (json == null)
                throw new DatasetException(data + ": no COCO annotation file for split '" + split + "' (looked for "
                        + "annotations/instances_" + split + ".json, annotations/" + split + ".json, instances_" + split
                        + ".json and " + split + ".json)");
        } else {
            throw new DatasetException(data + ": COCO annotation file or folder not found");
        }
        Path images = firstExisting(base, false, "images/" + split, split, split + "2017", "images/" + split + "2017",
                "images");
        CocoDataset coco = CocoDataset.open(json, images != null ? images : base, options);
        int[] ids = new int[coco.classNames().size()];
        for (int k = 0; k < ids.length; k++) ids[k] = coco.categoryId(k);
        return new DatasetSource(coco, CategoryMapping.of(ids), CocoResults.ImageIdStyle.NUMBER_WHEN_NUMERIC);
    }

    private static Path firstExisting(Path base, boolean file, String... relative) {
        for (String r : relative) {
            Path p = base.resolve(r);
            if (file ? Files.isRegularFile(p) : Files.isDirectory(p)) return p;
        }
        return null;
    }

    /** The synthetic scenes of {@code split} described by {@code settings} (see the class comment). */
    public static SyntheticScenes synthetic(String settings, String split) {
        Map<String, Long> values = new TreeMap<>();
        String s = settings.trim();
        if (!s.isEmpty() && !s.equals("default")) {
            for (String part : s.split(",")) {
                int eq = part.indexOf('=');
                String key = eq < 0 ? part.trim() : part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                if (eq < 0 || !List.of("seed", "count", "size", "classes").contains(key))
                    throw new IllegalArgumentException("synthetic data settings: expected key=value with keys seed, "
                            + "count, size, classes; got '" + part.trim() + "'");
                try {
                    values.put(key, Long.parseLong(part.substring(eq + 1).trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("synthetic data settings: " + key + " needs an integer, got '"
                            + part.substring(eq + 1).trim() + "'");
                }
            }
        }
        long offset = switch (split) {
            case "train" -> 0;
            case "val" -> 1;
            case "test" -> 2;
            default -> throw new IllegalArgumentException("synthetic data has the splits train, val and test, not '"
                    + split + "'");
        };
        long seed = values.getOrDefault("seed", 0L) + offset;
        int count = Math.toIntExact(values.getOrDefault("count", split.equals("train") ? 512L : 128L));
        int size = Math.toIntExact(values.getOrDefault("size", 256L));
        int classes = Math.toIntExact(values.getOrDefault("classes", 8L));
        return new SyntheticScenes(seed, count, size, classes);
    }

    /** The dataset's image ids, in order. */
    public List<String> imageIds() {
        List<String> ids = new ArrayList<>(dataset.size());
        for (int i = 0; i < dataset.size(); i++) ids.add(dataset.annotation(i).imageId());
        return ids;
    }
}
