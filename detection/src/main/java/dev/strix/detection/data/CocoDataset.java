package dev.strix.detection.data;

import dev.strix.nn.io.Json;
import dev.strix.nn.io.JsonException;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A COCO instances file ({@code images}, {@code annotations}, {@code categories}) with its images in one folder.
 *
 * <p>Category ids map to contiguous 0-based class indices in ascending id order ({@link #categoryId},
 * {@link #classIndexOf}); with an explicit class list, a category's index is the position of its name in that list.
 * {@code bbox [x, y, w, h]} becomes {@code Box(x, y, x + w, y + h)}; {@code iscrowd = 1} sets
 * {@link ObjectAnnotation#crowd()}. Image ids become strings ({@link #cocoImageId} maps back). The optional,
 * non-standard annotation fields {@code difficult} and {@code truncated} (0/1) are read when present. Images keep the
 * order of the {@code images} array. Errors name the file, the array entry and the problem; lenient mode skips bad
 * entries and records each in {@link #warnings()}.
 */
public final class CocoDataset implements DetectionDataset {
    private final Path jsonFile;
    private final List<String> classNames;
    private final int[] classToCategory;
    private final Map<Integer, Integer> categoryToClass;
    private final List<ImageAnnotation> annotations;
    private final List<String> warnings;
    private final long maxPixels;

    private CocoDataset(Path jsonFile, List<String> classNames, int[] classToCategory, Map<Integer, Integer> categoryToClass,
                        List<ImageAnnotation> annotations, List<String> warnings, long maxPixels) {
        this.jsonFile = jsonFile;
        this.classNames = classNames;
        this.classToCategory = classToCategory;
        this.categoryToClass = categoryToClass;
        this.annotations = annotations;
        this.warnings = warnings;
        this.maxPixels = maxPixels;
    }

    public static CocoDataset open(Path jsonFile, Path imageDir) {
        return open(jsonFile, imageDir, ReadOptions.strict());
    }

    public static CocoDataset open(Path jsonFile, Path imageDir, ReadOptions options) {
        Map<String, Object> doc;
        try {
            doc = Json.asObject(Json.parse(Files.readString(jsonFile, StandardCharsets.UTF_8)), "top level");
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DatasetException(jsonFile + ": COCO annotation file not found");
        } catch (IOException e) {
            throw new DatasetException(jsonFile + ": cannot read: " + e.getMessage(), e);
        } catch (JsonException e) {
            throw new DatasetException(jsonFile + ": invalid JSON: " + e.getMessage(), e);
        }
        return new Builder(jsonFile, imageDir, options).build(doc);
    }

    /** The one-pass reader: categories, then images, then annotations. */
    private static final class Builder {
        final Path file;
        final Path imageDir;
        final ReadOptions options;
        final List<String> warnings = new ArrayList<>();

        Builder(Path file, Path imageDir, ReadOptions options) {
            this.file = file;
            this.imageDir = imageDir;
            this.options = options;
        }

        CocoDataset build(Map<String, Object> doc) {
            List<Object> cats = section(doc, "categories");
            List<Object> imgs = section(doc, "images");
            List<Object> anns = section(doc, "annotations");

            TreeMap<Integer, String> categories = new TreeMap<>();
            for (int i = 0; i < cats.size(); i++) {
                String where = "categories[" + i + "]";
                Map<String, Object> c = object(cats.get(i), where);
                int id = intField(c, "id", where);
                String name = field(() -> Json.requireString(c, "name"), where);
                if (categories.put(id, name) != null) throw error(where + ": duplicate category id " + id);
            }
            if (categories.isEmpty()) throw error("'categories' is empty");
            List<String> classes = options.classNames() == null ? List.copyOf(categories.values())
                    : ClassLists.resolve(options.classNames(), null, List.of());
            int[] classToCategory = new int[classes.size()];
            java.util.Arrays.fill(classToCategory, -1);
            Map<Integer, Integer> categoryToClass = new HashMap<>();
            for (var e : categories.entrySet()) {
                int cls = options.classNames() == null ? categoryToClass.size() : classes.indexOf(e.getValue());
                if (cls < 0) {
                    String msg = "category id " + e.getKey() + ": " + BoxChecks.unknownClass(e.getValue(), classes);
                    if (!options.lenient()) throw error(msg);
                    warnings.add(file + ": " + msg + "; its annotations are skipped");
                    continue;
                }
                categoryToClass.put(e.getKey(), cls);
                classToCategory[cls] = e.getKey();
            }

            Map<Long, Integer> imageIndex = new HashMap<>();
            List<ImageSlot> slots = new ArrayList<>();
            for (int i = 0; i < imgs.size(); i++) {
                String where = "images[" + i + "]";
                try {
                    Map<String, Object> m = object(imgs.get(i), where);
                    long id = field(() -> Json.requireLong(m, "id"), where);
                    where += " (id " + id + ")";
                    String name = field(() -> Json.requireString(m, "file_name"), where);
                    int w = intField(m, "width", where), h = intField(m, "height", where);
                    if (w <= 0 || h <= 0) throw error(where + ": invalid size " + w + "x" + h);
                    if (imageIndex.containsKey(id)) throw error(where + ": duplicate image id " + id);
                    Path path = SafePaths.resolveInside(imageDir, imageDir, name, file + ": " + where + " file_name");
                    imageIndex.put(id, slots.size());
                    slots.add(new ImageSlot(id, path, w, h, new ArrayList<>()));
                } catch (DatasetException e) {
                    skipOrThrow(e, "image");
                }
            }
            if (slots.isEmpty()) throw error("no usable images (" + warnings.size() + " skipped)");

            for (int i = 0; i < anns.size(); i++) {
                String where = "annotations[" + i + "]";
                try {
                    Map<String, Object> m = object(anns.get(i), where);
                    if (m.get("id") instanceof Long id) where += " (id " + id + ")";
                    final String w0 = where;
                    long imageId = field(() -> Json.requireLong(m, "image_id"), where);
                    int categoryId = intField(m, "category_id", where);
                    Integer slot = imageIndex.get(imageId);
                    if (slot == null) throw error(where + ": image_id " + imageId + " has no entry in 'images'");
                    if (!categories.containsKey(categoryId))
                        throw error(where + ": category_id " + categoryId + " has no entry in 'categories' (ids: " + categories.keySet() + ")");
                    Integer cls = categoryToClass.get(categoryId);
                    if (cls == null) continue; // category outside the explicit class list, already warned about
                    List<Object> bbox = field(() -> Json.requireList(m, "bbox"), where);
                    if (bbox.size() != 4) throw error(where + ": bbox has " + bbox.size() + " values, expected [x, y, w, h]");
                    float[] v = new float[4];
                    for (int k = 0; k < 4; k++) {
                        if (!(bbox.get(k) instanceof Long || bbox.get(k) instanceof Double))
                            throw error(where + ": bbox[" + k + "] is " + Json.typeName(bbox.get(k)) + ", expected a number");
                        v[k] = ((Number) bbox.get(k)).floatValue();
                    }
                    ImageSlot s = slots.get(slot);
                    Box box = Box.fromXywh(v[0], v[1], v[2], v[3]);
                    String problem = BoxChecks.problem(box, s.width, s.height);
                    if (problem != null) throw error(w0 + " of image " + imageId + ": " + problem);
                    boolean crowd = flag(m, "iscrowd", where), difficult = flag(m, "difficult", where), truncated = flag(m, "truncated", where);
                    s.objects.add(new ObjectAnnotation(box, cls, difficult, truncated, crowd));
                } catch (DatasetException e) {
                    skipOrThrow(e, "annotation");
                }
            }
            List<ImageAnnotation> out = new ArrayList<>(slots.size());
            for (ImageSlot s : slots) out.add(new ImageAnnotation(String.valueOf(s.id), s.path, s.width, s.height, s.objects));
            return new CocoDataset(file, classes, classToCategory, Map.copyOf(categoryToClass), List.copyOf(out),
                    List.copyOf(warnings), options.maxPixels());
        }

        private void skipOrThrow(DatasetException e, String what) {
            if (!options.lenient()) throw e;
            warnings.add("skipped " + what + ": " + e.getMessage());
        }

        private List<Object> section(Map<String, Object> doc, String key) {
            return field(() -> Json.requireList(doc, key), "top level");
        }

        private Map<String, Object> object(Object value, String where) {
            return field(() -> Json.asObject(value, "entry"), where);
        }

        private int intField(Map<String, Object> m, String key, String where) {
            long v = field(() -> Json.requireLong(m, key), where);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw error(where + ": '" + key + "' " + v + " is out of range");
            return (int) v;
        }

        private boolean flag(Map<String, Object> m, String key, String where) {
            Object v = m.get(key);
            if (v == null) return false;
            if (v instanceof Boolean b) return b;
            if (v instanceof Long l && (l == 0 || l == 1)) return l == 1;
            throw error(where + ": '" + key + "' is " + Json.typeName(v) + " " + v + ", expected 0 or 1");
        }

        private <T> T field(java.util.function.Supplier<T> read, String where) {
            try {
                return read.get();
            } catch (JsonException e) {
                throw error(where + ": " + e.getMessage());
            }
        }

        private DatasetException error(String message) {
            return new DatasetException(file + ": " + message);
        }
    }

    private record ImageSlot(long id, Path path, int width, int height, List<ObjectAnnotation> objects) {}

    /** The COCO category id of class {@code classIndex}. */
    public int categoryId(int classIndex) {
        if (classIndex < 0 || classIndex >= classToCategory.length || classToCategory[classIndex] < 0)
            throw new IllegalArgumentException("class index " + classIndex + " has no COCO category (" + classNames.size() + " classes)");
        return classToCategory[classIndex];
    }

    /** The class index of COCO category {@code categoryId}. */
    public int classIndexOf(int categoryId) {
        Integer c = categoryToClass.get(categoryId);
        if (c == null) throw new IllegalArgumentException("unknown COCO category id " + categoryId + " (ids: " + categoryToClass.keySet() + ")");
        return c;
    }

    /** The numeric COCO id of an image id string of this dataset. */
    public long cocoImageId(String imageId) {
        try {
            return Long.parseLong(imageId);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a COCO image id: '" + imageId + "'");
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

    @Override
    public BufferedImage image(int i) throws IOException {
        ImageAnnotation a = annotations.get(i);
        BufferedImage img = ImageFiles.read(a.imagePath(), maxPixels);
        if (img.getWidth() != a.width() || img.getHeight() != a.height())
            throw new IOException(a.imagePath() + ": image is " + img.getWidth() + "x" + img.getHeight() + " but "
                    + jsonFile.getFileName() + " says " + a.width() + "x" + a.height());
        return img;
    }

    /** Problems skipped in lenient mode, one line each. */
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public String describe() {
        return "COCO " + jsonFile + ": " + annotations.size() + " images, " + classNames.size() + " classes"
                + (warnings.isEmpty() ? "" : ", " + warnings.size() + " entries skipped");
    }
}
