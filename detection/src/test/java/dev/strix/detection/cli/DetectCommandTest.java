package dev.strix.detection.cli;

import dev.strix.detection.infer.TinyDetNets;
import dev.strix.nn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code strix detect} run in-process. */
class DetectCommandTest {
    private static final List<String> CLASSES = List.of("red", "green", "blue");

    @TempDir
    Path dir;

    private Path weights() throws Exception {
        return TinyDetNets.write(dir.resolve("best.safetensors"), CLASSES, 96, 3);
    }

    /** Writes pictures: a.png 120x80, b.jpg 64x100, sub/c.png 90x90; returns the folder. */
    private Path images() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        ImageIO.write(TinyDetNets.picture(120, 80, 0), "png", in.resolve("a.png").toFile());
        ImageIO.write(TinyDetNets.picture(64, 100, 1), "jpg", in.resolve("b.jpg").toFile());
        Path sub = Files.createDirectories(in.resolve("sub"));
        ImageIO.write(TinyDetNets.picture(90, 90, 2), "png", sub.resolve("c.png").toFile());
        return in;
    }

    @Test
    void writesCocoResultsAndAnnotatedImages() throws Exception {
        Path in = images(), out = dir.resolve("out");
        MainTest.Outcome r = MainTest.strix("detect", "--weights", weights().toString(), in.toString(), "--out",
                out.toString(), "--score", "0.05", "--recursive");
        assertEquals(0, r.code(), r.err());
        Map<String, int[]> sizes = Map.of("a", new int[] {120, 80}, "b", new int[] {64, 100}, "c", new int[] {90, 90});
        Object doc = Json.parse(Files.readString(out.resolve("detections.json"), StandardCharsets.UTF_8));
        List<?> entries = assertInstanceOf(List.class, doc, "a JSON array");
        assertFalse(entries.isEmpty(), "the test model finds candidates above 0.05");
        Map<String, Integer> perImage = new HashMap<>();
        for (Object e : entries) {
            Map<?, ?> m = assertInstanceOf(Map.class, e);
            assertEquals(4, m.size(), "exactly image_id, category_id, bbox, score: " + m);
            String id = assertInstanceOf(String.class, m.get("image_id"), "image_id is the file stem");
            assertTrue(sizes.containsKey(id), "image id " + id);
            perImage.merge(id, 1, Integer::sum);
            long cat = assertInstanceOf(Long.class, m.get("category_id"));
            assertTrue(cat >= 1 && cat <= 3, "1-based category " + cat);
            List<?> bbox = assertInstanceOf(List.class, m.get("bbox"));
            assertEquals(4, bbox.size());
            double x = ((Number) bbox.get(0)).doubleValue(), y = ((Number) bbox.get(1)).doubleValue();
            double w = ((Number) bbox.get(2)).doubleValue(), h = ((Number) bbox.get(3)).doubleValue();
            int[] size = sizes.get(id);
            // original-pixel coordinates: inside the image (float rounding of x + w allowed)
            assertTrue(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= size[0] + 1e-3 && y + h <= size[1] + 1e-3,
                    id + " bbox " + bbox + " inside " + size[0] + "x" + size[1]);
            double score = ((Number) m.get("score")).doubleValue();
            assertTrue(score > 0.05 && score <= 1, "score " + score);
        }
        assertEquals(sizes.keySet(), perImage.keySet(), "every image has detections");
        for (String name : new String[] {"a.png", "b.jpg", "c.png"}) {
            BufferedImage annotated = ImageIO.read(out.resolve(name).toFile());
            int[] size = sizes.get(name.substring(0, 1));
            assertEquals(size[0], annotated.getWidth(), name);
            assertEquals(size[1], annotated.getHeight(), name);
        }
        assertTrue(r.out().contains("a.png: "), r.out());
    }

    @Test
    void skipsUnreadableImagesAndFailsAtTheEnd() throws Exception {
        Path in = images(), out = dir.resolve("out");
        Files.write(in.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H'});
        Files.writeString(in.resolve("text.jpg"), "this is not a picture");
        MainTest.Outcome r = MainTest.strix("detect", "--weights", weights().toString(), in.toString(), "--out",
                out.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("broken.png") && r.err().contains("text.jpg"), r.err());
        assertTrue(r.err().contains("2 of 4 image(s) could not be read"), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
        assertTrue(Files.isRegularFile(out.resolve("a.png")) && Files.isRegularFile(out.resolve("b.jpg")));
        assertFalse(Files.exists(out.resolve("c.png")), "subfolders only with --recursive");
        Object doc = Json.parse(Files.readString(out.resolve("detections.json")));
        assertInstanceOf(List.class, doc);
    }

    @Test
    void reportsWrongInvocations() throws Exception {
        Path w = weights();
        MainTest.Outcome none = MainTest.strix("detect", "--weights", w.toString(), "--out", dir.resolve("o").toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("no images"), none.err());
        MainTest.Outcome missing = MainTest.strix("detect", "--weights", w.toString(), "--out", "o",
                dir.resolve("nope.png").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nope.png"), missing.err());
        MainTest.Outcome size = MainTest.strix("detect", "--weights", w.toString(), "--out", "o", "--size", "100",
                images().toString());
        assertEquals(2, size.code());
        assertTrue(size.err().contains("multiple of 32"), size.err());
        MainTest.Outcome help = MainTest.strix("detect", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--weights"), help.out());
    }
}
