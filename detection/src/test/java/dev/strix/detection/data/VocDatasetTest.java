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

class VocDatasetTest {
    @TempDir
    Path dir;

    /** A VOC folder with one 40x30 PNG per id and the given annotation XML bodies. */
    static Path vocFolder(Path root, String... idAndXml) throws IOException {
        Files.createDirectories(root.resolve("Annotations"));
        Files.createDirectories(root.resolve("JPEGImages"));
        Files.createDirectories(root.resolve("ImageSets/Main"));
        StringBuilder ids = new StringBuilder();
        for (int k = 0; k < idAndXml.length; k += 2) {
            String id = idAndXml[k];
            Files.writeString(root.resolve("Annotations/" + id + ".xml"), idAndXml[k + 1]);
            TestImages.writePng(TestImages.solid(40, 30, 0x336699), root.resolve("JPEGImages/" + id + ".png"));
            ids.append(id).append('\n');
        }
        Files.writeString(root.resolve("ImageSets/Main/train.txt"), ids);
        return root;
    }

    static String xml(String... objects) {
        return "<annotation><size><width>40</width><height>30</height><depth>3</depth></size>" + String.join("", objects) + "</annotation>";
    }

    static String object(String name, String xmin, String ymin, String xmax, String ymax) {
        return "<object><name>" + name + "</name><difficult>0</difficult><bndbox><xmin>" + xmin + "</xmin><ymin>" + ymin
                + "</ymin><xmax>" + xmax + "</xmax><ymax>" + ymax + "</ymax></bndbox></object>";
    }

    @Test
    void readsBoxesFlagsAndStandardClasses() throws IOException {
        String o2 = "<object><name>person</name><difficult>1</difficult><truncated>1</truncated>"
                + "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>40</xmax><ymax>30</ymax></bndbox></object>";
        Path root = vocFolder(dir.resolve("VOC2007"), "a", xml(object("dog", "5", "6", "20", "25"), o2));
        VocDataset ds = VocDataset.open(dir, "train"); // the parent folder with exactly one VOC child also works
        assertEquals(ClassLists.VOC, ds.classNames());
        assertEquals(root.toAbsolutePath().normalize(), ds.root().toAbsolutePath().normalize());
        ImageAnnotation a = ds.annotation(0);
        assertEquals("a", a.imageId());
        assertEquals(40, a.width());
        assertEquals(30, a.height());
        ObjectAnnotation dog = a.objects().get(0), person = a.objects().get(1);
        assertEquals(new Box(4, 5, 20, 25), dog.box()); // 1-based inclusive 5..20 -> [4, 20)
        assertEquals(ClassLists.VOC.indexOf("dog"), dog.classIndex());
        assertFalse(dog.difficult());
        assertEquals(new Box(0, 0, 40, 30), person.box());
        assertTrue(person.difficult());
        assertTrue(person.truncated());
        assertEquals(40, ds.image(0).getWidth());
    }

    @Test
    void derivesSortedClassesWhenNotAllStandard() throws IOException {
        vocFolder(dir, "a", xml(object("zebra", "1", "1", "5", "5"), object("apple", "2", "2", "6", "6")));
        VocDataset ds = VocDataset.open(dir, "train");
        assertEquals(List.of("apple", "zebra"), ds.classNames());
        assertEquals(1, ds.annotation(0).objects().get(0).classIndex());
    }

    @Test
    void syntheticRoundTripIsIdentical() throws IOException {
        SyntheticScenes scenes = new SyntheticScenes(11, 6, 64, 8);
        scenes.writeVoc(dir, "train");
        VocDataset ds = VocDataset.open(dir, "train", ReadOptions.strict().withClasses(scenes.classNames()));
        assertEquals(scenes.size(), ds.size());
        for (int i = 0; i < scenes.size(); i++) {
            ImageAnnotation want = scenes.annotation(i), got = ds.annotation(i);
            assertEquals(want.imageId(), got.imageId());
            assertEquals(want.width(), got.width());
            assertEquals(want.height(), got.height());
            assertEquals(want.objects(), got.objects(), "image " + i);
            TestImages.assertSamePixels(scenes.image(i), ds.image(i));
        }
    }

    private DatasetException openFails(String xmlBody) throws IOException {
        vocFolder(dir, "img1", xmlBody);
        return assertThrows(DatasetException.class, () -> VocDataset.open(dir, "train",
                ReadOptions.strict().withClasses(List.of("dog", "cat"))));
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
    }

    @Test
    void malformedXmlNamesFileAndLine() throws IOException {
        assertMentions(openFails("<annotation><size><width>40</width></annotation>"), "img1.xml", "malformed XML", "line 1");
    }

    @Test
    void unknownClassListsTheClasses() throws IOException {
        assertMentions(openFails(xml(object("horse", "1", "1", "5", "5"))), "img1.xml", "<object> #1 'horse'",
                "unknown class 'horse'", "dog, cat");
    }

    @Test
    void emptyWidthIsRefused() throws IOException {
        assertMentions(openFails(xml(object("dog", "10", "1", "8", "5"))), "img1.xml", "x2 <= x1");
    }

    @Test
    void nanCoordinateIsRefused() throws IOException {
        assertMentions(openFails(xml(object("dog", "NaN", "1", "8", "5"))), "img1.xml", "non-finite");
    }

    @Test
    void notANumberIsRefused() throws IOException {
        assertMentions(openFails(xml(object("dog", "abc", "1", "8", "5"))), "img1.xml", "<xmin> is 'abc', not a number");
    }

    @Test
    void negativeCoordinateIsRefused() throws IOException {
        assertMentions(openFails(xml(object("dog", "-3", "1", "8", "5"))), "img1.xml", "negative");
    }

    @Test
    void boxOutsideImageIsRefused() throws IOException {
        assertMentions(openFails(xml(object("dog", "1", "1", "41", "5"))), "img1.xml", "outside the 40x30 image");
    }

    @Test
    void missingAnnotationFileIsNamed() throws IOException {
        vocFolder(dir, "img1", xml(object("dog", "1", "1", "5", "5")));
        Files.writeString(dir.resolve("ImageSets/Main/train.txt"), "img1\nimg2\n");
        DatasetException e = assertThrows(DatasetException.class, () -> VocDataset.open(dir, "train"));
        assertMentions(e, "img2.xml", "annotation file not found", "train.txt line 2");
    }

    @Test
    void emptyIdsFileIsRefused() throws IOException {
        vocFolder(dir, "img1", xml());
        Files.writeString(dir.resolve("ImageSets/Main/train.txt"), "\n  \n");
        DatasetException e = assertThrows(DatasetException.class, () -> VocDataset.open(dir, "train"));
        assertMentions(e, "train.txt", "empty");
    }

    @Test
    void pathTraversalIdIsRefused() throws IOException {
        Path root = vocFolder(dir.resolve("voc"), "img1", xml());
        Files.writeString(dir.resolve("secret.xml"), xml(object("dog", "1", "1", "5", "5")));
        Files.writeString(root.resolve("ImageSets/Main/train.txt"), "../../secret\n");
        DatasetException e = assertThrows(DatasetException.class, () -> VocDataset.open(root, "train"));
        assertMentions(e, "../../secret", "outside the dataset root");
        DatasetException split = assertThrows(DatasetException.class, () -> VocDataset.open(root, "../../../etc/passwd"));
        assertMentions(split, "outside the dataset root");
    }

    @Test
    void lenientSkipsBadEntriesWithWarnings() throws IOException {
        vocFolder(dir, "good", xml(object("dog", "1", "1", "5", "5"), object("dog", "9", "1", "3", "5")),
                "broken", "<annotation><oops></annotation>");
        VocDataset ds = VocDataset.open(dir, "train", ReadOptions.lenientOptions().withClasses(List.of("dog")));
        assertEquals(1, ds.size());
        assertEquals(1, ds.annotation(0).objects().size());
        assertEquals(2, ds.warnings().size(), ds.warnings().toString());
        assertTrue(ds.warnings().stream().anyMatch(w -> w.contains("broken.xml") && w.contains("malformed XML")));
        assertTrue(ds.warnings().stream().anyMatch(w -> w.contains("good.xml") && w.contains("x2 <= x1")));
    }

    @Test
    void missingSizeFallsBackToTheImageHeader() throws IOException {
        vocFolder(dir, "a", "<annotation>" + object("dog", "1", "1", "5", "5") + "</annotation>");
        ImageAnnotation a = VocDataset.open(dir, "train").annotation(0);
        assertEquals(40, a.width());
        assertEquals(30, a.height());
    }

    @Test
    void imageSizeMismatchIsReported() throws IOException {
        vocFolder(dir, "a", xml().replace("<width>40", "<width>41"));
        VocDataset ds = VocDataset.open(dir, "train");
        IOException e = assertThrows(IOException.class, () -> ds.image(0));
        assertMentions(e, "a.png", "40x30", "41x30");
    }
}
