package dev.strix.detection.eval;

import dev.strix.detection.data.Box;
import dev.strix.detection.data.Detection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CocoResultsTest {
    @TempDir
    Path dir;

    private static final Set<String> VOC_IDS = Set.of("000005", "000007", "cat_1");

    @Test
    void vocStyleRoundTripKeepsStringIdsAndOneBasedCategories() throws IOException {
        List<Detection> dets = List.of(
                new Detection("000005", new Box(10.5f, 20.25f, 110.5f, 80.75f), 0, 0.875f),
                new Detection("cat_1", new Box(0f, 0f, 3f, 4f), 2, 0.125f));
        Path file = dir.resolve("preds.json");
        CategoryMapping mapping = CategoryMapping.oneBased(3);
        CocoResults.write(file, dets, mapping, CocoResults.ImageIdStyle.STRING);
        String text = Files.readString(file);
        assertTrue(text.contains("\"image_id\":\"000005\""), text);
        assertTrue(text.contains("\"category_id\":3"), text);
        assertTrue(text.contains("\"bbox\":[10.5,20.25,100.0,60.5]"), text);
        assertEquals(dets, CocoResults.read(file, mapping, VOC_IDS)); // values chosen to be exact in float
    }

    @Test
    void cocoStyleWritesNumericIdsAsNumbersAndMapsCategoryIds() throws IOException {
        CategoryMapping mapping = CategoryMapping.of(1, 3, 90);
        List<Detection> dets = List.of(new Detection("42", new Box(1, 2, 4, 6), 2, 0.5f),
                new Detection("7", new Box(0, 0, 1, 1), 1, 0.25f));
        Path file = dir.resolve("sub/coco.json");
        CocoResults.write(file, dets, mapping, CocoResults.ImageIdStyle.NUMBER_WHEN_NUMERIC);
        String text = Files.readString(file);
        assertTrue(text.contains("\"image_id\":42,\"category_id\":90"), text);
        assertTrue(text.contains("\"image_id\":7,\"category_id\":3"), text);
        assertEquals(dets, CocoResults.read(file, mapping, Set.of("42", "7")));
        assertEquals(dets, CocoResults.read(file, mapping, null));
        assertEquals(1, mapping.toClassIndex(3));
        assertEquals(CategoryMapping.UNKNOWN, mapping.toClassIndex(2));
    }

    @Test
    void readsZeroSizeBoxesAndIntegerNumbers() throws IOException {
        Path file = write("[{\"image_id\": \"000007\", \"category_id\": 1, \"bbox\": [3, 4, 0, 5], \"score\": 1}]");
        List<Detection> dets = CocoResults.read(file, CategoryMapping.oneBased(2), VOC_IDS);
        assertEquals(List.of(new Detection("000007", new Box(3, 4, 3, 9), 0, 1f)), dets);
        assertEquals(List.of(), CocoResults.read(write("[]"), CategoryMapping.oneBased(2), VOC_IDS));
    }

    @Test
    void rejectsMalformedEntriesNamingFileEntryAndProblem() throws IOException {
        String ok = "{\"image_id\": \"000005\", \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}";
        expectError("{\"a\": 1}", "expected a JSON array");
        expectError("[" + ok + ", ", "not valid JSON");
        expectError("[" + ok + ", 5]", "entry 1: expected an object");
        expectError("[" + ok + ", {\"image_id\": \"000005\", \"category_id\": 1, \"bbox\": [1, 2, 3, 4]}]",
                "entry 1: missing field \"score\"");
        expectError("[{\"image_id\": \"000005\", \"category_id\": 1, \"bbox\": [1, 2, 3], \"score\": 0.5}]",
                "entry 0: \"bbox\" has 3 numbers, expected 4");
        expectError("[{\"image_id\": \"000005\", \"category_id\": 1, \"bbox\": [1, 2, -3, 4], \"score\": 0.5}]",
                "entry 0: bbox has negative width");
        expectError("[{\"image_id\": \"000005\", \"category_id\": 1, \"bbox\": [1, 2, 3, -0.5], \"score\": 0.5}]",
                "entry 0: bbox has negative height");
        expectError("[{\"image_id\": \"000005\", \"category_id\": 1, \"bbox\": [1, \"2\", 3, 4], \"score\": 0.5}]",
                "entry 0: bbox y must be a number");
        expectError("[{\"image_id\": \"000005\", \"category_id\": 1, \"bbox\": [1e39, 2, 3, 4], \"score\": 0.5}]",
                "entry 0: bbox x = 1.0E39 is not a finite float");
        expectError("[{\"image_id\": \"000005\", \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": \"high\"}]",
                "entry 0: \"score\" must be a number");
        expectError("[" + ok + ", {\"image_id\": \"000099\", \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]",
                "entry 1: unknown image id '000099'");
        expectError("[{\"image_id\": true, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]",
                "entry 0: \"image_id\" must be an integer or a string");
        expectError("[{\"image_id\": \"000005\", \"category_id\": 4, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]",
                "entry 0: unknown category_id 4");
        expectError("[{\"image_id\": \"000005\", \"category_id\": 0, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]",
                "entry 0: unknown category_id 0");
        expectError("[{\"image_id\": \"000005\", \"category_id\": 1.5, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]",
                "entry 0: \"category_id\" must be an integer");
    }

    private void expectError(String json, String problem) throws IOException {
        Path file = write(json);
        CocoResults.FormatException e = assertThrows(CocoResults.FormatException.class,
                () -> CocoResults.read(file, CategoryMapping.oneBased(3), VOC_IDS), json);
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(problem), "expected '" + problem + "' in: " + e.getMessage());
    }

    private int files;

    private Path write(String json) throws IOException {
        Path file = dir.resolve("results" + files++ + ".json");
        Files.writeString(file, json);
        return file;
    }

    @Test
    void categoryMappingsRejectBadInput() {
        assertThrows(IllegalArgumentException.class, () -> CategoryMapping.of(1, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> CategoryMapping.oneBased(2).toCategoryId(2));
        assertEquals(2, CategoryMapping.oneBased(2).toCategoryId(1));
        assertEquals(CategoryMapping.UNKNOWN, CategoryMapping.oneBased(2).toClassIndex(3));
    }
}
