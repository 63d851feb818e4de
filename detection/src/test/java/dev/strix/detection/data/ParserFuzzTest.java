package dev.strix.detection.data;

import dev.strix.detection.testing.Mutator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the dataset readers with seeded mutations of valid files: Pascal VOC XML ({@link VocDataset} through
 * {@link VocAnnotationParser} and {@link SafeXml}), COCO instances JSON ({@link CocoDataset}) and YOLO label and class
 * files ({@link YoloDataset}), each in strict and lenient mode. Every input must give a dataset whose boxes and class
 * indices are valid, or a {@link DatasetException} naming the mutated file; never another exception, a hang or a large
 * allocation. Injected DOCTYPEs (external entities, entity expansion) must never be honoured.
 */
class ParserFuzzTest {
    private static final int ITERATIONS = Integer.getInteger("strix.fuzz.iterations", 2000);
    private static final long SEED = Long.getLong("strix.fuzz.seed", 0xDA7A_0001L);
    private static final String SECRET = "SECRET-7f3a9c";

    @TempDir
    Path dir;
    private Path secretFile;

    @BeforeEach
    void writeSecret() throws IOException {
        secretFile = dir.resolve("secret.txt");
        Files.writeString(secretFile, SECRET);
    }

    // ------------------------------------------------------------------ VOC

    static final List<String> VOC_CORPUS = List.of("""
            <annotation>
              <folder>VOC2007</folder>
              <filename>img1.png</filename>
              <size><width>64</width><height>48</height><depth>3</depth></size>
              <segmented>0</segmented>
              <object><name>dog</name><pose>Left</pose><truncated>0</truncated><difficult>0</difficult>
                <bndbox><xmin>5</xmin><ymin>6</ymin><xmax>30</xmax><ymax>40</ymax></bndbox></object>
              <object><name>person</name><truncated>1</truncated><difficult>1</difficult>
                <bndbox><xmin>1</xmin><ymin>1</ymin><xmax>64</xmax><ymax>48</ymax></bndbox></object>
              <object><name>car</name>
                <bndbox><xmin>10.5</xmin><ymin>12</ymin><xmax>20.5</xmax><ymax>13</ymax></bndbox></object>
            </annotation>
            """, """
            <?xml version="1.0" encoding="UTF-8"?>
            <annotation><filename>img1.png</filename><object><name>cat</name><difficult>true</difficult>\
            <bndbox><xmin>2</xmin><ymin>3</ymin><xmax>9</xmax><ymax>9</ymax></bndbox></object></annotation>
            """);

    @Test
    @Timeout(60)
    void vocAnnotations() throws IOException {
        Path root = dir.resolve("VOC2007");
        Path xml = Files.createDirectories(root.resolve("Annotations")).resolve("img1.xml");
        TestImages.writePng(TestImages.solid(64, 48, 0x336699), Files.createDirectories(root.resolve("JPEGImages")).resolve("img1.png"));
        Files.writeString(Files.createDirectories(root.resolve("ImageSets/Main")).resolve("train.txt"), "img1\n");
        List<byte[]> corpus = VOC_CORPUS.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(40), () -> {
            for (int i = 0; i < ITERATIONS; i++) {
                long caseSeed = SEED * 1_000_003L + i;
                Mutator m = new Mutator(caseSeed);
                byte[] base = corpus.get(m.random().nextInt(corpus.size()));
                byte[] input = m.random().nextInt(4) == 0 ? m.mutateBytes(base, corpus)
                        : m.mutateXml(new String(base, StandardCharsets.UTF_8), secretFile.toString()).getBytes(StandardCharsets.UTF_8);
                Files.write(xml, input);
                ReadOptions options = i % 2 == 0 ? ReadOptions.strict() : ReadOptions.lenientOptions();
                String description = "voc seed " + caseSeed + " iteration " + i + (options.lenient() ? " lenient " : " strict ") + m.log();
                boolean hostile = new String(input, StandardCharsets.ISO_8859_1).contains("<!DOCTYPE");
                boolean accepted = Mutator.runCase(description, input, xml.getFileName().toString(), Mutator.Limits.standard(),
                        () -> checkDataset(VocDataset.open(root, "train", options), 1), DatasetException.class);
                if (hostile) assertFalse(accepted, description + ": a document with a DOCTYPE was accepted");
                outcomes[accepted ? 0 : 1]++;
            }
        });
        Mutator.assertBothOutcomes("VocDataset", outcomes[0], outcomes[1]);
    }

    @Test
    @Timeout(20)
    void hostileDoctypesAreRefusedWithoutReadingTheFile() throws IOException {
        Path root = dir.resolve("VOC");
        Path xml = Files.createDirectories(root.resolve("Annotations")).resolve("img1.xml");
        TestImages.writePng(TestImages.solid(64, 48, 0), Files.createDirectories(root.resolve("JPEGImages")).resolve("img1.png"));
        Files.writeString(Files.createDirectories(root.resolve("ImageSets/Main")).resolve("train.txt"), "img1\n");
        for (String use : List.of("&xxe;", "&lol3;")) {
            String text = Mutator.hostileDoctype(secretFile.toString()) + VOC_CORPUS.getFirst().replace(">dog<", ">" + use + "<");
            Files.writeString(xml, text);
            for (ReadOptions options : List.of(ReadOptions.strict(), ReadOptions.lenientOptions())) {
                boolean accepted = Mutator.runCase("doctype " + use, text.getBytes(StandardCharsets.UTF_8), "img1.xml",
                        Mutator.Limits.standard(), () -> VocDataset.open(root, "train", options), DatasetException.class);
                assertFalse(accepted, use);
            }
        }
    }

    @Test
    @Timeout(20)
    void vocSizesOutsideTheIntRangeAreRefusedNotWrapped() throws IOException {
        Path root = dir.resolve("VOCsize");
        Path xml = Files.createDirectories(root.resolve("Annotations")).resolve("img1.xml");
        TestImages.writePng(TestImages.solid(64, 48, 0), Files.createDirectories(root.resolve("JPEGImages")).resolve("img1.png"));
        Files.writeString(Files.createDirectories(root.resolve("ImageSets/Main")).resolve("train.txt"), "img1\n");
        // 4294967360 = 2^32 + 64 used to wrap to a plausible width of 64
        for (String width : List.of("4294967360", "2147483648", "1e300", "NaN", "-Infinity", "-3")) {
            String text = VOC_CORPUS.getFirst().replace("<width>64</width>", "<width>" + width + "</width>");
            Files.writeString(xml, text);
            boolean accepted = Mutator.runCase("width " + width, text.getBytes(StandardCharsets.UTF_8), "img1.xml",
                    Mutator.Limits.standard(), () -> VocDataset.open(root, "train"), DatasetException.class);
            assertFalse(accepted, width);
            DatasetException e = assertThrows(DatasetException.class, () -> VocDataset.open(root, "train"));
            assertTrue(e.getMessage().contains("<size> <width> is"), e.getMessage());
        }
    }

    // ------------------------------------------------------------------ COCO

    static final String COCO = """
            {"info": {"description": "fuzz", "year": 2024},
             "images": [
               {"id": 1, "file_name": "a.jpg", "width": 640, "height": 480},
               {"id": 2, "file_name": "sub/b.png", "width": 32, "height": 20, "license": 3},
               {"id": 30000000000, "file_name": "c.jpg", "width": 1, "height": 1}],
             "annotations": [
               {"id": 10, "image_id": 1, "category_id": 1, "bbox": [10, 20.5, 100, 50], "area": 5000, "iscrowd": 0},
               {"id": 11, "image_id": 1, "category_id": 7, "bbox": [0, 0, 640, 480], "iscrowd": 1},
               {"id": 12, "image_id": 2, "category_id": 3, "bbox": [1.25, 2.5, 3.75, 4], "difficult": 1, "truncated": 0},
               {"id": 13, "image_id": 30000000000, "category_id": 3, "bbox": [0, 0, 1, 1], "segmentation": [[0, 0, 1, 1]]},
               {"id": 14, "image_id": 2, "category_id": 1, "bbox": [30, 10, 2, 10], "iscrowd": false}],
             "categories": [
               {"id": 1, "name": "person", "supercategory": "human"},
               {"id": 3, "name": "car"},
               {"id": 7, "name": "dog"}]}
            """;

    @Test
    @Timeout(60)
    void cocoInstances() throws IOException {
        Path json = dir.resolve("instances.json");
        Path images = Files.createDirectories(dir.resolve("images"));
        byte[] base = COCO.getBytes(StandardCharsets.UTF_8);
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(40), () -> {
            for (int i = 0; i < ITERATIONS; i++) {
                long caseSeed = SEED * 1_000_003L + i;
                Mutator m = new Mutator(caseSeed);
                byte[] input = m.random().nextInt(4) == 0 ? m.mutateBytes(base, List.of())
                        : m.mutateJson(COCO).getBytes(StandardCharsets.UTF_8);
                Files.write(json, input);
                ReadOptions options = i % 3 == 0 ? ReadOptions.lenientOptions()
                        : i % 3 == 1 ? ReadOptions.strict() : ReadOptions.strict().withClasses(List.of("dog", "person", "car"));
                String description = "coco seed " + caseSeed + " iteration " + i + " " + options + " " + m.log();
                boolean accepted = Mutator.runCase(description, input, json.getFileName().toString(), Mutator.Limits.standard(),
                        () -> checkCoco(CocoDataset.open(json, images, options), images), DatasetException.class);
                outcomes[accepted ? 0 : 1]++;
            }
        });
        Mutator.assertBothOutcomes("CocoDataset", outcomes[0], outcomes[1]);
    }

    private static void checkCoco(CocoDataset ds, Path images) {
        checkDataset(ds, -1);
        for (int c = 0; c < ds.classNames().size(); c++) assertEquals(c, ds.classIndexOf(ds.categoryId(c)), "category round trip");
        for (int i = 0; i < ds.size(); i++) {
            ImageAnnotation a = ds.annotation(i);
            assertEquals(a.imageId(), String.valueOf(ds.cocoImageId(a.imageId())), "image id round trip");
            assertTrue(a.imagePath().startsWith(images.toAbsolutePath().normalize()), a.imagePath() + " outside " + images);
        }
    }

    // ------------------------------------------------------------------ YOLO

    @Test
    @Timeout(60)
    void yoloLabels() throws IOException {
        Path root = dir.resolve("yolo");
        Path images = Files.createDirectories(root.resolve("images/train"));
        Path labels = Files.createDirectories(root.resolve("labels/train"));
        TestImages.writePng(TestImages.solid(100, 50, 0x102030), images.resolve("p1.png"));
        TestImages.writePng(TestImages.solid(20, 20, 0x102030), images.resolve("p2.png"));
        Path label = labels.resolve("p1.txt");
        Path classes = root.resolve("classes.txt");
        String labelText = "1 0.5 0.5 0.2 0.4\n\n0 0.1 0.2 0.2 0.4\n2 0.99995 0.5 0.0001 1\n0 0.25 0.75 1e-3 0.5\n";
        String classText = "cat\ndog\nbird\n";
        Files.writeString(labels.resolve("p2.txt"), "2 0.5 0.5 1 1\n");
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(40), () -> {
            for (int i = 0; i < ITERATIONS; i++) {
                long caseSeed = SEED * 1_000_003L + i;
                Mutator m = new Mutator(caseSeed);
                boolean mutateClasses = m.random().nextInt(8) == 0;
                Path target = mutateClasses ? classes : label;
                String base = mutateClasses ? classText : labelText;
                byte[] input = m.random().nextInt(4) == 0 ? m.mutateBytes(base.getBytes(StandardCharsets.UTF_8), List.of())
                        : m.mutateLines(base).getBytes(StandardCharsets.UTF_8);
                Files.writeString(label, labelText);
                Files.writeString(classes, classText);
                Files.write(target, input);
                ReadOptions options = i % 2 == 0 ? ReadOptions.strict() : ReadOptions.lenientOptions();
                // a changed class list can make the other label file wrong too: then any file of the dataset may be named
                String mustName = mutateClasses ? root.toString() : label.getFileName().toString();
                String description = "yolo seed " + caseSeed + " iteration " + i + " " + target.getFileName()
                        + (options.lenient() ? " lenient " : " strict ") + m.log();
                boolean accepted = Mutator.runCase(description, input, mustName, Mutator.Limits.standard(), () -> {
                    YoloDataset ds = YoloDataset.open(root, "train", options);
                    // lenient mode skips an image whose label file cannot be read at all, with a warning
                    checkDataset(ds, options.lenient() ? -1 : 2);
                    if (ds.size() < 2) assertTrue(ds.warnings().stream().anyMatch(w -> w.contains("skipped image")), ds.warnings().toString());
                }, DatasetException.class);
                outcomes[accepted ? 0 : 1]++;
            }
        });
        Mutator.assertBothOutcomes("YoloDataset", outcomes[0], outcomes[1]);
    }

    // ------------------------------------------------------------------ checks of accepted datasets

    /** Every box valid inside its image, every class index in range, no secret text; {@code images} < 0: any count. */
    private static void checkDataset(DetectionDataset ds, int images) {
        if (images >= 0) assertEquals(images, ds.size(), "image count");
        assertFalse(ds.classNames().isEmpty(), "class list");
        for (String name : ds.classNames()) assertFalse(name.contains(SECRET), "a class name holds the secret file: " + name);
        for (int i = 0; i < ds.size(); i++) {
            ImageAnnotation a = ds.annotation(i);
            assertTrue(a.width() > 0 && a.height() > 0, a.imageId() + ": size " + a.width() + "x" + a.height());
            for (ObjectAnnotation o : a.objects()) {
                assertNull(BoxChecks.problem(o.box(), a.width(), a.height()), a.imageId() + ": " + o);
                assertTrue(o.classIndex() >= 0 && o.classIndex() < ds.classNames().size(), a.imageId() + ": " + o);
            }
        }
        assertFalse(ds.describe().isBlank());
    }
}
