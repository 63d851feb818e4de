package dev.strix.detection.eval;

import dev.strix.detection.data.Box;
import dev.strix.detection.data.Detection;
import dev.strix.nn.io.Json;
import dev.strix.nn.io.JsonException;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Detections in the COCO results format: a JSON array of
 * {@code {"image_id": ..., "category_id": int, "bbox": [x, y, w, h], "score": number}} in original-image pixel
 * coordinates. For COCO data {@code image_id} is the dataset's numeric id (read back as its decimal string); for
 * VOC and YOLO data it is the image id string (file stem) and {@code category_id} the 1-based class index
 * ({@link CategoryMapping#oneBased}).
 */
public final class CocoResults {
    private CocoResults() {
    }

    /** How {@link #write} spells image ids. */
    public enum ImageIdStyle {
        /** A JSON number when the id is a canonical decimal integer (COCO data), a string otherwise. */
        NUMBER_WHEN_NUMERIC,
        /** Always a JSON string (VOC and YOLO data). */
        STRING
    }

    /** A results file that is not valid; the message names the file, the entry and the problem. */
    public static final class FormatException extends IOException {
        private static final long serialVersionUID = 1L;

        public FormatException(String message) {
            super(message);
        }
    }

    /**
     * Reads a results file.
     *
     * @param json      the file
     * @param mapping   category id to class index
     * @param imageIds  the dataset's image ids; an entry naming another image is an error ({@code null}: accept any)
     * @return the detections in file order ({@code bbox} [x, y, w, h] becomes {@code Box(x, y, x + w, y + h)})
     * @throws FormatException for text that is not UTF-8, invalid JSON, a non-array document, or an entry with a missing or mistyped field,
     *                         a bbox of wrong length, a negative width or height, a non-finite number, an unknown image
     *                         id or an unknown category id
     * @throws IOException     when the file cannot be read
     */
    public static List<Detection> read(Path json, CategoryMapping mapping, Set<String> imageIds) throws IOException {
        String text;
        try {
            text = Files.readString(json, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new FormatException(json + ": not valid UTF-8 text (" + e.getMessage() + ")");
        }
        Object doc;
        try {
            doc = Json.parse(text);
        } catch (JsonException e) {
            throw new FormatException(json + ": not valid JSON: " + e.getMessage());
        }
        if (!(doc instanceof List<?> entries))
            throw new FormatException(json + ": expected a JSON array of detections but got " + Json.typeName(doc));
        List<Detection> out = new ArrayList<>(entries.size());
        for (int n = 0; n < entries.size(); n++) out.add(parseEntry(json, n, entries.get(n), mapping, imageIds));
        return out;
    }

    private static Detection parseEntry(Path file, int n, Object entry, CategoryMapping mapping, Set<String> imageIds)
            throws FormatException {
        String where = file + ": entry " + n;
        if (!(entry instanceof Map<?, ?> object))
            throw new FormatException(where + ": expected an object but got " + Json.typeName(entry));
        for (String key : new String[] {"image_id", "category_id", "bbox", "score"})
            if (!object.containsKey(key)) throw new FormatException(where + ": missing field \"" + key + "\"");

        Object rawId = object.get("image_id");
        String imageId = switch (rawId) {
            case Long l -> String.valueOf(l);
            case String s -> s;
            default -> throw new FormatException(where + ": \"image_id\" must be an integer or a string, got "
                    + Json.typeName(rawId) + " " + rawId);
        };
        if (imageIds != null && !imageIds.contains(imageId))
            throw new FormatException(where + ": unknown image id '" + imageId + "' (not in the dataset's "
                    + imageIds.size() + " images)");

        if (!(object.get("category_id") instanceof Long categoryId))
            throw new FormatException(where + ": \"category_id\" must be an integer, got "
                    + Json.typeName(object.get("category_id")) + " " + object.get("category_id"));
        int classIndex = categoryId < Integer.MIN_VALUE || categoryId > Integer.MAX_VALUE
                ? CategoryMapping.UNKNOWN : mapping.toClassIndex((int) (long) categoryId);
        if (classIndex == CategoryMapping.UNKNOWN)
            throw new FormatException(where + ": unknown category_id " + categoryId + " (" + mapping + ")");

        if (!(object.get("bbox") instanceof List<?> bbox))
            throw new FormatException(where + ": \"bbox\" must be an array [x, y, w, h], got "
                    + Json.typeName(object.get("bbox")));
        if (bbox.size() != 4)
            throw new FormatException(where + ": \"bbox\" has " + bbox.size() + " numbers, expected 4 [x, y, w, h]");
        float[] v = new float[4];
        String[] names = {"x", "y", "w", "h"};
        for (int i = 0; i < 4; i++) {
            Object x = bbox.get(i);
            if (!(x instanceof Long || x instanceof Double))
                throw new FormatException(where + ": bbox " + names[i] + " must be a number, got " + Json.typeName(x));
            v[i] = ((Number) x).floatValue();
            if (!Float.isFinite(v[i]))
                throw new FormatException(where + ": bbox " + names[i] + " = " + x + " is not a finite float");
        }
        if (v[2] < 0 || v[3] < 0)
            throw new FormatException(where + ": bbox has negative " + (v[2] < 0 ? "width w = " + v[2] : "height h = " + v[3]));
        if (!Float.isFinite(v[0] + v[2]) || !Float.isFinite(v[1] + v[3]))
            throw new FormatException(where + ": bbox [" + v[0] + ", " + v[1] + ", " + v[2] + ", " + v[3]
                    + "] has a corner x + w or y + h beyond the float range");

        Object rawScore = object.get("score");
        if (!(rawScore instanceof Long || rawScore instanceof Double))
            throw new FormatException(where + ": \"score\" must be a number, got " + Json.typeName(rawScore));
        float score = ((Number) rawScore).floatValue();
        if (!Float.isFinite(score))
            throw new FormatException(where + ": score " + rawScore + " is not a finite float");
        return new Detection(imageId, Box.fromXywh(v[0], v[1], v[2], v[3]), classIndex, score);
    }

    /**
     * Writes detections as a results file (one entry per line, atomically: a temporary file then a rename).
     *
     * @param json       the file to write
     * @param detections the detections, written in this order
     * @param mapping    class index to category id
     * @param idStyle    how to write image ids: numbers for COCO data, strings for VOC and YOLO data
     */
    public static void write(Path json, List<Detection> detections, CategoryMapping mapping, ImageIdStyle idStyle)
            throws IOException {
        StringBuilder out = new StringBuilder(64 + 96 * detections.size());
        out.append('[');
        for (int n = 0; n < detections.size(); n++) {
            Detection d = detections.get(n);
            Map<String, Object> entry = new LinkedHashMap<>();
            boolean numeric = idStyle == ImageIdStyle.NUMBER_WHEN_NUMERIC && EvalIndex.isCanonicalInteger(d.imageId())
                    && d.imageId().length() <= 18;
            entry.put("image_id", numeric ? (Object) Long.parseLong(d.imageId()) : d.imageId());
            entry.put("category_id", (long) mapping.toCategoryId(d.classIndex()));
            float[] b = d.box().toXywh();
            entry.put("bbox", List.of(b[0], b[1], b[2], b[3]));
            entry.put("score", d.score());
            out.append(n == 0 ? "\n" : ",\n").append(Json.write(entry));
        }
        out.append(detections.isEmpty() ? "]\n" : "\n]\n");
        Path target = json.toAbsolutePath();
        Path parent = target.getParent();
        if (parent != null) Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, target.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, out, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
