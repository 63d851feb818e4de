package dev.strix.detection.model;

import dev.strix.nn.Tensor;
import dev.strix.nn.init.Init;
import dev.strix.nn.io.DType;
import dev.strix.nn.io.StateDicts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A DetNet checkpoint written for another class count or width does not load: {@link StateDicts#load} refuses it
 * with the file, the tensor names and both shapes, and the model keeps its weights.
 */
@Timeout(30)
class CheckpointMismatchTest {
    @TempDir
    Path dir;

    private static DetNet detNet(int classes, int width) {
        Init.seed(11);
        return new DetNet(new DetNetConfig(classes, width, 8, 1));
    }

    private static void assertMessage(String message, String... fragments) {
        for (String f : fragments) assertTrue(message.contains(f), () -> "message '" + message + "' lacks '" + f + "'");
    }

    private static void assertSameWeights(Map<String, float[]> before, DetNet m) {
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet())
            if (before.containsKey(e.getKey())) assertArrayEquals(before.get(e.getKey()), e.getValue().toArray(), e.getKey());
    }

    private static Map<String, float[]> floatWeights(DetNet m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet())
            if (e.getValue().dtype() == DType.F32) out.put(e.getKey(), e.getValue().toArray());
        return out;
    }

    @Test
    void wrongClassCountNamesTheClassifierTensors() throws IOException {
        Path file = dir.resolve("voc20.safetensors");
        StateDicts.save(file, detNet(20, 2));
        DetNet target = detNet(5, 2);
        Map<String, float[]> before = floatWeights(target);
        for (boolean strict : new boolean[] {true, false}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDicts.load(file, target, strict));
            assertMessage(e.getMessage(), file.toString(),
                    "tensor 'cls_out.weight' has shape [20, 8, 3, 3] but the model expects [5, 8, 3, 3]",
                    "tensor 'cls_out.bias' has shape [20] but the model expects [5]");
            assertFalse(e.getMessage().contains("box_out"), "only the classifier differs: " + e.getMessage());
        }
        assertSameWeights(before, target);
        // the configuration read off the file tells the user what the checkpoint holds
        assertEquals(20, DetNetConfig.inferFrom(StateDicts.read(file)).numClasses());
    }

    @Test
    void wrongWidthNamesTheBackboneTensors() throws IOException {
        Path file = dir.resolve("wide.safetensors");
        StateDicts.save(file, detNet(5, 4));
        DetNet target = detNet(5, 2);
        Map<String, float[]> before = floatWeights(target);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDicts.load(file, target, true));
        assertMessage(e.getMessage(), file.toString(),
                "tensor 'stem.0.weight' has shape [4, 3, 3, 3] but the model expects [2, 3, 3, 3]",
                "tensor 'stem.1.running_mean' has shape [4] but the model expects [2]");
        assertSameWeights(before, target);
    }

    @Test
    void deeperTowerCheckpointIsRefusedInStrictModeByName() throws IOException {
        Path file = dir.resolve("deep.safetensors");
        Init.seed(13);
        StateDicts.save(file, new DetNet(new DetNetConfig(5, 2, 8, 2)));
        DetNet target = detNet(5, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDicts.load(file, target, true));
        assertMessage(e.getMessage(), file.toString(), "unexpected tensor(s) not in DetNet", "cls_tower.2.weight",
                "box_tower.2.bias");
    }

    @Test
    void matchingCheckpointLoadsExactly() throws IOException {
        Path file = dir.resolve("same.safetensors");
        DetNet source = detNet(5, 2);
        StateDicts.save(file, source);
        Init.seed(99);
        DetNet target = new DetNet(new DetNetConfig(5, 2, 8, 1));
        StateDicts.load(file, target, true);
        assertSameWeights(floatWeights(source), target);
    }
}
