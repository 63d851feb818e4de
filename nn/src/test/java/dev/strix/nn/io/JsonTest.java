package dev.strix.nn.io;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {

    @Test
    void parsesEveryValueTypeAndKeepsKeyOrder() {
        Object v = Json.parse(" {\"z\": 1, \"b\": -2.5e3, \"a\": \"x\\u00e9\\n\\\"\\\\\\/\\b\\f\\r\\t\", "
                + "\"d\": [true, false, null], \"e\": {}, \"f\": [], \"g\": 0, \"h\": -0.0, \"i\": 1E2}\r\n");
        Map<String, Object> m = Json.asObject(v, "root");
        assertEquals(List.of("z", "b", "a", "d", "e", "f", "g", "h", "i"), new ArrayList<>(m.keySet()));
        assertEquals(1L, m.get("z"));
        assertEquals(-2500.0, m.get("b"));
        assertEquals("x\u00e9\n\"\\/\b\f\r\t", m.get("a"));
        assertEquals(Arrays.asList(true, false, null), m.get("d"));
        assertEquals(Map.of(), m.get("e"));
        assertEquals(List.of(), m.get("f"));
        assertEquals(0L, m.get("g"));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) m.get("h")));
        assertEquals(100.0, m.get("i"));
        assertInstanceOf(LinkedHashMap.class, m);
    }

    @Test
    void integersThatFitAreLongsOthersDoubles() {
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
        assertEquals(9223372036854775808.0, Json.parse("9223372036854775808"));
        assertEquals(1.0, Json.parse("1.0"));
        assertEquals(1e-300, Json.parse("1e-300"));
        assertEquals("\uD83D\uDE00", Json.parse("\"\\ud83d\\ude00\""));
        assertEquals("\uD83D\uDE00", Json.parse("\"\uD83D\uDE00\""));
        assertNull(Json.parse("null"));
    }

    private static void assertRejected(String text, int offset, String problem) {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(text), text);
        assertEquals(offset, e.offset(), () -> "offset for " + text + ": " + e.getMessage());
        assertTrue(e.getMessage().startsWith("JSON error at offset " + offset + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), () -> "'" + e.getMessage() + "' should mention '" + problem + "'");
    }

    @Test
    void rejectsMalformedText() {
        assertRejected("{} x", 3, "after the JSON value");
        assertRejected("[1] [2]", 4, "after the JSON value");
        assertRejected("{\"a\":1,\"a\":2}", 7, "duplicate key 'a'");
        assertRejected("\"a\tb\"", 2, "control character U+0009");
        assertRejected("\"a\nb\"", 2, "control character U+000A");
        assertRejected("01", 1, "leading zeros");
        assertRejected("-01", 2, "leading zeros");
        assertRejected("NaN", 0, "NaN and Infinity");
        assertRejected("Infinity", 0, "NaN and Infinity");
        assertRejected("-Infinity", 1, "expected a digit after '-'");
        assertRejected("[1, NaN]", 4, "NaN and Infinity");
        assertRejected("{\"a\":1", 6, "unterminated object");
        assertRejected("{\"a\":", 5, "expected a value");
        assertRejected("[1,2", 4, "unterminated array");
        assertRejected("\"abc", 0, "unterminated string");
        assertRejected("{\"a\" 1}", 5, "expected ':' after object key");
        assertRejected("{\"a\":1 \"b\":2}", 7, "expected ',' or '}'");
        assertRejected("[1 2]", 3, "expected ',' or ']'");
        assertRejected("[1,]", 3, "expected a value");
        assertRejected("{\"a\":1,}", 7, "expected '\"' to start an object key");
        assertRejected("{'a':1}", 1, "expected '\"' to start an object key");
        assertRejected("1.", 2, "digit after the decimal point");
        assertRejected(".5", 0, "expected a value");
        assertRejected("1e", 2, "digit in the exponent");
        assertRejected("+1", 0, "expected a value");
        assertRejected("\"\\x\"", 1, "invalid escape '\\x'");
        assertRejected("\"\\u12g4\"", 5, "invalid hex digit");
        assertRejected("\"\\u12\"", 1, "truncated \\u escape");
        assertRejected("1e400", 0, "beyond the range of a double");
        assertRejected("", 0, "empty text");
        assertRejected("   ", 3, "empty text");
        assertRejected("/* c */ 1", 0, "expected a value");
        assertRejected("\u00a01", 0, "expected a value");
        assertRejected("\uFEFF{}", 0, "expected a value");
        assertRejected("tru", 0, "expected a value");
        assertRejected("nulls", 4, "after the JSON value");
    }

    @Test
    void limitsNestingDepth() {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        Object v = Json.parse(ok);
        for (int i = 1; i < Json.MAX_DEPTH; i++) v = ((List<?>) v).getFirst();
        assertEquals(List.of(), v);
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertRejected(deep, Json.MAX_DEPTH, "nesting deeper than " + Json.MAX_DEPTH);
        assertRejected("{\"a\":".repeat(Json.MAX_DEPTH + 1), 5 * Json.MAX_DEPTH, "nesting deeper");
    }

    @Test
    void writesCompactAndPrettyForms() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "conv \"1\"\n\u0001\u007f\\");
        m.put("shape", new long[]{16, 3});
        m.put("empty", List.of());
        m.put("nested", Map.of());
        m.put("flag", true);
        m.put("none", null);
        m.put("x", 0.1);
        m.put("f", 1.5f);
        assertEquals("{\"name\":\"conv \\\"1\\\"\\n\\u0001\\u007f\\\\\",\"shape\":[16,3],\"empty\":[],\"nested\":{},"
                + "\"flag\":true,\"none\":null,\"x\":0.1,\"f\":1.5}", Json.write(m));
        Map<String, Object> small = new LinkedHashMap<>();
        small.put("a", List.of(1, 2));
        small.put("b", Map.of());
        assertEquals("{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}", Json.writePretty(small, 2));
        assertEquals("\"\\ud800x\"", Json.write("\ud800x"));
        assertEquals("\"\uD83D\uDE00\"", Json.write("\uD83D\uDE00"));
    }

    @Test
    void writeRejectsValuesWithoutJsonForm() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", Arrays.asList(1.0, Double.NaN));
        JsonException e = assertThrows(JsonException.class, () -> Json.write(m));
        assertTrue(e.getMessage().contains("$.a[1]") && e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(JsonException.class, () -> Json.write(Float.NEGATIVE_INFINITY));
        assertTrue(e.getMessage().contains("-Infinity is not a finite number"), e.getMessage());
        e = assertThrows(JsonException.class, () -> Json.write(Map.of(1, 2)));
        assertTrue(e.getMessage().contains("not a String"), e.getMessage());
        e = assertThrows(JsonException.class, () -> Json.write(List.of(new Object())));
        assertTrue(e.getMessage().contains("$[0]") && e.getMessage().contains("java.lang.Object"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.writePretty(1, -1));
    }

    @Test
    void roundTripsRandomDocumentsAndDoubles() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            double d = Double.longBitsToDouble(rnd.nextLong());
            if (!Double.isFinite(d)) continue;
            Object back = Json.parse(Json.write(d));
            assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits((Double) back), () -> "double " + d);
        }
        for (int i = 0; i < 200; i++) {
            Object doc = randomValue(rnd, 0);
            assertEquals(doc, Json.parse(Json.write(doc)));
            assertEquals(doc, Json.parse(Json.writePretty(doc, 1 + i % 4)));
        }
    }

    private static Object randomValue(SplittableRandom rnd, int depth) {
        int kind = rnd.nextInt(depth > 4 ? 5 : 7);
        switch (kind) {
            case 0: return rnd.nextLong();
            case 1: return rnd.nextDouble(-1e6, 1e6);
            case 2: {
                StringBuilder sb = new StringBuilder();
                int n = rnd.nextInt(12);
                for (int i = 0; i < n; i++) sb.append((char) (rnd.nextBoolean() ? rnd.nextInt(0x80) : rnd.nextInt(0xD800)));
                return sb.toString();
            }
            case 3: return rnd.nextBoolean();
            case 4: return null;
            case 5: {
                List<Object> l = new ArrayList<>();
                int n = rnd.nextInt(5);
                for (int i = 0; i < n; i++) l.add(randomValue(rnd, depth + 1));
                return l;
            }
            default: {
                Map<String, Object> m = new LinkedHashMap<>();
                int n = rnd.nextInt(5);
                for (int i = 0; i < n; i++) m.put("k" + rnd.nextInt(100), randomValue(rnd, depth + 1));
                return m;
            }
        }
    }

    @Test
    void typedHelpersExplainMissingAndMistypedKeys() {
        Map<String, Object> m = Json.asObject(Json.parse(
                "{\"n\": 3, \"s\": \"x\", \"l\": [1, 2], \"o\": {\"k\": 1}, \"d\": 2.5, \"b\": false}"), "root");
        assertEquals(3L, Json.requireLong(m, "n"));
        assertEquals("x", Json.requireString(m, "s"));
        assertEquals(List.of(1L, 2L), Json.requireList(m, "l"));
        assertEquals(Map.of("k", 1L), Json.requireObject(m, "o"));
        assertEquals(2.5, Json.requireDouble(m, "d"));
        assertEquals(3.0, Json.requireDouble(m, "n"));
        assertEquals(false, Json.requireBoolean(m, "b"));
        assertEquals(7L, Json.optLong(m, "missing", 7));
        assertEquals("x", Json.optString(m, "s", "y"));
        assertEquals(0.5, Json.optDouble(m, "missing", 0.5));
        assertEquals(-1, assertThrows(JsonException.class, () -> Json.requireLong(m, "q")).offset());
        assertTrue(assertThrows(JsonException.class, () -> Json.requireLong(m, "q")).getMessage()
                .contains("missing required key 'q'"));
        assertEquals("key 's': expected integer but got string \"x\"",
                assertThrows(JsonException.class, () -> Json.requireLong(m, "s")).getMessage());
        assertEquals("key 'd': expected integer but got number 2.5",
                assertThrows(JsonException.class, () -> Json.optLong(m, "d", 0)).getMessage());
        assertEquals("key 'l': expected object but got array",
                assertThrows(JsonException.class, () -> Json.requireObject(m, "l")).getMessage());
        assertEquals("shape[1]: expected integer but got string \"a\"",
                assertThrows(JsonException.class, () -> Json.toLongArray(List.of(1L, "a"), "shape")).getMessage());
        assertEquals(2, Json.toLongArray(List.of(1L, 2L), "shape").length);
    }
}
