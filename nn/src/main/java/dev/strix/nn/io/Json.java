package dev.strix.nn.io;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 JSON parser and writer.
 *
 * <p>Parsed values map to Java as: object &rarr; {@code LinkedHashMap<String,Object>} (insertion order),
 * array &rarr; {@code ArrayList<Object>}, string &rarr; {@link String}, number without fraction or exponent that
 * fits a long &rarr; {@link Long}, any other number &rarr; {@link Double}, {@code true}/{@code false} &rarr;
 * {@link Boolean}, {@code null} &rarr; Java {@code null}.
 *
 * <p>The parser rejects trailing garbage, duplicate object keys, raw control characters in strings, leading zeros,
 * {@code NaN}/{@code Infinity}, numbers beyond the double range, unterminated structures and nesting deeper than
 * {@link #MAX_DEPTH}. Every error is a {@link JsonException} carrying the character offset.
 */
public final class Json {
    /** Deepest nesting of arrays and objects that {@link #parse} accepts. */
    public static final int MAX_DEPTH = 512;

    private Json() {
    }

    /**
     * Parses one JSON value that spans the whole text (surrounding whitespace allowed).
     *
     * @throws JsonException with the character offset of the first problem
     */
    public static Object parse(String text) {
        return new JsonParser(text).parseDocument();
    }

    /** Compact JSON for {@code value} (see {@link #writePretty} for the accepted Java types). */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        new Writer(out, 0).value(value, "$", 0);
        return out.toString();
    }

    /**
     * JSON for {@code value} with one entry per line, indented by {@code indent} spaces per level.
     *
     * <p>Accepted: {@link Map} with {@link String} keys, {@link Collection}, {@code Object[]}, {@code long[]},
     * {@code int[]}, {@code double[]}, {@code float[]}, {@link String}, {@link Boolean}, {@code null}, integral
     * numbers ({@link Long}, {@link Integer}, {@link Short}, {@link Byte}, {@link BigInteger}), {@link Double},
     * {@link Float} and {@link BigDecimal}. Doubles are written in their shortest round-trip form.
     *
     * @throws JsonException naming the path of a value that has no JSON form (NaN, infinity, other types)
     */
    public static String writePretty(Object value, int indent) {
        if (indent < 0) throw new IllegalArgumentException("indent must be >= 0, got " + indent);
        StringBuilder out = new StringBuilder();
        new Writer(out, indent).value(value, "$", 0);
        return out.toString();
    }

    // ---- typed helpers for reading parsed documents ----

    /** Name of the JSON type of a parsed value, for messages: object, array, string, integer, number, boolean, null. */
    public static String typeName(Object value) {
        if (value == null) return "null";
        if (value instanceof Map<?, ?>) return "object";
        if (value instanceof List<?>) return "array";
        if (value instanceof String) return "string";
        if (value instanceof Long || value instanceof Integer || value instanceof BigInteger) return "integer";
        if (value instanceof Number) return "number";
        if (value instanceof Boolean) return "boolean";
        return value.getClass().getSimpleName();
    }

    /**
     * {@code value} as a JSON object.
     *
     * @param what names the value in the message, e.g. {@code "config"}
     * @throws JsonException when it is not an object
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> asObject(Object value, String what) {
        if (value instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new JsonException(what + ": expected object but got " + describe(value));
    }

    /** The object under {@code key}; throws {@link JsonException} if missing or not an object. */
    public static Map<String, Object> requireObject(Map<String, Object> object, String key) {
        return asObject(require(object, key), "key '" + key + "'");
    }

    /** The array under {@code key}; throws {@link JsonException} if missing or not an array. */
    @SuppressWarnings("unchecked")
    public static List<Object> requireList(Map<String, Object> object, String key) {
        Object v = require(object, key);
        if (v instanceof List<?> l) return (List<Object>) l;
        throw new JsonException("key '" + key + "': expected array but got " + describe(v));
    }

    /** The string under {@code key}; throws {@link JsonException} if missing or not a string. */
    public static String requireString(Map<String, Object> object, String key) {
        Object v = require(object, key);
        if (v instanceof String s) return s;
        throw new JsonException("key '" + key + "': expected string but got " + describe(v));
    }

    /** The integer under {@code key}; throws {@link JsonException} if missing or not an integer. */
    public static long requireLong(Map<String, Object> object, String key) {
        Object v = require(object, key);
        if (v instanceof Long l) return l;
        throw new JsonException("key '" + key + "': expected integer but got " + describe(v));
    }

    /** The number under {@code key} (integer or not); throws {@link JsonException} if missing or not a number. */
    public static double requireDouble(Map<String, Object> object, String key) {
        Object v = require(object, key);
        if (v instanceof Long || v instanceof Double) return ((Number) v).doubleValue();
        throw new JsonException("key '" + key + "': expected number but got " + describe(v));
    }

    /** The boolean under {@code key}; throws {@link JsonException} if missing or not a boolean. */
    public static boolean requireBoolean(Map<String, Object> object, String key) {
        Object v = require(object, key);
        if (v instanceof Boolean b) return b;
        throw new JsonException("key '" + key + "': expected boolean but got " + describe(v));
    }

    /** The string under {@code key}, or {@code fallback} when the key is absent; throws if present but not a string. */
    public static String optString(Map<String, Object> object, String key, String fallback) {
        return object.containsKey(key) ? requireString(object, key) : fallback;
    }

    /** The integer under {@code key}, or {@code fallback} when the key is absent; throws if present but not an integer. */
    public static long optLong(Map<String, Object> object, String key, long fallback) {
        return object.containsKey(key) ? requireLong(object, key) : fallback;
    }

    /** The number under {@code key}, or {@code fallback} when the key is absent; throws if present but not a number. */
    public static double optDouble(Map<String, Object> object, String key, double fallback) {
        return object.containsKey(key) ? requireDouble(object, key) : fallback;
    }

    /** The elements of {@code list} as longs; {@code what} names the list in the message of a non-integer element. */
    public static long[] toLongArray(List<?> list, String what) {
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long l))
                throw new JsonException(what + "[" + i + "]: expected integer but got " + describe(list.get(i)));
            out[i] = l;
        }
        return out;
    }

    private static Object require(Map<String, Object> object, String key) {
        if (!object.containsKey(key))
            throw new JsonException("missing required key '" + key + "' (present: " + object.keySet() + ")");
        return object.get(key);
    }

    /** Type and a short rendering of a parsed value, for messages. */
    static String describe(Object value) {
        if (value == null) return "null";
        String text = value instanceof Map<?, ?> || value instanceof List<?> ? "" : " " + write(value);
        if (text.length() > 60) text = text.substring(0, 57) + "...";
        return typeName(value) + text;
    }

    /** Serializer; {@code indent == 0} means compact output. */
    private record Writer(StringBuilder out, int indent) {
        void value(Object v, String path, int depth) {
            if (depth > MAX_DEPTH) throw new JsonException("cannot write " + path + ": nesting deeper than " + MAX_DEPTH);
            switch (v) {
                case null -> out.append("null");
                case String s -> string(s);
                case Boolean b -> out.append(b.booleanValue());
                case Long l -> out.append(l.longValue());
                case Integer i -> out.append(i.intValue());
                case Short s -> out.append(s.shortValue());
                case Byte b -> out.append(b.byteValue());
                case BigInteger b -> out.append(b);
                case Double d -> finite(d, path, Double.toString(d));
                case Float f -> finite(f, path, Float.toString(f));
                case BigDecimal b -> out.append(b.toString());
                case Map<?, ?> m -> object(m, path, depth);
                case Collection<?> c -> array(new ArrayList<>(c), path, depth);
                case Object[] a -> array(List.of(a), path, depth);
                case long[] a -> array(java.util.Arrays.stream(a).boxed().toList(), path, depth);
                case int[] a -> array(java.util.Arrays.stream(a).boxed().toList(), path, depth);
                case double[] a -> array(java.util.Arrays.stream(a).boxed().toList(), path, depth);
                case float[] a -> {
                    List<Float> l = new ArrayList<>(a.length);
                    for (float f : a) l.add(f);
                    array(l, path, depth);
                }
                default -> throw new JsonException("cannot write " + path + ": " + v.getClass().getName()
                        + " has no JSON form");
            }
        }

        private void finite(double d, String path, String text) {
            if (Double.isNaN(d) || Double.isInfinite(d))
                throw new JsonException("cannot write " + path + ": " + d + " is not a finite number and has no JSON form");
            out.append(text);
        }

        private void object(Map<?, ?> m, String path, int depth) {
            if (m.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String key))
                    throw new JsonException("cannot write " + path + ": object key " + e.getKey() + " is not a String");
                if (!first) out.append(',');
                first = false;
                newline(depth + 1);
                string(key);
                out.append(indent > 0 ? ": " : ":");
                value(e.getValue(), path + "." + key, depth + 1);
            }
            newline(depth);
            out.append('}');
        }

        private void array(List<?> l, String path, int depth) {
            if (l.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) out.append(',');
                newline(depth + 1);
                value(l.get(i), path + "[" + i + "]", depth + 1);
            }
            newline(depth);
            out.append(']');
        }

        private void newline(int depth) {
            if (indent == 0) return;
            out.append('\n');
            out.repeat(' ', depth * indent);
        }

        private void string(String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    default -> {
                        boolean loneSurrogate = Character.isHighSurrogate(c)
                                ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
                                : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
                        if (c < 0x20 || c == 0x7F || loneSurrogate) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }
}
