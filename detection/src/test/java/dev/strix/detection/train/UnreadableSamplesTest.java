package dev.strix.detection.train;

import dev.strix.detection.data.DatasetException;
import dev.strix.detection.data.DatasetWriter;
import dev.strix.detection.data.SyntheticScenes;
import dev.strix.nn.CpuDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training set with a truncated and an empty image: training skips both with a warning naming each file, counts
 * them in metrics.csv and the result, and with {@code strict} stops at the first one, naming it.
 */
class UnreadableSamplesTest {
    @TempDir
    Path dir;

    /** A VOCdevkit of 8 synthetic 64 px scenes, two of whose images are then broken; returns the root. */
    private Path brokenVoc() throws IOException {
        Path root = dir.resolve("voc");
        DatasetWriter.writeVoc(new SyntheticScenes(11, 8, 64, 3), root, "train", "png");
        List<Path> images;
        try (Stream<Path> s = Files.list(root.resolve("JPEGImages"))) {
            images = s.sorted().toList();
        }
        assertEquals(8, images.size());
        byte[] whole = Files.readAllBytes(images.get(2));
        Files.write(images.get(2), Arrays.copyOf(whole, whole.length / 2)); // truncated
        Files.write(images.get(5), new byte[0]);                            // empty
        return root;
    }

    private static TrainConfig voc(Path root, boolean strict, int epochs) {
        TrainConfig tiny = TrainTestConfigs.tiny(8, 0, epochs, "weighted");
        TrainConfig.Data d = tiny.data();
        return new TrainConfig(new TrainConfig.Data("voc", root.toString(), "train", null, d.syntheticCount(),
                d.syntheticValCount(), d.syntheticSeed(), d.syntheticClasses(), 2, strict, d.augment()), tiny.model(),
                tiny.loss(), tiny.optim(), tiny.run());
    }

    private static String brokenName(Path root, int index) throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("JPEGImages"))) {
            return s.sorted().toList().get(index).getFileName().toString();
        }
    }

    @Test
    void unreadableImagesAreSkippedCountedAndNamed() throws IOException {
        Path root = brokenVoc(), run = dir.resolve("run");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainResult r;
        try (Trainer t = new Trainer(voc(root, false, 2), run, CpuDevice.INSTANCE,
                new PrintStream(log, true, StandardCharsets.UTF_8), false)) {
            r = t.train();
        }
        assertEquals(2, r.epochs());
        assertEquals(4, r.skippedSamples(), "two images in each of two epochs");
        List<String> lines = Files.readAllLines(run.resolve(MetricsLog.FILE));
        List<String> header = List.of(lines.getFirst().split(",", -1));
        for (String row : lines.subList(1, lines.size())) {
            String[] cells = row.split(",", -1);
            assertEquals("2", cells[header.indexOf("skipped_samples")], row);
            assertTrue(Double.isFinite(Double.parseDouble(cells[header.indexOf("loss_total")])), row);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("warning: skipped sample") && text.contains(brokenName(root, 2))
                && text.contains("corrupt or truncated"), text);
        assertTrue(text.contains(brokenName(root, 5)) && text.contains("empty file"), text);

        // the count survives a resume
        try (Trainer t = Trainer.resume(run, CpuDevice.INSTANCE, new PrintStream(new ByteArrayOutputStream()), false, 3)) {
            assertEquals(6, t.train().skippedSamples());
        }
    }

    @Test
    void strictStopsAtTheFirstUnreadableImage() throws IOException {
        Path root = brokenVoc();
        try (Trainer t = new Trainer(voc(root, true, 1), dir.resolve("run"), CpuDevice.INSTANCE,
                new PrintStream(new ByteArrayOutputStream()), false)) {
            DatasetException e = assertThrows(DatasetException.class, t::train);
            String m = e.getMessage();
            assertTrue(m.contains(brokenName(root, 2)) || m.contains(brokenName(root, 5)), m);
            assertTrue(m.contains("corrupt or truncated") || m.contains("empty file"), m);
        }
        assertTrue(!Files.exists(dir.resolve("run").resolve(Checkpoints.STATE)), "no checkpoint of a failed epoch");
    }

    @Test
    void commandLineSummaryAndStrictFailure() throws IOException {
        Path root = brokenVoc();
        List<String> common = List.of("train", "--data", root.toString(), "--format", "voc", "--val-split", "none",
                "--size", "64", "--batch", "4", "--width", "4", "--fpn", "8", "--depth", "1", "--workers", "1",
                "--epochs", "1");
        CommandLine ok = CommandLine.run(common, "--out", dir.resolve("lenient").toString());
        assertEquals(0, ok.code(), ok.err());
        Map<?, ?> summary = (Map<?, ?>) dev.strix.nn.io.Json.parse(ok.lastOutLine());
        assertEquals(2L, summary.get("skipped_samples"));
        assertTrue(ok.err().contains("warning: skipped sample"), ok.err());

        CommandLine strict = CommandLine.run(common, "--out", dir.resolve("strict").toString(), "--strict");
        assertEquals(1, strict.code(), strict.err());
        String last = strict.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("strix train: data: "), last);
        assertTrue(last.contains(brokenName(root, 2)) || last.contains(brokenName(root, 5)), last);
        assertTrue(!strict.err().contains("\tat "), "no stack trace: " + strict.err());
    }

    /** {@code strix} run in-process. */
    private record CommandLine(int code, String out, String err) {
        static CommandLine run(List<String> args, String... more) {
            String[] all = Stream.concat(args.stream(), Arrays.stream(more)).toArray(String[]::new);
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            int code;
            try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                 PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                code = dev.strix.detection.cli.Main.run(all, o, e);
            }
            return new CommandLine(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }

        String lastOutLine() {
            return out.strip().lines().reduce((a, b) -> b).orElse("");
        }
    }
}
