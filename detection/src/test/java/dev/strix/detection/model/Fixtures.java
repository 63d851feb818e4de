package dev.strix.detection.model;

import dev.strix.nn.Tensor;
import dev.strix.nn.io.StateDicts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The PyTorch fixtures written by nn/src/test/python/make_fixtures.py, read from the nn module's folder
 * (surefire runs with the module folder as working directory), and an element-wise comparison.
 */
public final class Fixtures {
    /** Folder of the DetNet fixtures. */
    public static final Path DETNET = Path.of("..", "nn", "src", "test", "resources", "fixtures", "detnet");
    /** DetNet(num_classes=5, w=8, fpn=16, depth=2) with perturbed batch-norm parameters and statistics. */
    public static final Path SMALL_WEIGHTS = DETNET.resolve("detnet_small.weights.safetensors");
    /** Input (2, 3, 64, 96) and the evaluation-mode outputs level<i>.cls/box/ctr. */
    public static final Path SMALL_IO = DETNET.resolve("detnet_small.io.safetensors");
    /** Train-mode outputs, upstream gradients, parameter and input gradients, state after one SGD step. */
    public static final Path SMALL_TRAIN = DETNET.resolve("detnet_small.train.safetensors");
    /** The configuration of the small fixtures. */
    public static final DetNetConfig SMALL = new DetNetConfig(5, 8, 16, 2);

    private Fixtures() {}

    /** All tensors of a fixture file. */
    public static Map<String, Tensor> read(Path file) {
        assertTrue(Files.isRegularFile(file), "fixture " + file.toAbsolutePath() + " is missing; generate it with "
                + "python3 nn/src/test/python/make_fixtures.py");
        try {
            return StateDicts.read(file);
        } catch (Exception e) {
            throw new AssertionError("cannot read fixture " + file + ": " + e.getMessage(), e);
        }
    }

    /** The tensor {@code name} of a fixture map, which must exist. */
    public static Tensor get(Map<String, Tensor> fixture, String name) {
        Tensor t = fixture.get(name);
        assertNotNull(t, "fixture has no tensor '" + name + "'");
        return t;
    }

    /**
     * Asserts equal shapes and |actual - expected| <= atol + rtol * |expected| everywhere; the failure message
     * gives the first failing index, both values, the largest difference and where it is.
     */
    public static void assertClose(String what, Tensor expected, Tensor actual, double atol, double rtol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertClose(what, expected.toArray(), actual.toArray(), atol, rtol);
    }

    /** Array form of {@link #assertClose(String, Tensor, Tensor, double, double)}. */
    public static void assertClose(String what, float[] expected, float[] actual, double atol, double rtol) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + " != " + expected.length);
        int firstBad = -1, worst = -1;
        double worstDiff = -1;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) actual[i] - expected[i]);
            if (Double.isNaN(diff)) diff = Double.POSITIVE_INFINITY;
            if (diff > worstDiff) {
                worstDiff = diff;
                worst = i;
            }
            if (firstBad < 0 && !(diff <= atol + rtol * Math.abs(expected[i]))) firstBad = i;
        }
        if (firstBad >= 0)
            fail(what + ": at index " + firstBad + " expected " + expected[firstBad] + " but got " + actual[firstBad]
                    + " (tolerance " + atol + " + " + rtol + "*|expected|); largest difference " + worstDiff
                    + " at index " + worst + " (expected " + expected[worst] + ", got " + actual[worst] + ")");
    }
}
