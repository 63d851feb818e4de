package dev.strix.detection.infer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointMetadataTest {
    @TempDir
    Path dir;

    @Test
    void writesAndReadsTheStrixKeys() throws Exception {
        Map<String, String> m = CheckpointMetadata.entries(List.of("cat", "dog, big", "ü"), 256);
        assertEquals(List.of("cat", "dog, big", "ü"), dev.strix.nn.io.Json.parse(m.get(CheckpointMetadata.CLASS_NAMES)),
                "a JSON array of strings");
        assertEquals("256", m.get(CheckpointMetadata.INPUT_SIZE));
        assertEquals(List.of("cat", "dog, big", "ü"), CheckpointMetadata.classNames(m, null, 3));
        assertEquals(256, CheckpointMetadata.inputSize(m));
        assertEquals(0, CheckpointMetadata.inputSize(Map.of()));
        assertThrows(IllegalArgumentException.class, () -> CheckpointMetadata.inputSize(Map.of(CheckpointMetadata.INPUT_SIZE, "x")));
    }

    @Test
    void readsForeignListsAndSidecarsInOrder() throws Exception {
        assertEquals(List.of("a", "b"), CheckpointMetadata.classNames(Map.of("class_names", " a , b "), null, 2));
        assertEquals(List.of("a", "b"), CheckpointMetadata.classNames(Map.of("class_names", "[\"a\", \"b\"]"), null, 2));
        Path w = dir.resolve("best.safetensors");
        assertEquals(List.of("class0", "class1"), CheckpointMetadata.classNames(Map.of(), w, 2));
        Files.writeString(dir.resolve("classes.txt"), "x\ny\n");
        assertEquals(List.of("x", "y"), CheckpointMetadata.classNames(Map.of(), w, 2));
        Files.writeString(dir.resolve("best.classes.txt"), "p\n\nq\n");
        assertEquals(List.of("p", "q"), CheckpointMetadata.classNames(Map.of(), w, 2), "the weights' own sidecar first");
        assertEquals(List.of("m", "n"), CheckpointMetadata.classNames(Map.of(CheckpointMetadata.CLASS_NAMES, "[\"m\",\"n\"]"), w, 2),
                "metadata before sidecars");
    }

    @Test
    void reportsMalformedAndMismatchedLists() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CheckpointMetadata.classNames(Map.of(CheckpointMetadata.CLASS_NAMES, "[\"a\"]"), null, 4));
        assertTrue(e.getMessage().contains("1 class names") && e.getMessage().contains("4 classes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CheckpointMetadata.parseList("[1, 2]", "test"));
        assertThrows(IllegalArgumentException.class, () -> CheckpointMetadata.parseList("a,,b", "test"));
        assertThrows(IllegalArgumentException.class, () -> CheckpointMetadata.parseList("[\"a\"", "test"));
    }
}
