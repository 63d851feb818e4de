package dev.strix.detection.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class YoloDatasetTest {
    @TempDir
    Path dir;

    private void layout(String split, String labels) throws IOException {
        Path images = Files.createDirectories(dir.resolve("images").resolve(split));
        Path lab = Files.createDirectories(dir.resolve("labels").resolve(split));
        TestImages.writePng(TestImages.solid(100, 50, 0x102030), images.resolve("p1.png"));
        TestImages.writePng(TestImages.solid(20, 20, 0x102030), images.resolve("p2.png"));
        Files.writeString(lab.resolve("p1.txt"), labels);
        Files.writeString(dir.resolve("classes.txt"), "cat\ndog\n");
    }

    @Test
    void readsNormalisedCentreBoxes() throws IOException {
        layout("train", "1 0.5 0.5 0.2 0.4\n\n0 0.1 0.2 0.2 0.4\n");
        YoloDataset ds = YoloDataset.open(dir, "train");
        assertEquals(List.of("cat", "dog"), ds.classNames());
        assertEquals(2, ds.size());
        ImageAnnotation a = ds.annotation(0);
        assertEquals("p1", a.imageId());
        assertEquals(100, a.width());
        assertEquals(50, a.height());
        assertEquals(ObjectAnnotation.of(new Box(40, 15, 60, 35), 1), a.objects().get(0));
        assertEquals(ObjectAnnotation.of(new Box(0, 0, 20, 20), 0), a.objects().get(1));
        assertEquals(0, ds.annotation(1).objects().size()); // no label file: no objects
        assertEquals(100, ds.image(0).getWidth());
    }

    @Test
    void flatLayoutAndDataNames() throws IOException {
        Files.createDirectories(dir.resolve("images"));
        Files.createDirectories(dir.resolve("labels"));
        TestImages.writePng(TestImages.solid(10, 10, 0), dir.resolve("images/x.png"));
        Files.writeString(dir.resolve("labels/x.txt"), "2 0.5 0.5 1 1\n");
        Files.writeString(dir.resolve("data.names"), "a\nb\nc\n");
        YoloDataset ds = YoloDataset.open(dir, null);
        assertEquals(new Box(0, 0, 10, 10), ds.annotation(0).objects().getFirst().box());
        assertEquals(2, ds.annotation(0).objects().getFirst().classIndex());
    }

    private void assertFails(String labels, String... parts) throws IOException {
        layout("val", labels);
        DatasetException e = assertThrows(DatasetException.class, () -> YoloDataset.open(dir, "val"));
        assertTrue(e.getMessage().contains("p1.txt line 2"), e.getMessage());
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
    }

    @Test
    void wrongFieldCount() throws IOException {
        assertFails("0 0.5 0.5 0.1 0.1\n0 0.5 0.5 0.1\n", "expected 5 fields", "got 4");
    }

    @Test
    void valueOutOfRange() throws IOException {
        assertFails("0 0.5 0.5 0.1 0.1\n0 1.5 0.5 0.1 0.1\n", "cx = 1.5 is outside [0, 1]");
    }

    @Test
    void boxPastTheBorder() throws IOException {
        assertFails("0 0.5 0.5 0.1 0.1\n0 0.95 0.5 0.2 0.1\n", "extends outside the image");
    }

    @Test
    void classIdOutOfRange() throws IOException {
        assertFails("0 0.5 0.5 0.1 0.1\n2 0.5 0.5 0.1 0.1\n", "class id 2 is out of range [0, 2)", "cat, dog");
    }

    @Test
    void notANumber() throws IOException {
        assertFails("0 0.5 0.5 0.1 0.1\n0 0.5 x 0.1 0.1\n", "cy 'x' is not a number");
    }

    @Test
    void lenientSkipsBadLines() throws IOException {
        layout("train", "0 0.5 0.5 0.1 0.1\n7 0.5 0.5 0.1 0.1\n");
        YoloDataset ds = YoloDataset.open(dir, "train", ReadOptions.lenientOptions());
        assertEquals(1, ds.annotation(0).objects().size());
        assertEquals(1, ds.warnings().size());
        assertTrue(ds.warnings().getFirst().contains("p1.txt line 2"), ds.warnings().getFirst());
    }

    @Test
    void missingClassFile() throws IOException {
        layout("train", "");
        Files.delete(dir.resolve("classes.txt"));
        DatasetException e = assertThrows(DatasetException.class, () -> YoloDataset.open(dir, "train"));
        assertTrue(e.getMessage().contains("classes.txt or data.names"), e.getMessage());
    }
}
