package dev.strix.nn.io;

import dev.strix.nn.testing.Mutator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link Json#parse} with seeded mutations of valid documents: every input must either parse to a value that
 * survives a write/parse round trip unchanged, or be refused with a {@link JsonException} giving the offset; never
 * another exception, a hang or a large allocation.
 */
class JsonFuzzTest {
    private static final int ITERATIONS = Integer.getInteger("strix.fuzz.iterations", 2000);
    private static final long SEED = Long.getLong("strix.fuzz.seed", 0x15A_0001L);

    /** Valid documents covering every value type, escapes, nesting and number forms. */
    static final List<String> CORPUS = List.of(
            "{\"model\": {\"classes\": 20, \"width\": 16, \"fpn\": 64, \"lr\": 0.01, \"decay\": 5e-4, \"momentum\": 0.9},"
                    + " \"sizes\": [320, 416, 512], \"flags\": [true, false, null], \"name\": \"run-\\u00e9\\n\\\"1\\\"\"}",
            "[1, -2, 3.25, -0.0, 1E2, 1e-7, 9223372036854775807, -9223372036854775808, 18446744073709551616,"
                    + " [[], {}], {\"a\": [{\"b\": [1, {\"c\": \"\\ud83d\\ude00\\/\\b\\f\\r\\t\"}]}]}]",
            "{\"__metadata__\": {\"epoch\": \"12\", \"strategy\": \"gradnorm\"}, \"w\": {\"dtype\": \"F32\","
                    + " \"shape\": [2, 3], \"data_offsets\": [0, 24]}}",
            "\"just a string with \\\\ and \\u0041\"",
            "  0.5  ");

    @Test
    @Timeout(60)
    void mutatedDocumentsParseOrFailCleanly() {
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < ITERATIONS; i++) {
                long caseSeed = SEED * 1_000_003L + i;
                Mutator m = new Mutator(caseSeed);
                String input = m.mutateJson(CORPUS.get(m.random().nextInt(CORPUS.size())));
                String description = "json seed " + caseSeed + " iteration " + i + " " + m.log();
                boolean accepted = Mutator.runCase(description, input.getBytes(StandardCharsets.UTF_8),
                        "JSON error at offset", Mutator.Limits.standard(), () -> checkRoundTrip(Json.parse(input)),
                        JsonException.class);
                outcomes[accepted ? 0 : 1]++;
            }
        });
        Mutator.assertBothOutcomes("Json.parse", outcomes[0], outcomes[1]);
    }

    @Test
    @Timeout(10)
    void extremeNumbersAndNestingAreRefusedOrExact() {
        for (String text : List.of("NaN", "Infinity", "-Infinity", "1e400", "-1e400", "01", "1.", ".5", "1e", "0x10", "+1"))
            assertFalse(Mutator.runCase("number " + text, text.getBytes(StandardCharsets.UTF_8), "JSON error at offset",
                    Mutator.Limits.standard(), () -> Json.parse(text), JsonException.class), text);
        assertEquals(0.0, Json.parse("1e-400"));
        assertEquals(1e308, Json.parse("1e308"));
        assertEquals(9.223372036854775808e18, Json.parse("9223372036854775808"));
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("nesting deeper than " + Json.MAX_DEPTH), e.getMessage());
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        checkRoundTrip(Json.parse(ok));
    }

    /** A parsed value written and parsed again must be equal to itself, in compact and pretty form. */
    private static void checkRoundTrip(Object value) {
        assertEquals(value, Json.parse(Json.write(value)), "compact round trip");
        assertEquals(value, Json.parse(Json.writePretty(value, 2)), "pretty round trip");
    }
}
