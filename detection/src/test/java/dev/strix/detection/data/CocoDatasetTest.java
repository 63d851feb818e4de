package dev.strix.detection.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CocoDatasetTest {
    @TempDir
    Path dir;

    private static final String CATS = "\"categories\": [{\"id\": 18, \"name\": \"dog\"}, {\"id\": 3, \"name\": \"car\"}, {\"id\": 7, \"name\": \"bus\"}]";

    private Path write(String images, String annotations) throws IOException {
        Files.createDirectories(dir.resolve("img"));
        TestImages.writePng(TestImages.solid(50, 40, 0x804020), dir.resolve("img/a.png"));
        Path f = dir.resolve("instances.json");
        Files.writeString(f, "{\"images\": " + images + ", \"annotations\": " + annotations + ", " + CATS + "}");
        return f;
    }

    private static final String IMAGES = "[{\"id\": 42, \"file_name\": \"a.png\", \"width\": 50, \"height\": 40}]";

    @Test
    void mapsCategoriesBoxesAndCrowd() throws IOException {
        Path f = write(IMAGES, "[{\"id\": 1, \"image_id\": 42, \"category_id\": 18, \"bbox\": [1.5, 2, 10, 20], \"iscrowd\": 0},"
                + "{\"id\": 2, \"image_id\": 42, \"category_id\": 3, \"bbox\": [0, 0, 50, 40], \"iscrowd\": 1}]");
        CocoDataset ds = CocoDataset.open(f, dir.resolve("img"));
        assertEquals(List.of("car", "bus", "dog"), ds.classNames()); // ascending category id 3, 7, 18
        assertEquals(3, ds.categoryId(0));
        assertEquals(7, ds.categoryId(1));
        assertEquals(18, ds.categoryId(2));
        assertEquals(2, ds.classIndexOf(18));
        assertEquals(0, ds.classIndexOf(3));
        ImageAnnotation a = ds.annotation(0);
        assertEquals("42", a.imageId());
        assertEquals(42, ds.cocoImageId(a.imageId()));
        assertEquals(new Box(1.5f, 2, 11.5f, 22), a.objects().get(0).box());
        assertEquals(2, a.objects().get(0).classIndex());
        assertFalse(a.objects().get(0).crowd());
        assertTrue(a.objects().get(1).crowd());
        assertEquals(50, ds.image(0).getWidth());
    }

    @Test
    void syntheticRoundTripIsIdentical() throws IOException {
        SyntheticScenes scenes = new SyntheticScenes(5, 5, 64, 6);
        scenes.writeCoco(dir.resolve("ann/instances.json"), dir.resolve("images"));
        CocoDataset ds = CocoDataset.open(dir.resolve("ann/instances.json"), dir.resolve("images"));
        assertEquals(scenes.classNames(), ds.classNames());
        assertEquals(scenes.size(), ds.size());
        for (int i = 0; i < scenes.size(); i++) {
            assertEquals(scenes.annotation(i).objects(), ds.annotation(i).objects(), "image " + i);
            assertEquals(String.valueOf(i + 1), ds.annotation(i).imageId());
            TestImages.assertSamePixels(scenes.image(i), ds.image(i));
        }
    }

    private DatasetException fails(String images, String annotations) throws IOException {
        Path f = write(images, annotations);
        DatasetException e = assertThrows(DatasetException.class, () -> CocoDataset.open(f, dir.resolve("img")));
        assertTrue(e.getMessage().contains("instances.json"), e.getMessage());
        return e;
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
    }

    @Test
    void danglingImageId() throws IOException {
        assertMentions(fails(IMAGES, "[{\"id\": 9, \"image_id\": 43, \"category_id\": 3, \"bbox\": [0, 0, 5, 5]}]"),
                "annotations[0] (id 9)", "image_id 43 has no entry");
    }

    @Test
    void danglingCategoryId() throws IOException {
        assertMentions(fails(IMAGES, "[{\"image_id\": 42, \"category_id\": 5, \"bbox\": [0, 0, 5, 5]}]"),
                "annotations[0]", "category_id 5 has no entry");
    }

    @Test
    void missingField() throws IOException {
        assertMentions(fails(IMAGES, "[{\"image_id\": 42, \"category_id\": 3, \"bbox\": [0, 0, 5, 5]}, {\"image_id\": 42, \"category_id\": 3}]"),
                "annotations[1]", "missing required key 'bbox'");
        assertMentions(fails("[{\"id\": 1, \"file_name\": \"a.png\", \"width\": 50}]", "[]"), "images[0] (id 1)", "'height'");
    }

    @Test
    void wrongTypes() throws IOException {
        assertMentions(fails(IMAGES, "[{\"image_id\": \"42\", \"category_id\": 3, \"bbox\": [0, 0, 5, 5]}]"),
                "annotations[0]", "'image_id'", "expected integer");
        assertMentions(fails(IMAGES, "[{\"image_id\": 42, \"category_id\": 3, \"bbox\": [0, \"0\", 5, 5]}]"),
                "annotations[0]", "bbox[1] is string");
        assertMentions(fails(IMAGES, "[{\"image_id\": 42, \"category_id\": 3, \"bbox\": [0, 0, 5]}]"),
                "annotations[0]", "bbox has 3 values");
        assertMentions(fails(IMAGES, "{}"), "top level", "'annotations'", "expected array");
    }

    @Test
    void badBoxes() throws IOException {
        assertMentions(fails(IMAGES, "[{\"image_id\": 42, \"category_id\": 3, \"bbox\": [45, 0, 10, 5]}]"),
                "annotations[0]", "outside the 50x40 image");
        assertMentions(fails(IMAGES, "[{\"image_id\": 42, \"category_id\": 3, \"bbox\": [4, 0, 0, 5]}]"),
                "annotations[0]", "x2 <= x1");
        assertMentions(fails(IMAGES, "[{\"image_id\": 42, \"category_id\": 3, \"bbox\": [-1, 0, 3, 5]}]"),
                "annotations[0]", "negative");
    }

    @Test
    void invalidJsonAndTraversal() throws IOException {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"images\": [");
        assertMentions(assertThrows(DatasetException.class, () -> CocoDataset.open(f, dir)), "bad.json", "invalid JSON");
        assertMentions(fails("[{\"id\": 1, \"file_name\": \"../../etc/passwd\", \"width\": 5, \"height\": 5}]", "[]"),
                "images[0] (id 1)", "outside the dataset root");
    }

    @Test
    void lenientSkipsBadAnnotations() throws IOException {
        Path f = write(IMAGES, "[{\"image_id\": 42, \"category_id\": 3, \"bbox\": [0, 0, 5, 5]},"
                + "{\"image_id\": 99, \"category_id\": 3, \"bbox\": [0, 0, 5, 5]}]");
        CocoDataset ds = CocoDataset.open(f, dir.resolve("img"), ReadOptions.lenientOptions());
        assertEquals(1, ds.annotation(0).objects().size());
        assertEquals(1, ds.warnings().size());
        assertMentions(new Exception(ds.warnings().getFirst()), "annotations[1]", "image_id 99");
    }

    @Test
    void explicitClassListReordersClasses() throws IOException {
        Path f = write(IMAGES, "[{\"image_id\": 42, \"category_id\": 18, \"bbox\": [0, 0, 5, 5]}]");
        CocoDataset ds = CocoDataset.open(f, dir.resolve("img"), ReadOptions.strict().withClasses(List.of("dog", "bus", "car")));
        assertEquals(0, ds.annotation(0).objects().getFirst().classIndex());
        assertEquals(18, ds.categoryId(0));
        assertEquals(2, ds.classIndexOf(3));
    }
}
