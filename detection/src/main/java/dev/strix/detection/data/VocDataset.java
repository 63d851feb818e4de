package dev.strix.detection.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A Pascal VOC dataset in the VOCdevkit layout: {@code Annotations/<id>.xml}, {@code JPEGImages/<id>.jpg} (or
 * .jpeg/.png/.bmp) and {@code ImageSets/Main/<split>.txt} listing the ids. {@code root} is the folder holding these
 * (e.g. {@code VOCdevkit/VOC2007}) or a folder with exactly one such child.
 *
 * <p>All annotations are parsed when the dataset is opened, through a parser that refuses DOCTYPE declarations,
 * so external entities and entity expansion never happen. The class list is the explicit one, else the standard 20
 * VOC classes when every name found is one of them, else the names found, sorted. Boxes must be finite, non-negative,
 * non-empty and inside the image; ids that would resolve outside the root are refused. In strict mode the first
 * problem throws {@link DatasetException} naming the file; in lenient mode a bad file skips its image and a bad object
 * skips that object, each skip recorded in {@link #warnings()}.
 */
public final class VocDataset implements DetectionDataset {
    private final Path root;
    private final String split;
    private final List<String> classNames;
    private final List<ImageAnnotation> annotations;
    private final List<String> warnings;
    private final long maxPixels;

    private VocDataset(Path root, String split, List<String> classNames, List<ImageAnnotation> annotations,
                       List<String> warnings, long maxPixels) {
        this.root = root;
        this.split = split;
        this.classNames = classNames;
        this.annotations = annotations;
        this.warnings = warnings;
        this.maxPixels = maxPixels;
    }

    /** Opens {@code split} with strict validation and the class list derived from the data. */
    public static VocDataset open(Path root, String split) {
        return open(root, split, ReadOptions.strict());
    }

    public static VocDataset open(Path root, String split, ReadOptions options) {
        Path dir = locateRoot(root);
        Path idsFile = SafePaths.resolveInside(dir, dir.resolve("ImageSets").resolve("Main"), split + ".txt", "split '" + split + "'");
        List<String> ids = readIds(idsFile);
        List<String> warnings = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        for (int line = 0; line < ids.size(); line++) {
            String id = ids.get(line);
            if (id == null) continue;
            String where = idsFile + " line " + (line + 1);
            try {
                Path xml = SafePaths.resolveInside(dir, dir.resolve("Annotations"), id + ".xml", where);
                if (!Files.isRegularFile(xml)) throw new DatasetException(xml + ": annotation file not found (id '" + id + "' listed in " + where + ")");
                Path image = findImage(dir, id, where);
                VocAnnotationParser.RawAnnotation raw = VocAnnotationParser.parse(xml);
                int w = raw.width(), h = raw.height();
                if (w == 0 || h == 0) {
                    int[] dims = headerDimensions(image, xml);
                    w = dims[0];
                    h = dims[1];
                }
                entries.add(new Entry(id, xml, image, w, h, raw.objects()));
            } catch (DatasetException e) {
                if (!options.lenient()) throw e;
                warnings.add("skipped image: " + e.getMessage());
            }
        }
        Set<String> found = new LinkedHashSet<>();
        for (Entry e : entries) for (VocAnnotationParser.RawObject o : e.objects) found.add(o.name());
        List<String> classes = ClassLists.resolve(options.classNames(), ClassLists.VOC, found);
        List<ImageAnnotation> annotations = new ArrayList<>(entries.size());
        for (Entry e : entries) annotations.add(toAnnotation(e, classes, options.lenient(), warnings));
        if (annotations.isEmpty())
            throw new DatasetException(idsFile + ": no usable images (" + warnings.size() + " skipped"
                    + (warnings.isEmpty() ? "" : "; first: " + warnings.getFirst()) + ")");
        return new VocDataset(dir, split, classes, List.copyOf(annotations), List.copyOf(warnings), options.maxPixels());
    }

    private record Entry(String id, Path xml, Path image, int width, int height, List<VocAnnotationParser.RawObject> objects) {}

    private static ImageAnnotation toAnnotation(Entry e, List<String> classes, boolean lenient, List<String> warnings) {
        List<ObjectAnnotation> objects = new ArrayList<>();
        for (VocAnnotationParser.RawObject o : e.objects) {
            String where = e.xml + ": <object> #" + o.number() + " '" + o.name() + "'";
            int cls = BoxChecks.classIndex(classes, o.name());
            String problem = cls < 0 ? BoxChecks.unknownClass(o.name(), classes) : BoxChecks.problem(o.box(), e.width, e.height);
            if (problem != null) {
                if (!lenient) throw new DatasetException(where + ": " + problem);
                warnings.add("skipped object: " + where + ": " + problem);
                continue;
            }
            objects.add(new ObjectAnnotation(o.box(), cls, o.difficult(), o.truncated(), false));
        }
        return new ImageAnnotation(e.id, e.image, e.width, e.height, objects);
    }

    private static Path locateRoot(Path root) {
        if (Files.isDirectory(root.resolve("Annotations"))) return root;
        List<Path> candidates = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (var children = Files.list(root)) {
                children.filter(c -> Files.isDirectory(c.resolve("Annotations"))).sorted().forEach(candidates::add);
            } catch (IOException ex) {
                throw new DatasetException(root + ": cannot list folder: " + ex.getMessage(), ex);
            }
        } else {
            throw new DatasetException(root + ": VOC dataset folder not found");
        }
        if (candidates.size() == 1) return candidates.getFirst();
        throw new DatasetException(root + ": not a VOC dataset folder: expected Annotations/, JPEGImages/ and "
                + "ImageSets/Main/ here or in exactly one child folder" + (candidates.isEmpty() ? "" : ", found several: " + candidates));
    }

    private static List<String> readIds(Path idsFile) {
        List<String> lines;
        try {
            lines = Files.readAllLines(idsFile, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DatasetException(idsFile + ": split file not found");
        } catch (IOException e) {
            throw new DatasetException(idsFile + ": cannot read: " + e.getMessage(), e);
        }
        List<String> ids = new ArrayList<>(lines.size());
        boolean any = false;
        for (String line : lines) {
            String t = line.strip();
            if (t.isEmpty()) {
                ids.add(null);
                continue;
            }
            ids.add(t.split("\\s+")[0]);
            any = true;
        }
        if (!any) throw new DatasetException(idsFile + ": split file lists no image ids (empty)");
        return ids;
    }

    private static Path findImage(Path dir, String id, String where) {
        Path images = dir.resolve("JPEGImages");
        for (String ext : ImageFiles.EXTENSIONS) {
            Path p = SafePaths.resolveInside(dir, images, id + "." + ext, where);
            if (Files.isRegularFile(p)) return p;
        }
        throw new DatasetException(images.resolve(id + ".jpg") + ": image file not found (id '" + id + "' listed in "
                + where + "; also tried " + ImageFiles.EXTENSIONS + ")");
    }

    private static int[] headerDimensions(Path image, Path xml) {
        try {
            return ImageFiles.dimensions(image);
        } catch (IOException ex) {
            throw new DatasetException(xml + ": <size> missing or zero and the image size cannot be read: " + ex.getMessage(), ex);
        }
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

    /** Decodes image {@code i}; refuses a size different from the annotation's. */
    @Override
    public BufferedImage image(int i) throws IOException {
        ImageAnnotation a = annotations.get(i);
        BufferedImage img = ImageFiles.read(a.imagePath(), maxPixels);
        if (img.getWidth() != a.width() || img.getHeight() != a.height())
            throw new IOException(a.imagePath() + ": image is " + img.getWidth() + "x" + img.getHeight()
                    + " but its annotation says " + a.width() + "x" + a.height());
        return img;
    }

    /** Problems skipped in lenient mode, one line each (empty in strict mode). */
    public List<String> warnings() {
        return warnings;
    }

    /** The folder holding Annotations/, JPEGImages/ and ImageSets/. */
    public Path root() {
        return root;
    }

    @Override
    public String describe() {
        return "VOC " + root + " split " + split + ": " + annotations.size() + " images, " + classNames.size() + " classes"
                + (warnings.isEmpty() ? "" : ", " + warnings.size() + " entries skipped");
    }
}
