package dev.strix.nn.io;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The validated contents of a safetensors file, as returned by {@link SafeTensors#read(Path)}. Tensor data of large
 * files stays memory-mapped and is paged in on access.
 */
public final class SafeTensorsFile {
    private final Path path;
    private final Map<String, TensorData> tensors;
    private final Map<String, String> metadata;

    SafeTensorsFile(Path path, Map<String, TensorData> tensors, Map<String, String> metadata) {
        this.path = path;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = metadata;
    }

    /** The file this was read from. */
    public Path path() {
        return path;
    }

    /** All tensors by name, in header order (unmodifiable). */
    public Map<String, TensorData> tensors() {
        return tensors;
    }

    /** Tensor names in header order. */
    public Set<String> names() {
        return tensors.keySet();
    }

    /** The {@code __metadata__} string map, empty when the file has none (unmodifiable). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** True when a tensor called {@code name} is present. */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /**
     * The tensor called {@code name}.
     *
     * @throws NoSuchElementException naming the file and the closest available names
     */
    public TensorData get(String name) {
        TensorData t = tensors.get(name);
        if (t != null) return t;
        String closest = tensors.keySet().stream()
                .sorted(Comparator.comparingInt((String n) -> editDistance(n, name)).thenComparing(n -> n))
                .limit(5).map(n -> "'" + n + "'").collect(Collectors.joining(", "));
        throw new NoSuchElementException(path + ": no tensor named '" + name + "'; "
                + (tensors.isEmpty() ? "the file holds no tensors" : "closest of the " + tensors.size() + " tensors: " + closest));
    }

    @Override
    public String toString() {
        return "SafeTensorsFile[" + path + ", " + tensors.size() + " tensors]";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
