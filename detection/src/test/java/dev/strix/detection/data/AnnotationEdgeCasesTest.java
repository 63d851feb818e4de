package dev.strix.detection.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.strix.detection.data.VocDatasetTest.object;
import static dev.strix.detection.data.VocDatasetTest.vocFolder;
import static dev.strix.detection.data.VocDatasetTest.xml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The annotation cases that the per-format tests and the fuzzers leave out: empty files, symbolic links out of the
 * dataset, unknown names against an explicit class list, and NaN, zero-size and negative YOLO boxes.
 */
class AnnotationEdgeCasesTest {
    @TempDir
    Path dir;

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
    }

    // ---- VOC -----------------------------------------------------------------------------------------------

    @Test
    void vocEmptyAnnotationFile() throws IOException {
        vocFolder(dir, "img1", "");
        DatasetException e = assertThrows(DatasetException.class, () -> VocDataset.open(dir, "train",
                ReadOptions.strict().withClasses(List.of("dog"))));
        assertMentions(e, "img1.xml");
        VocDataset lenient = assertOpensWithOneGood("dog");
        assertTrue(lenient.warnings().stream().anyMatch(w -> w.contains("empty.xml")), lenient.warnings().toString());
    }

    /** img1 good, "empty" an empty file: lenient reading keeps img1 and warns about the other. */
    private VocDataset assertOpensWithOneGood(String cls) throws IOException {
        Path root = vocFolder(dir.resolve("mixed"), "img1", xml(object(cls, "1", "1", "5", "5")), "empty", "");
        VocDataset ds = VocDataset.open(root, "train", ReadOptions.lenientOptions().withClasses(List.of(cls)));
        assertEquals(1, ds.size());
        return ds;
    }

    @Test
    void vocAnnotationLinkedOutOfTheRootIsRefused() throws IOException {
        Path root = vocFolder(dir.resolve("voc"), "img1", xml(object("dog", "1", "1", "5", "5")));
        Path secret = Files.writeString(dir.resolve("secret.xml"), xml(object("dog", "1", "1", "5", "5")));
        Files.delete(root.resolve("Annotations/img1.xml"));
        Files.createSymbolicLink(root.resolve("Annotations/img1.xml"), secret);
        DatasetException e = assertThrows(DatasetException.class, () -> VocDataset.open(root, "train"));
        assertMentions(e, "img1.xml", "links to", "outside the dataset root");
    }

    @Test
    void vocAbsoluteIdIsRefused() throws IOException {
        Path root = vocFolder(dir.resolve("voc"), "img1", xml());
        Files.writeString(root.resolve("ImageSets/Main/train.txt"), dir.resolve("elsewhere") + "\n");
        DatasetException e = assertThrows(DatasetException.class, () -> VocDataset.open(root, "train"));
        assertMentions(e, "train.txt line 1", "outside the dataset root");
    }

    // ---- COCO ----------------------------------------------------------------------------------------------

    private Path cocoImages() throws IOException {
        Path img = Files.createDirectories(dir.resolve("img"));
        TestImages.writePng(TestImages.solid(50, 40, 0x804020), img.resolve("a.png"));
        return img;
    }

    private static final String COCO_IMAGES = "[{\"id\": 1, \"file_name\": \"a.png\", \"width\": 50, \"height\": 40}]";
    private static final String COCO_CATS = "[{\"id\": 1, \"name\": \"dog\"}, {\"id\": 2, \"name\": \"bus\"}]";

    private Path coco(String images, String annotations) throws IOException {
        return Files.writeString(dir.resolve("instances.json"), "{\"images\": " + images + ", \"annotations\": "
                + annotations + ", \"categories\": " + COCO_CATS + "}");
    }

    @Test
    void cocoEmptyAndMissingFiles() throws IOException {
        Path img = cocoImages();
        Path empty = Files.writeString(dir.resolve("empty.json"), "");
        assertMentions(assertThrows(DatasetException.class, () -> CocoDataset.open(empty, img)), "empty.json");
        Path missing = dir.resolve("missing.json");
        assertMentions(assertThrows(DatasetException.class, () -> CocoDataset.open(missing, img)), "missing.json");
    }

    @Test
    void cocoCategoryOutsideAnExplicitClassList() throws IOException {
        Path f = coco(COCO_IMAGES, "[{\"image_id\": 1, \"category_id\": 2, \"bbox\": [1, 1, 5, 5]}]");
        DatasetException e = assertThrows(DatasetException.class,
                () -> CocoDataset.open(f, cocoImages(), ReadOptions.strict().withClasses(List.of("dog", "cat"))));
        assertMentions(e, "instances.json", "bus");
    }

    @Test
    void cocoZeroHeightBoxAndMissingImageFile() throws IOException {
        Path img = cocoImages();
        Path f = coco(COCO_IMAGES, "[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 1, 5, 0]}]");
        assertMentions(assertThrows(DatasetException.class, () -> CocoDataset.open(f, img)), "annotations[0]",
                "y2 <= y1");
        Path g = coco("[{\"id\": 1, \"file_name\": \"gone.png\", \"width\": 50, \"height\": 40}]", "[]");
        Exception e = assertThrows(Exception.class, () -> CocoDataset.open(g, img).image(0));
        assertMentions(e, "gone.png");
    }

    // ---- YOLO ----------------------------------------------------------------------------------------------

    private Path yolo(String labels) throws IOException {
        Path images = Files.createDirectories(dir.resolve("images/train"));
        Path lab = Files.createDirectories(dir.resolve("labels/train"));
        TestImages.writePng(TestImages.solid(100, 50, 0x102030), images.resolve("p1.png"));
        if (labels != null) Files.writeString(lab.resolve("p1.txt"), labels);
        Files.writeString(dir.resolve("classes.txt"), "cat\ndog\n");
        return dir;
    }

    @Test
    void yoloEmptyAndMissingLabelFilesMeanNoObjects() throws IOException {
        assertEquals(0, YoloDataset.open(yolo(""), "train").annotation(0).objects().size());
        Files.delete(dir.resolve("labels/train/p1.txt"));
        assertEquals(0, YoloDataset.open(dir, "train").annotation(0).objects().size());
    }

    @Test
    void yoloNanZeroAndNegativeBoxes() throws IOException {
        for (String[] c : new String[][] {
                {"0 nan 0.5 0.1 0.1", "cx"},
                {"0 0.5 0.5 0 0.1", "w"},
                {"0 0.5 0.5 -0.1 0.1", "w"},
                {"0 0.5 0.5 0.1 Infinity", "h"},
                {"-1 0.5 0.5 0.1 0.1", "class id -1"},
                {"0 0.5 0.5 0.1 0.1 0.3", "expected 5 fields"}}) {
            DatasetException e = assertThrows(DatasetException.class, () -> YoloDataset.open(yolo(c[0] + "\n"), "train"),
                    c[0]);
            assertMentions(e, "p1.txt line 1", c[1]);
        }
    }

    @Test
    void yoloImageLinkedOutOfTheRootIsRefused() throws IOException {
        Path root = Files.createDirectories(dir.resolve("yolo"));
        Path images = Files.createDirectories(root.resolve("images/train"));
        Files.createDirectories(root.resolve("labels/train"));
        Files.writeString(root.resolve("classes.txt"), "cat\n");
        TestImages.writePng(TestImages.solid(10, 10, 0), images.resolve("ok.png"));
        Path outside = dir.resolve("private.png");
        TestImages.writePng(TestImages.solid(10, 10, 0xFFFFFF), outside);
        Files.createSymbolicLink(images.resolve("link.png"), outside);
        DatasetException e = assertThrows(DatasetException.class, () -> YoloDataset.open(root, "train"));
        assertMentions(e, "link.png", "outside the dataset root");
        YoloDataset lenient = YoloDataset.open(root, "train", ReadOptions.lenientOptions());
        assertEquals(1, lenient.size(), "the linked image is skipped");
        assertMentions(new Exception(lenient.warnings().getFirst()), "link.png", "outside the dataset root");
    }

    @Test
    void splitNamesCannotLeaveTheRoot() throws IOException {
        yolo("0 0.5 0.5 0.1 0.1\n");
        assertMentions(assertThrows(DatasetException.class, () -> YoloDataset.open(dir, "../../etc")),
                "outside the dataset root");
        assertMentions(assertThrows(DatasetException.class,
                () -> SafePaths.resolveInside(dir, dir, "a\0b", "list.txt line 4")), "list.txt line 4", "invalid file name");
    }
}
