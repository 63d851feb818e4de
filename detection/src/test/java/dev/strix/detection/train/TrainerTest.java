package dev.strix.detection.train;

import dev.strix.detection.infer.CheckpointMetadata;
import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.DetNetConfig;
import dev.strix.detection.mtl.StrategyFactory;
import dev.strix.nn.CpuDevice;
import dev.strix.nn.Tensor;
import dev.strix.nn.io.Json;
import dev.strix.nn.io.SafeTensors;
import dev.strix.nn.io.StateDicts;
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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** End-to-end runs of the {@link Trainer} on tiny synthetic data. */
class TrainerTest {
    @TempDir
    Path dir;

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    private static TrainResult train(TrainConfig c, Path run) throws IOException {
        try (Trainer t = new Trainer(c, run, CpuDevice.INSTANCE, QUIET, false)) {
            return t.train();
        }
    }

    @Test
    void tinyRunWritesTheWholeRunFolder() throws IOException {
        Path run = dir.resolve("run");
        TrainResult r = train(TrainTestConfigs.tiny(8, 4, 2, "weighted"), run);
        assertEquals(2, r.epochs());
        assertEquals(4, r.steps(), "8 images in batches of 4 for 2 epochs");
        assertEquals(0, r.skippedSteps());
        for (String f : List.of("config.json", "metrics.csv", "last.safetensors", "best.safetensors",
                "last.state.safetensors", "checkpoint.json"))
            assertTrue(Files.isRegularFile(run.resolve(f)), "missing " + f);
        for (String plot : MetricsLog.PLOTS) {
            byte[] head = Arrays.copyOf(Files.readAllBytes(run.resolve(plot)), 4);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, head, plot + " is not a PNG");
        }

        List<String> lines = Files.readAllLines(run.resolve("metrics.csv"));
        assertEquals(3, lines.size(), "header and one row per epoch: " + lines);
        List<String> header = List.of(lines.get(0).split(","));
        assertEquals(MetricsLog.columns(MultiTaskDetNet.TASKS), header);
        for (String col : List.of("epoch", "lr", "loss_cls", "loss_box", "loss_ctr", "weight_cls", "grad_norm_cls",
                "cos_cls_box", "cos_box_ctr", "skipped_steps", "val_voc_map50", "epoch_time_s"))
            assertTrue(header.contains(col), "no column " + col);
        for (int row = 1; row <= 2; row++) {
            String[] cells = lines.get(row).split(",", -1);
            assertEquals(header.size(), cells.length, "row " + row);
            assertEquals(Integer.toString(row), cells[header.indexOf("epoch")]);
            for (String col : List.of("lr", "loss_cls", "loss_box", "loss_ctr", "loss_total", "weight_box", "grad_norm_box",
                    "cos_cls_ctr", "val_voc_map50", "val_coco_ap", "epoch_time_s")) {
                String v = cells[header.indexOf(col)];
                assertFalse(v.isEmpty(), "row " + row + " column " + col + " is empty");
                assertTrue(Double.isFinite(Double.parseDouble(v)), "row " + row + " column " + col + " = " + v);
            }
            double cos = Double.parseDouble(cells[header.indexOf("cos_cls_box")]);
            assertTrue(cos >= -1 - 1e-9 && cos <= 1 + 1e-9, "cosine " + cos);
            assertEquals("1.0", cells[header.indexOf("weight_cls")], "weighted with default weights");
        }

        // the weights are a DetNet state dict with the class names and input size in the metadata
        Map<String, Tensor> weights = StateDicts.read(run.resolve("last.safetensors"));
        DetNet net = new DetNet(new DetNetConfig(3, 4, 8, 1));
        assertEquals(net.stateDict().keySet(), weights.keySet());
        StateDicts.load(run.resolve("last.safetensors"), net, true);
        Map<String, String> meta = SafeTensors.read(run.resolve("last.safetensors")).metadata();
        assertEquals("2", meta.get("epoch"));
        assertEquals("64", meta.get(CheckpointMetadata.INPUT_SIZE));
        assertEquals(List.of("circle", "square", "triangle"), Json.parse(meta.get(CheckpointMetadata.CLASS_NAMES)));
        Map<String, Object> pointer = Json.asObject(Json.parse(Files.readString(run.resolve("checkpoint.json"))), "pointer");
        assertEquals(2L, pointer.get("epoch"));
        assertEquals(4L, pointer.get("step"));

        Map<String, Object> cfg = Json.asObject(Json.parse(Files.readString(run.resolve("config.json"))), "config");
        Map<String, Object> resolved = Json.requireObject(cfg, "resolved");
        assertEquals(List.of("circle", "square", "triangle"), resolved.get("class_names"));
        assertEquals("shared", resolved.get("sharing"));
        assertEquals(TrainTestConfigs.tiny(8, 4, 2, "weighted"), TrainConfig.fromJson(Files.readString(run.resolve("config.json"))));

        // a second run into the same folder is refused
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> train(TrainTestConfigs.tiny(8, 4, 2, "weighted"), run));
        assertTrue(e.getMessage().contains("already holds a run"), e.getMessage());
    }

    @Test
    void resumingContinuesExactlyAsAnUninterruptedRun() throws IOException {
        // EMA, an extra trainable strategy parameter (uncertainty's log-variances) and gradient measurement all
        // carry state across the interruption
        TrainConfig c = TrainTestConfigs.tiny(8, 0, 3, "uncertainty");
        c = c.withOptim(c.optim().withEma(true, 0.99));
        Path straight = dir.resolve("straight"), interrupted = dir.resolve("interrupted");
        train(c, straight);
        try (Trainer t = new Trainer(c, interrupted, CpuDevice.INSTANCE, QUIET, false)) {
            t.stopAfterEpoch(1);
            assertEquals(1, t.train().epochs());
        }
        try (Trainer t = Trainer.resume(interrupted, CpuDevice.INSTANCE, QUIET, false, 0)) {
            assertEquals(1, t.completedEpochs());
            TrainResult r = t.train();
            assertEquals(3, r.epochs());
            assertEquals(6, r.steps());
        }
        List<String> a = Files.readAllLines(straight.resolve("metrics.csv"));
        List<String> b = Files.readAllLines(interrupted.resolve("metrics.csv"));
        assertEquals(a.size(), b.size());
        List<String> header = List.of(a.get(0).split(","));
        for (int row = 1; row < a.size(); row++) {
            String[] x = a.get(row).split(",", -1), y = b.get(row).split(",", -1);
            for (String col : header) {
                if (col.endsWith("_s")) continue; // times differ
                int i = header.indexOf(col);
                if (col.startsWith("grad_norm_") || col.startsWith("cos_")) {
                    // diagnostics only (they do not feed the update): sums of squares reduced with reduceLanes, whose
                    // float order may differ between interpreted and JIT-compiled vector code, so the last bits of
                    // these measurements can differ between two runs in one JVM; 1e-6 relative is far above that
                    double p = Double.parseDouble(x[i]), q = Double.parseDouble(y[i]);
                    assertEquals(p, q, 1e-6 * Math.abs(p), "epoch " + row + " column " + col);
                } else assertEquals(x[i], y[i], "epoch " + row + " column " + col);
            }
        }
        Map<String, Tensor> wa = StateDicts.read(straight.resolve("last.safetensors"));
        Map<String, Tensor> wb = StateDicts.read(interrupted.resolve("last.safetensors"));
        for (String k : wa.keySet())
            if (wa.get(k).dtype() == dev.strix.nn.io.DType.F32)
                assertArrayEquals(wa.get(k).toArray(), wb.get(k).toArray(), "weights '" + k + "' differ");
    }

    @Test
    void everyStrategyRunsThroughTheTrainer() throws IOException {
        for (String name : StrategyFactory.NAMES) {
            Path run = dir.resolve(name);
            TrainResult r = train(TrainTestConfigs.tiny(4, 0, 1, name), run);
            assertEquals(1, r.steps(), name);
            assertEquals(0, r.skippedSteps(), name);
            List<String> lines = Files.readAllLines(run.resolve("metrics.csv"));
            List<String> header = List.of(lines.get(0).split(","));
            String[] cells = lines.get(1).split(",", -1);
            for (String t : MultiTaskDetNet.TASKS) {
                double loss = Double.parseDouble(cells[header.indexOf("loss_" + t)]);
                assertTrue(Double.isFinite(loss) && loss >= 0, name + ": loss_" + t + " = " + loss);
            }
            String sharing = Json.asObject(Json.requireObject(Json.asObject(Json.parse(
                    Files.readString(run.resolve("config.json"))), "c"), "resolved"), "r").get("sharing").toString();
            assertEquals(name.equals("independent") ? "independent" : "shared", sharing, name);
            if (name.equals("independent")) {
                // one DetNet per task, saved under the task prefixes; no shared trunk, so no gradient measurement
                assertTrue(StateDicts.read(run.resolve("last.safetensors")).containsKey("cls.stem.0.weight"));
                assertTrue(cells[header.indexOf("grad_norm_cls")].isEmpty(), "no shared trunk to measure");
            } else assertFalse(cells[header.indexOf("grad_norm_cls")].isEmpty(), name + ": gradients measured");
        }
    }

    @Test
    void independentStrategyOnASharedTrunkIsRefused() {
        TrainConfig c = TrainTestConfigs.tiny(4, 0, 1, "independent");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.withModel(new TrainConfig.Model(4, 8, 1, "shared")));
        assertTrue(e.getMessage().contains("one trunk per task"), e.getMessage());
    }
}
