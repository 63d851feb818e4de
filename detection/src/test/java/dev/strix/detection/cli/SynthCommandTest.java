package dev.strix.detection.cli;

import dev.strix.detection.data.CocoDataset;
import dev.strix.detection.data.DetectionDataset;
import dev.strix.detection.data.ImageAnnotation;
import dev.strix.detection.data.ReadOptions;
import dev.strix.detection.data.SyntheticScenes;
import dev.strix.detection.data.VocDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code strix synth}: the written datasets read back as the generator's scenes, and train. */
class SynthCommandTest {
    @TempDir
    Path dir;

    private static final List<String> TINY = List.of("--count", "6", "--val-count", "3", "--size", "64", "--classes", "3",
            "--seed", "11");

    private static List<String> args(String... head) {
        List<String> a = new java.util.ArrayList<>(List.of(head));
        a.addAll(TINY);
        return a;
    }

    /** Same images, sizes, object counts and classes; boxes within the pixel rounding of the file format. */
    private static void assertSameScenes(SyntheticScenes expected, DetectionDataset got) {
        assertEquals(expected.size(), got.size());
        assertEquals(expected.classNames(), got.classNames());
        for (int i = 0; i < expected.size(); i++) {
            ImageAnnotation e = expected.annotation(i), g = got.annotation(i);
            assertEquals(e.width(), g.width(), "width of " + e.imageId());
            assertEquals(e.height(), g.height(), "height of " + e.imageId());
            assertEquals(e.objects().size(), g.objects().size(), "objects of " + e.imageId());
            for (int j = 0; j < e.objects().size(); j++) {
                assertEquals(e.objects().get(j).classIndex(), g.objects().get(j).classIndex());
                var eb = e.objects().get(j).box();
                var gb = g.objects().get(j).box();
                assertEquals(eb.x1(), gb.x1(), 1.0, e.imageId() + " object " + j);
                assertEquals(eb.y2(), gb.y2(), 1.0, e.imageId() + " object " + j);
            }
        }
    }

    @Test
    void vocLayoutReadsBackAndTrains() throws Exception {
        Path out = dir.resolve("voc");
        MainTest.Outcome r = TuneCommandTest.strix(args("synth", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote 6 training and 3 validation scenes"), r.out());
        SyntheticScenes train = new SyntheticScenes(11, 6, 64, 3), val = new SyntheticScenes(12, 3, 64, 3);
        ReadOptions opts = ReadOptions.strict().withClasses(train.classNames());
        assertSameScenes(train, VocDataset.open(out, "train", opts));
        assertSameScenes(val, VocDataset.open(out, "val", opts));
        MainTest.Outcome t = TuneCommandTest.strix(List.of("train", "--data", out.toString(), "--format", "voc",
                "--split", "train", "--val-split", "val", "--epochs", "1", "--size", "64", "--batch", "3", "--width", "4",
                "--fpn", "8", "--depth", "1", "--workers", "1", "--out", dir.resolve("run").toString()));
        assertEquals(0, t.code(), t.err());
        assertTrue(Files.isRegularFile(dir.resolve("run/best.safetensors")));
    }

    @Test
    void cocoLayoutReadsBack() throws Exception {
        Path out = dir.resolve("coco");
        MainTest.Outcome r = TuneCommandTest.strix(args("synth", "--out", out.toString(), "--format", "coco",
                "--image-format", "jpg"));
        assertEquals(0, r.code(), r.err());
        SyntheticScenes train = new SyntheticScenes(11, 6, 64, 3);
        CocoDataset ds = CocoDataset.open(out.resolve("annotations/instances_train.json"), out.resolve("images/train"),
                ReadOptions.strict());
        assertSameScenes(train, ds);
        assertTrue(Files.isRegularFile(out.resolve("annotations/instances_val.json")));
        try (var files = Files.list(out.resolve("images/train"))) {
            assertEquals(6, files.filter(p -> p.toString().endsWith(".jpg")).count());
        }
    }

    @Test
    void refusesAFolderThatHoldsFilesAndBadOptions() throws Exception {
        Path out = Files.createDirectories(dir.resolve("full"));
        Files.writeString(out.resolve("keep.txt"), "mine");
        MainTest.Outcome r = TuneCommandTest.strix(args("synth", "--out", out.toString()));
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("exists and is not an empty folder; nothing written"), r.err());
        try (var files = Files.list(out)) {
            assertEquals(List.of(out.resolve("keep.txt")), files.toList());
        }
        r = TuneCommandTest.strix(List.of("synth", "--out", dir.resolve("x").toString(), "--classes", "99"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--classes must be at most " + SyntheticScenes.MAX_CLASSES), r.err());
        r = TuneCommandTest.strix(List.of("synth", "--out", dir.resolve("x").toString(), "--format", "yolo"));
        assertEquals(2, r.code(), r.err());
        assertTrue(!Files.exists(dir.resolve("x")));
    }
}
