package dev.strix.detection.train;

import dev.strix.nn.CpuDevice;
import dev.strix.nn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo's pipeline on a handful of scenes (the real demo trains on 2,000 for minutes). */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    void writesTheReportWithMetricsPlotsAndPictures() throws IOException {
        Path out = dir.resolve("demo");
        // a budget this short gives the minimum number of epochs
        Demo.Result r = Demo.run(new Demo.Options(out, CpuDevice.INSTANCE, 0.01, 1, 16, 4),
                new PrintStream(new ByteArrayOutputStream()), false);
        assertEquals(Demo.MIN_EPOCHS, r.epochs());
        assertEquals(4, r.eval().numImages());
        String report = Files.readString(r.report());
        assertTrue(report.startsWith("# Strix demo"), report);
        for (String s : List.of("VOC mAP50", "COCO AP@[.5:.95]", "| circle |", "detections.png", "map.png", "pr_curves.png"))
            assertTrue(report.contains(s), "report lacks " + s);
        for (String f : List.of("detections.png", "pr_curves.png", "map.png", "losses.png", "eval.json", "last.safetensors"))
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        BufferedImage grid = ImageIO.read(out.resolve("detections.png").toFile());
        assertTrue(grid.getWidth() > 4 * Demo.SIZE && grid.getHeight() > 2 * Demo.SIZE / 2, "four enlarged scenes side by side");
        Map<String, Object> eval = Json.asObject(Json.parse(Files.readString(out.resolve("eval.json"))), "eval");
        for (String k : List.of("voc07_map50", "voc_map50", "coco_ap", "ap50", "ap75", "ar100", "per_class"))
            assertTrue(eval.containsKey(k), k);
        Map<String, Object> summary = Json.asObject(Json.parse(Demo.summaryJson(r)), "summary");
        assertEquals((long) Demo.MIN_EPOCHS, summary.get("epochs"));
    }
}
