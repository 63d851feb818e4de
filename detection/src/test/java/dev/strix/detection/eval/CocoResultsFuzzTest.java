package dev.strix.detection.eval;

import dev.strix.detection.data.Detection;
import dev.strix.detection.testing.Mutator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link CocoResults#read} with seeded mutations of a valid results file: every input must give detections
 * with finite boxes of non-negative size, finite scores, known images and class indices in range, or a
 * {@link CocoResults.FormatException} naming the file; never another exception, a hang or a large allocation.
 */
class CocoResultsFuzzTest {
    private static final int ITERATIONS = Integer.getInteger("strix.fuzz.iterations", 2000);
    private static final long SEED = Long.getLong("strix.fuzz.seed", 0xC0C0_0001L);
    private static final Set<String> IMAGE_IDS = Set.of("1", "2", "000005", "30000000000");
    private static final CategoryMapping MAPPING = CategoryMapping.of(1, 3, 7);

    static final String RESULTS = """
            [
            {"image_id": 1, "category_id": 1, "bbox": [10.5, 20.25, 100, 60.5], "score": 0.875},
            {"image_id": 2, "category_id": 7, "bbox": [0, 0, 3, 4], "score": 1},
            {"image_id": "000005", "category_id": 3, "bbox": [1e-3, 2E2, 0, 5], "score": 0.125},
            {"image_id": 30000000000, "category_id": 3, "bbox": [0.0, 0.0, 1.0, 1.0], "score": 0},
            {"image_id": 1, "category_id": 7, "bbox": [640, 480, 2.5, 2.5], "score": 0.5, "extra": [1, {"a": null}]}
            ]
            """;

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void mutatedResultsReadOrFailCleanly() throws IOException {
        Path file = dir.resolve("results.json");
        byte[] base = RESULTS.getBytes(StandardCharsets.UTF_8);
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < ITERATIONS; i++) {
                long caseSeed = SEED * 1_000_003L + i;
                Mutator m = new Mutator(caseSeed);
                byte[] input = m.random().nextInt(4) == 0 ? m.mutateBytes(base, List.of())
                        : m.mutateJson(RESULTS).getBytes(StandardCharsets.UTF_8);
                Files.write(file, input);
                Set<String> ids = i % 2 == 0 ? IMAGE_IDS : null;
                String description = "results seed " + caseSeed + " iteration " + i + (ids == null ? " any id " : " ") + m.log();
                boolean accepted = Mutator.runCase(description, input, file.toString(), Mutator.Limits.standard(),
                        () -> check(CocoResults.read(file, MAPPING, ids), ids), CocoResults.FormatException.class);
                outcomes[accepted ? 0 : 1]++;
            }
        });
        Mutator.assertBothOutcomes("CocoResults.read", outcomes[0], outcomes[1]);
    }

    @Test
    @Timeout(10)
    void cornersBeyondTheFloatRangeAreRefused() throws IOException {
        Path file = dir.resolve("overflow.json");
        for (String bbox : List.of("[3e38, 0, 3e38, 1]", "[0, 3.4028235E38, 1, 3.4028235E38]")) {
            String text = "[{\"image_id\": 1, \"category_id\": 1, \"bbox\": " + bbox + ", \"score\": 0.5}]";
            Files.writeString(file, text);
            boolean accepted = Mutator.runCase("bbox " + bbox, text.getBytes(StandardCharsets.UTF_8), file.toString(),
                    Mutator.Limits.standard(), () -> CocoResults.read(file, MAPPING, IMAGE_IDS), CocoResults.FormatException.class);
            assertFalse(accepted, bbox);
            CocoResults.FormatException e = assertThrows(CocoResults.FormatException.class,
                    () -> CocoResults.read(file, MAPPING, IMAGE_IDS));
            assertTrue(e.getMessage().contains("entry 0: bbox") && e.getMessage().contains("beyond the float range"),
                    e.getMessage());
        }
    }

    @Test
    @Timeout(10)
    void textThatIsNotUtf8IsAFormatErrorNamingTheFile() throws IOException {
        Path file = dir.resolve("latin1.json");
        byte[] bytes = RESULTS.getBytes(StandardCharsets.UTF_8);
        bytes[20] = (byte) 0xE9; // a lone Latin-1 e-acute
        Files.write(file, bytes);
        CocoResults.FormatException e = assertThrows(CocoResults.FormatException.class,
                () -> CocoResults.read(file, MAPPING, IMAGE_IDS));
        assertTrue(e.getMessage().startsWith(file + ": not valid UTF-8"), e.getMessage());
    }

    private static void check(List<Detection> detections, Set<String> ids) {
        for (Detection d : detections) {
            assertTrue(Float.isFinite(d.box().x1()) && Float.isFinite(d.box().y1()) && Float.isFinite(d.box().x2())
                    && Float.isFinite(d.box().y2()), "non-finite box " + d);
            assertTrue(d.box().width() >= 0 && d.box().height() >= 0, "negative size " + d);
            assertTrue(Float.isFinite(d.score()), "score " + d);
            assertTrue(d.classIndex() >= 0 && d.classIndex() < MAPPING.numClasses(), "class " + d);
            if (ids != null) assertTrue(ids.contains(d.imageId()), "image " + d);
        }
    }
}
