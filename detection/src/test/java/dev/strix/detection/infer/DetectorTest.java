package dev.strix.detection.infer;

import dev.strix.detection.data.Box;
import dev.strix.detection.data.augment.Letterbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class DetectorTest {
    private static final List<String> CLASSES = List.of("red", "green", "blue");

    @TempDir
    Path dir;

    private Detector load(int size) throws Exception {
        Path w = TinyDetNets.write(dir.resolve("w.safetensors"), CLASSES, 128, 11);
        return Detector.load(w, DetectorOptions.defaults().withInputSize(size));
    }

    @Test
    void readsArchitectureClassNamesAndInputSizeFromTheCheckpoint() throws Exception {
        Path w = TinyDetNets.write(dir.resolve("named.safetensors"), CLASSES, 96, 1);
        try (Detector d = Detector.load(w)) {
            assertEquals(3, d.numClasses());
            assertEquals(4, d.config().width());
            assertEquals(8, d.config().fpnChannels());
            assertEquals(1, d.config().towerDepth());
            assertEquals(CLASSES, d.classNames());
            assertEquals(96, d.inputSize(), "input size from metadata " + CheckpointMetadata.INPUT_SIZE);
        }
        Path bare = TinyDetNets.write(dir.resolve("bare.safetensors"), 2, 1, Map.of());
        try (Detector d = Detector.load(bare)) {
            assertEquals(List.of("class0", "class1"), d.classNames());
            assertEquals(DetectorOptions.DEFAULT_INPUT_SIZE, d.inputSize());
        }
        try (Detector d = Detector.load(bare, DetectorOptions.defaults().withClassNames(List.of("a", "b")).withInputSize(64))) {
            assertEquals(List.of("a", "b"), d.classNames());
            assertEquals(64, d.inputSize());
        }
    }

    @Test
    void boxesLieInTheOriginalImage() throws Exception {
        try (Detector d = load(128)) {
            BufferedImage image = TinyDetNets.picture(300, 200, 1);
            List<DetectedObject> found = d.detect(image);
            assertFalse(found.isEmpty(), "the test model should find candidates above 0.05");
            float previous = Float.POSITIVE_INFINITY;
            for (DetectedObject o : found) {
                Box b = o.box();
                assertTrue(b.isValid(), "valid box " + b);
                assertTrue(b.x1() >= 0 && b.y1() >= 0 && b.x2() <= 300 && b.y2() <= 200, "box inside 300x200: " + b);
                assertTrue(o.score() > 0.05f && o.score() <= 1f, "score " + o.score());
                assertTrue(o.score() <= previous, "sorted by score");
                previous = o.score();
                assertEquals(CLASSES.get(o.classIndex()), o.label());
            }
            assertTrue(found.size() <= 100, "at most 100 detections, got " + found.size());
        }
    }

    @Test
    void warmUpRunsPassesAndChangesNoDetection() throws Exception {
        try (Detector d = load(128)) {
            BufferedImage image = TinyDetNets.picture(160, 120, 3);
            List<DetectedObject> before = d.detect(image);
            assertTrue(d.warmUp(3) == d, "returns the detector for chaining");
            d.warmUp(0);
            List<DetectedObject> after = d.detect(image);
            assertFalse(before.isEmpty());
            assertEquals(before, after, "the same detections before and after the warm-up");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.warmUp(-1));
            assertTrue(e.getMessage().contains("-1"), e.getMessage());
        }
        Detector closed = load(128);
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.warmUp(1));
    }

    /**
     * A 320x200 image at input size 320 is letterboxed at scale 1 with 60 rows of padding above: its detections must
     * be those of the hand-made padded 320x320 frame moved up by 60 rows and clipped to 320x200.
     */
    @Test
    void mapsLetterboxedBoxesBackToOriginalCoordinates() throws Exception {
        try (Detector d = load(320)) {
            BufferedImage image = TinyDetNets.picture(320, 200, 2);
            BufferedImage frame = new BufferedImage(320, 320, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = frame.createGraphics();
            g.setColor(new Color(Letterbox.FILL, Letterbox.FILL, Letterbox.FILL));
            g.fillRect(0, 0, 320, 320);
            g.drawImage(image, 0, 60, null);
            g.dispose();

            List<DetectedObject> direct = d.detect(image);
            List<DetectedObject> expected = new ArrayList<>();
            for (DetectedObject o : d.detect(frame)) {
                Box b = o.box();
                Box moved = new Box(b.x1(), b.y1() - 60, b.x2(), b.y2() - 60).clip(320, 200);
                if (moved.isValid()) expected.add(new DetectedObject(moved, o.classIndex(), o.label(), o.score()));
            }
            assertFalse(direct.isEmpty());
            assertEquals(expected.size(), direct.size(), "detection count");
            for (int i = 0; i < direct.size(); i++) {
                DetectedObject want = expected.get(i), got = direct.get(i);
                assertEquals(want.classIndex(), got.classIndex(), "class of detection " + i);
                assertEquals(want.score(), got.score(), 1e-6f, "score of detection " + i);
                assertBoxClose(want.box(), got.box(), 1e-3f, "detection " + i);
            }
        }
    }

    @Test
    void detectAllMatchesOneImageAtATime() throws Exception {
        try (Detector d = Detector.load(TinyDetNets.write(dir.resolve("b.safetensors"), CLASSES, 96, 5),
                DetectorOptions.defaults().withBatchSize(2))) {
            List<BufferedImage> images = List.of(TinyDetNets.picture(120, 90, 0), TinyDetNets.picture(64, 130, 1),
                    TinyDetNets.picture(96, 96, 2));
            List<List<DetectedObject>> batched = d.detectAll(images);
            assertEquals(3, batched.size());
            for (int i = 0; i < images.size(); i++) {
                List<DetectedObject> single = d.detect(images.get(i));
                assertEquals(single.size(), batched.get(i).size(), "image " + i + " detection count");
                for (int k = 0; k < single.size(); k++) {
                    // batched convolutions may sum in another order: allow float rounding
                    assertEquals(single.get(k).classIndex(), batched.get(i).get(k).classIndex());
                    assertEquals(single.get(k).score(), batched.get(i).get(k).score(), 1e-5f);
                    assertBoxClose(single.get(k).box(), batched.get(i).get(k).box(), 1e-3f, "image " + i + " det " + k);
                }
            }
        }
    }

    @Test
    void concurrentCallsGiveTheSameResultsAsOneThread() throws Exception {
        // input 192: large enough that the convolutions and GEMMs split their work over the shared worker pool
        try (Detector d = load(192)) {
            List<BufferedImage> images = List.of(TinyDetNets.picture(300, 200, 0), TinyDetNets.picture(160, 240, 1),
                    TinyDetNets.picture(97, 131, 2), TinyDetNets.picture(256, 256, 3));
            List<List<DetectedObject>> expected = new ArrayList<>();
            for (BufferedImage image : images) expected.add(d.detect(image));
            for (List<DetectedObject> e : expected) assertFalse(e.isEmpty(), "every test image has detections");
            int threads = 8, calls = 10;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<List<String>>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    Callable<List<String>> job = () -> {
                        List<String> problems = new ArrayList<>();
                        for (int c = 0; c < calls; c++) {
                            int k = (thread + c) % images.size();
                            List<DetectedObject> got = d.detect(images.get(k));
                            if (!got.equals(expected.get(k)))
                                problems.add("thread " + thread + " call " + c + " image " + k + ": " + got.size()
                                        + " detections, expected " + expected.get(k).size()
                                        + (got.isEmpty() ? "" : "; first " + got.getFirst() + " vs "
                                        + (expected.get(k).isEmpty() ? "none" : expected.get(k).getFirst())));
                        }
                        return problems;
                    };
                    futures.add(pool.submit(job));
                }
                List<String> problems = new ArrayList<>();
                for (Future<List<String>> f : futures) problems.addAll(f.get());
                assertTrue(problems.isEmpty(), problems.size() + " mismatching calls: " + problems);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void closedDetectorRefusesWork() throws Exception {
        Detector d = load(64);
        d.close();
        assertThrows(IllegalStateException.class, () -> d.detect(TinyDetNets.picture(50, 40, 0)));
    }

    @Test
    void refusesBadOptionsAndForeignFiles() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> DetectorOptions.defaults().withInputSize(100));
        assertThrows(IllegalArgumentException.class, () -> DetectorOptions.defaults().withScoreThreshold(1f));
        Path w = TinyDetNets.write(dir.resolve("three.safetensors"), 3, 1, Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Detector.load(w, DetectorOptions.defaults().withClassNames(List.of("a", "b"))));
        assertTrue(e.getMessage().contains("2 class names") && e.getMessage().contains("3 classes"), e.getMessage());
        Path junk = Files.writeString(dir.resolve("junk.safetensors"), "not a checkpoint");
        assertThrows(java.io.IOException.class, () -> Detector.load(junk));
    }

    static void assertBoxClose(Box want, Box got, float atol, String what) {
        float[] a = {want.x1(), want.y1(), want.x2(), want.y2()}, b = {got.x1(), got.y1(), got.x2(), got.y2()};
        for (int i = 0; i < 4; i++)
            if (Math.abs(a[i] - b[i]) > atol) fail(what + ": coordinate " + i + " expected " + a[i] + " got " + b[i]
                    + " (|diff| " + Math.abs(a[i] - b[i]) + "); boxes " + want + " vs " + got);
    }
}
