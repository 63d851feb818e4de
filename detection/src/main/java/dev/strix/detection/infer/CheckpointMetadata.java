package dev.strix.detection.infer;

import dev.strix.nn.io.Json;
import dev.strix.nn.io.JsonException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The metadata keys Strix writes into a DetNet checkpoint's safetensors header (string to string, as the format
 * allows) and reads back when a {@link Detector} is loaded:
 * <ul>
 *   <li>{@value #CLASS_NAMES}: the class names in class-index order as a JSON array of strings,
 *       e.g. {@code ["circle","square","triangle"]};</li>
 *   <li>{@value #INPUT_SIZE}: the square input side the model was trained at, a decimal integer, e.g. {@code 256}.</li>
 * </ul>
 * The unprefixed keys {@value #FOREIGN_CLASS_NAMES} (a JSON array or a comma-separated list) and
 * {@value #FOREIGN_INPUT_SIZE} are read too (the trainer's run folders and other tools write them), and so is a
 * sidecar text file with one class name per line: {@code <weights stem>.classes.txt} or {@code classes.txt} next
 * to the weights.
 */
public final class CheckpointMetadata {
    /** Metadata key of the class names (JSON array of strings). */
    public static final String CLASS_NAMES = "strix.class_names";
    /** Metadata key of the training input size (decimal integer). */
    public static final String INPUT_SIZE = "strix.input_size";
    /** Metadata key of class names written by other tools (JSON array or comma-separated). */
    public static final String FOREIGN_CLASS_NAMES = "class_names";
    /** Metadata key of the input size written by other tools (decimal integer). */
    public static final String FOREIGN_INPUT_SIZE = "input_size";

    private CheckpointMetadata() {
    }

    /**
     * The metadata entries for a checkpoint: {@value #CLASS_NAMES} and {@value #INPUT_SIZE}. Add them to the map
     * given to {@code StateDicts.save(file, tensors, metadata)}.
     *
     * @param classNames class names in class-index order
     * @param inputSize  the square training input side, or 0 to leave it out
     */
    public static Map<String, String> entries(List<String> classNames, int inputSize) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(CLASS_NAMES, Json.write(List.copyOf(classNames)));
        if (inputSize > 0) out.put(INPUT_SIZE, Integer.toString(inputSize));
        return out;
    }

    /**
     * The class names of a checkpoint with {@code numClasses} classes, from the first source that has them:
     * {@value #CLASS_NAMES}, then {@value #FOREIGN_CLASS_NAMES}, then the sidecar files, else {@code class0} ..
     * {@code class<numClasses-1>}.
     *
     * @param metadata the safetensors header metadata (may be empty)
     * @param weights  the checkpoint file (for the sidecars), or null
     * @throws IllegalArgumentException naming the source when its list is malformed or its length is not
     *                                  {@code numClasses}
     * @throws IOException              when a sidecar exists but cannot be read
     */
    public static List<String> classNames(Map<String, String> metadata, Path weights, int numClasses) throws IOException {
        for (String key : new String[] {CLASS_NAMES, FOREIGN_CLASS_NAMES}) {
            String value = metadata.get(key);
            if (value != null) return checked(parseList(value, "metadata '" + key + "'"), numClasses, "metadata '" + key + "'");
        }
        if (weights != null) {
            Path dir = weights.toAbsolutePath().getParent();
            String name = weights.getFileName().toString();
            String stem = name.toLowerCase(Locale.ROOT).endsWith(".safetensors")
                    ? name.substring(0, name.length() - ".safetensors".length()) : name;
            for (Path sidecar : new Path[] {dir.resolve(stem + ".classes.txt"), dir.resolve("classes.txt")})
                if (Files.isRegularFile(sidecar)) return checked(readLines(sidecar), numClasses, sidecar.toString());
        }
        return placeholders(numClasses);
    }

    /** {@code class0 .. class<n-1>}. */
    public static List<String> placeholders(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add("class" + i);
        return List.copyOf(out);
    }

    /**
     * The {@value #INPUT_SIZE} entry, else the {@value #FOREIGN_INPUT_SIZE} entry, or 0 when neither is present.
     *
     * @throws IllegalArgumentException when present but not a positive integer
     */
    public static int inputSize(Map<String, String> metadata) {
        String key = metadata.containsKey(INPUT_SIZE) ? INPUT_SIZE : FOREIGN_INPUT_SIZE;
        String v = metadata.get(key);
        if (v == null) return 0;
        try {
            int size = Integer.parseInt(v.trim());
            if (size > 0) return size;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("metadata '" + key + "' must be a positive integer, got '" + v + "'");
    }

    /**
     * A class list from text: a JSON array of strings ({@code ["a","b"]}) or a comma-separated list ({@code a,b});
     * names are trimmed and must be non-empty.
     *
     * @param source names the text in error messages
     */
    public static List<String> parseList(String text, String source) {
        String t = text.trim();
        List<String> names = new ArrayList<>();
        if (t.startsWith("[")) {
            Object doc;
            try {
                doc = Json.parse(t);
            } catch (JsonException e) {
                throw new IllegalArgumentException(source + ": not a valid JSON array of class names: " + e.getMessage());
            }
            if (!(doc instanceof List<?> list))
                throw new IllegalArgumentException(source + ": expected a JSON array of class names");
            for (Object o : list) {
                if (!(o instanceof String s))
                    throw new IllegalArgumentException(source + ": class names must be strings, got " + Json.typeName(o));
                names.add(s.trim());
            }
        } else {
            for (String s : t.split(",", -1)) names.add(s.trim());
        }
        for (int i = 0; i < names.size(); i++)
            if (names.get(i).isEmpty()) throw new IllegalArgumentException(source + ": class name " + i + " is empty");
        return List.copyOf(names);
    }

    private static List<String> readLines(Path file) throws IOException {
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String s = line.strip();
            if (!s.isEmpty()) names.add(s);
        }
        return names;
    }

    private static List<String> checked(List<String> names, int numClasses, String source) {
        if (names.size() != numClasses)
            throw new IllegalArgumentException(source + " lists " + names.size() + " class names but the weights have "
                    + numClasses + " classes");
        return List.copyOf(names);
    }
}
