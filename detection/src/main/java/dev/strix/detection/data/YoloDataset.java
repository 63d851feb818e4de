package dev.strix.detection.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A YOLO txt dataset: {@code images/<split>/} (or {@code images/} when the split is null or empty) and the matching
 * {@code labels/...} folder, where {@code labels/<stem>.txt} holds one object per line: {@code cls cx cy w h}, the
 * class index and the box centre and size normalised to [0, 1] by the image width and height. An image without a
 * label file has no objects. Class names come from the explicit list, else {@code classes.txt} or
 * {@code data.names} in the root (one name per line). Image sizes are read from the file headers when the dataset is
 * opened. Corners past the border by at most {@link #EDGE_TOLERANCE} (normalised) are clipped; anything else out of
 * range, a wrong field count or an unknown class id is an error naming the file and line.
 */
public final class YoloDataset implements DetectionDataset {
    /** Normalised overshoot of a box corner past the image border that is clipped rather than refused. */
    public static final double EDGE_TOLERANCE = 1e-4;

    private final Path root;
    private final String split;
    private final List<String> classNames;
    private final List<ImageAnnotation> annotations;
    private final List<String> warnings;
    private final long maxPixels;

    private YoloDataset(Path root, String split, List<String> classNames, List<ImageAnnotation> annotations,
                        List<String> warnings, long maxPixels) {
        this.root = root;
        this.split = split;
        this.classNames = classNames;
        this.annotations = annotations;
        this.warnings = warnings;
        this.maxPixels = maxPixels;
    }

    public static YoloDataset open(Path root, String split) {
        return open(root, split, ReadOptions.strict());
    }

    public static YoloDataset open(Path root, String split, ReadOptions options) {
        boolean flat = split == null || split.isEmpty();
        Path images = flat ? root.resolve("images") : SafePaths.resolveInside(root, root.resolve("images"), split, "split");
        Path labels = flat ? root.resolve("labels") : SafePaths.resolveInside(root, root.resolve("labels"), split, "split");
        if (!Files.isDirectory(images)) throw new DatasetException(images + ": YOLO image folder not found");
        List<String> classes = options.classNames() != null ? ClassLists.resolve(options.classNames(), null, List.of()) : readClassFile(root);
        List<Path> files;
        try (var list = Files.list(images)) {
            files = list.filter(Files::isRegularFile).filter(ImageFiles::isImageFile).sorted().toList();
        } catch (IOException e) {
            throw new DatasetException(images + ": cannot list folder: " + e.getMessage(), e);
        }
        if (files.isEmpty()) throw new DatasetException(images + ": no image files (" + ImageFiles.EXTENSIONS + ")");
        List<String> warnings = new ArrayList<>();
        List<ImageAnnotation> out = new ArrayList<>();
        Map<String, Path> stems = new HashMap<>();
        for (Path image : files) {
            String stem = stem(image);
            try {
                Path previous = stems.put(stem, image);
                if (previous != null) throw new DatasetException(image + ": same stem as " + previous + "; labels would be ambiguous");
                SafePaths.resolveInside(root, images, image.getFileName().toString(), images.toString()); // no link out
                int[] dims;
                try {
                    dims = ImageFiles.dimensions(image);
                } catch (IOException e) {
                    throw new DatasetException(e.getMessage(), e);
                }
                Path label = SafePaths.resolveInside(root, labels, stem + ".txt", image.toString());
                List<ObjectAnnotation> objects = Files.isRegularFile(label)
                        ? readLabels(label, dims[0], dims[1], classes, options.lenient(), warnings) : List.of();
                out.add(new ImageAnnotation(stem, image, dims[0], dims[1], objects));
            } catch (DatasetException e) {
                if (!options.lenient()) throw e;
                warnings.add("skipped image: " + e.getMessage());
            }
        }
        if (out.isEmpty()) throw new DatasetException(images + ": no usable images (" + warnings.size() + " skipped)");
        return new YoloDataset(root, flat ? "" : split, classes, List.copyOf(out), List.copyOf(warnings), options.maxPixels());
    }

    private static List<String> readClassFile(Path root) {
        for (String name : List.of("classes.txt", "data.names")) {
            Path f = root.resolve(name);
            if (!Files.isRegularFile(f)) continue;
            List<String> names = new ArrayList<>();
            try {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) if (!line.isBlank()) names.add(line.strip());
            } catch (IOException e) {
                throw new DatasetException(f + ": cannot read: " + e.getMessage(), e);
            }
            if (names.isEmpty()) throw new DatasetException(f + ": class names file is empty");
            if (names.stream().distinct().count() != names.size())
                throw new DatasetException(f + ": class names file has duplicate names: " + names);
            return List.copyOf(names);
        }
        throw new DatasetException(root + ": no class names file (classes.txt or data.names) and no explicit class list");
    }

    private static List<ObjectAnnotation> readLabels(Path file, int width, int height, List<String> classes, boolean lenient,
                                                     List<String> warnings) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
        List<ObjectAnnotation> objects = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            try {
                objects.add(parseLine(line, width, height, classes));
            } catch (IllegalArgumentException e) {
                String msg = file + " line " + (i + 1) + ": " + e.getMessage();
                if (!lenient) throw new DatasetException(msg);
                warnings.add("skipped object: " + msg);
            }
        }
        return objects;
    }

    private static ObjectAnnotation parseLine(String line, int width, int height, List<String> classes) {
        String[] f = line.split("\\s+");
        if (f.length != 5)
            throw new IllegalArgumentException("expected 5 fields 'cls cx cy w h', got " + f.length + ": '" + line + "'");
        int cls;
        try {
            cls = Integer.parseInt(f[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("class id '" + f[0] + "' is not an integer");
        }
        if (cls < 0 || cls >= classes.size())
            throw new IllegalArgumentException("class id " + cls + " is out of range [0, " + classes.size() + ") (classes: "
                    + String.join(", ", classes) + ")");
        double[] v = new double[4];
        String[] names = {"cx", "cy", "w", "h"};
        for (int k = 0; k < 4; k++) {
            try {
                v[k] = Double.parseDouble(f[k + 1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(names[k] + " '" + f[k + 1] + "' is not a number");
            }
            if (!Double.isFinite(v[k]) || v[k] < 0 || v[k] > 1)
                throw new IllegalArgumentException(names[k] + " = " + f[k + 1] + " is outside [0, 1]");
        }
        if (v[2] <= 0 || v[3] <= 0) throw new IllegalArgumentException("box size w = " + f[3] + ", h = " + f[4] + " must be positive");
        double x1 = v[0] - v[2] / 2, y1 = v[1] - v[3] / 2, x2 = v[0] + v[2] / 2, y2 = v[1] + v[3] / 2;
        if (x1 < -EDGE_TOLERANCE || y1 < -EDGE_TOLERANCE || x2 > 1 + EDGE_TOLERANCE || y2 > 1 + EDGE_TOLERANCE)
            throw new IllegalArgumentException("box (" + x1 + ", " + y1 + ", " + x2 + ", " + y2
                    + ") (normalised corners) extends outside the image");
        Box box = new Box((float) (Math.max(0, x1) * width), (float) (Math.max(0, y1) * height),
                (float) (Math.min(1, x2) * width), (float) (Math.min(1, y2) * height));
        return ObjectAnnotation.of(box, cls);
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public int size() {
        return annotations.size();
    }

    @Override
    public ImageAnnotation annotation(int i) {
        return annotations.get(i);
    }

    @Override
    public BufferedImage image(int i) throws IOException {
        return ImageFiles.read(annotations.get(i).imagePath(), maxPixels);
    }

    /** Problems skipped in lenient mode, one line each. */
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public String describe() {
        return "YOLO " + root + (split.isEmpty() ? "" : " split " + split) + ": " + annotations.size() + " images, "
                + classNames.size() + " classes" + (warnings.isEmpty() ? "" : ", " + warnings.size() + " entries skipped");
    }
}
