package dev.strix.nn.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON header of a safetensors file: strict validation when reading, encoding when writing.
 *
 * @param entries  tensors in header order, with offsets relative to the start of the data buffer
 * @param metadata the {@code __metadata__} map (empty when absent)
 */
record SafeTensorsHeader(List<Entry> entries, Map<String, String> metadata) {
    static final String METADATA_KEY = "__metadata__";
    private static final Set<String> ENTRY_KEYS = Set.of("dtype", "shape", "data_offsets");

    /** One tensor's header entry: bytes {@code [begin, end)} of the data buffer. */
    record Entry(String name, DType dtype, long[] shape, long begin, long end) {
        String offsets() {
            return "[" + begin + ", " + end + "]";
        }
    }

    /**
     * Parses and validates a header.
     *
     * @param file       names the file in messages
     * @param json       the header text (trailing spaces allowed)
     * @param dataLength bytes after the header: the tensors' byte ranges must tile exactly {@code [0, dataLength)}
     */
    static SafeTensorsHeader parse(String file, String json, long dataLength) throws SafeTensorsException {
        Object root;
        try {
            root = Json.parse(json);
        } catch (JsonException e) {
            throw new SafeTensorsException(file + ": header is not valid JSON: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> rootMap))
            throw new SafeTensorsException(file + ": header must be a JSON object but is " + Json.typeName(root));
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = Map.of();
        for (Map.Entry<?, ?> e : rootMap.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA_KEY)) {
                metadata = metadata(file, e.getValue());
            } else {
                entries.add(entry(file, name, e.getValue(), dataLength));
            }
        }
        checkTiling(file, entries, dataLength);
        return new SafeTensorsHeader(Collections.unmodifiableList(entries), metadata);
    }

    private static Map<String, String> metadata(String file, Object value) throws SafeTensorsException {
        if (!(value instanceof Map<?, ?> m))
            throw new SafeTensorsException(file + ": " + METADATA_KEY + " must be an object mapping strings to strings but is "
                    + Json.describe(value));
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String s))
                throw new SafeTensorsException(file + ": " + METADATA_KEY + " must map strings to strings, but key '"
                        + e.getKey() + "' has " + Json.describe(e.getValue()));
            out.put((String) e.getKey(), s);
        }
        return Collections.unmodifiableMap(out);
    }

    private static Entry entry(String file, String name, Object value, long dataLength) throws SafeTensorsException {
        String where = file + ": tensor '" + name + "': ";
        if (name.isEmpty()) throw new SafeTensorsException(file + ": a tensor has an empty name");
        if (!(value instanceof Map<?, ?> m))
            throw new SafeTensorsException(where + "expected an object with dtype, shape and data_offsets but got "
                    + Json.describe(value));
        for (Object key : m.keySet()) {
            if (!ENTRY_KEYS.contains(key))
                throw new SafeTensorsException(where + "unexpected key '" + key + "' (allowed: dtype, shape, data_offsets)");
        }
        for (String key : List.of("dtype", "shape", "data_offsets")) {
            if (!m.containsKey(key)) throw new SafeTensorsException(where + "missing '" + key + "'");
        }
        if (!(m.get("dtype") instanceof String dtypeName))
            throw new SafeTensorsException(where + "dtype must be a string but is " + Json.describe(m.get("dtype")));
        DType dtype;
        try {
            dtype = DType.fromName(dtypeName);
        } catch (IllegalArgumentException e) {
            throw new SafeTensorsException(where + e.getMessage());
        }
        long[] shape = nonNegativeLongs(where, "shape", m.get("shape"));
        long[] offsets = nonNegativeLongs(where, "data_offsets", m.get("data_offsets"));
        if (offsets.length != 2)
            throw new SafeTensorsException(where + "data_offsets must be [begin, end] but has " + offsets.length + " entries");
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end)
            throw new SafeTensorsException(where + "data_offsets [" + begin + ", " + end + "] has begin > end");
        long needed;
        try {
            long numel = 1;
            for (long d : shape) numel = Math.multiplyExact(numel, d);
            needed = Math.multiplyExact(numel, dtype.bytes());
        } catch (ArithmeticException overflow) {
            throw new SafeTensorsException(where + "shape " + Arrays.toString(shape) + " has too many elements");
        }
        if (end - begin != needed)
            throw new SafeTensorsException(where + "data_offsets [" + begin + ", " + end + "] give " + (end - begin)
                    + " bytes but " + dtype + " shape " + Arrays.toString(shape) + " needs " + needed);
        if (end > dataLength)
            throw new SafeTensorsException(where + "data_offsets [" + begin + ", " + end + "] reach beyond the end of the "
                    + dataLength + "-byte data buffer");
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long[] nonNegativeLongs(String where, String key, Object value) throws SafeTensorsException {
        if (!(value instanceof List<?> list))
            throw new SafeTensorsException(where + key + " must be an array of integers but is " + Json.describe(value));
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long l))
                throw new SafeTensorsException(where + key + "[" + i + "] must be an integer but is " + Json.describe(list.get(i)));
            if (l < 0) throw new SafeTensorsException(where + key + "[" + i + "] is negative (" + l + ")");
            out[i] = l;
        }
        return out;
    }

    /** The byte ranges sorted by begin must cover [0, dataLength) with no gap and no overlap. */
    private static void checkTiling(String file, List<Entry> entries, long dataLength) throws SafeTensorsException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() < expected)
                throw new SafeTensorsException(file + ": tensor '" + e.name() + "' data_offsets " + e.offsets()
                        + " overlap tensor '" + previous.name() + "' " + previous.offsets());
            if (e.begin() > expected)
                throw new SafeTensorsException(file + ": gap of " + (e.begin() - expected) + " bytes in the data buffer "
                        + (previous == null ? "before the first tensor '" + e.name() + "' " + e.offsets()
                        : "between tensor '" + previous.name() + "' " + previous.offsets() + " and tensor '" + e.name()
                        + "' " + e.offsets()));
            expected = e.end();
            previous = e;
        }
        if (expected != dataLength)
            throw new SafeTensorsException(file + ": " + (dataLength - expected) + " trailing bytes after the last tensor"
                    + (previous == null ? "" : " '" + previous.name() + "' " + previous.offsets())
                    + " (data buffer is " + dataLength + " bytes)");
    }

    /**
     * Header JSON for tensors laid out contiguously in the given order, padded with spaces to a multiple of 8 bytes.
     */
    static byte[] encode(List<TensorData> layout, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) header.put(METADATA_KEY, new LinkedHashMap<>(metadata));
        long offset = 0;
        for (TensorData t : layout) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", t.dtype().safetensorsName());
            entry.put("shape", t.shape());
            entry.put("data_offsets", new long[]{offset, offset + t.byteSize()});
            header.put(t.name(), entry);
            offset += t.byteSize();
        }
        byte[] json = Json.write(header).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }
}
