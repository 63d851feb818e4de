package dev.strix.detection.bench;

import dev.strix.detection.cli.Main;
import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.DetNetConfig;
import dev.strix.nn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code strix bench model|conv|plot} through the command line, on tiny configurations. */
class BenchCliTest {
    private static final List<String> RESULT_KEYS =
            List.of("ms_per_step", "img_per_s", "gflops", "peak_fraction", "peak_heap_mb");

    record Outcome(int code, String out, String err) {
        String lastOutLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }

        Map<String, Object> json() {
            return Json.asObject(Json.parse(lastOutLine()), "last line of: " + out);
        }
    }

    static Outcome strix(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static double number(Map<String, Object> json, String key) {
        assertTrue(json.containsKey(key), "missing key " + key + " in " + json);
        return ((Number) json.get(key)).doubleValue();
    }

    private static void checkModelJson(Map<String, Object> json, String mode) {
        for (String k : RESULT_KEYS) {
            double v = number(json, k);
            assertTrue(v > 0 && Double.isFinite(v), k + " = " + v + " in " + json);
        }
        assertEquals(0.0, number(json, "peak_device_mb"), "no device memory on the CPU: " + json);
        assertEquals(false, json.get("cuda_graph"), json.toString());
        assertEquals(mode, json.get("mode"));
        assertEquals(1, ((Number) json.get("batch")).intValue());
        assertEquals(64, ((Number) json.get("size")).intValue());
        assertEquals(4, ((Number) json.get("width")).intValue());
        assertEquals(2, ((Number) json.get("iters")).intValue());
        // each timed step, in order; the median and the extremes are of these
        List<Object> steps = Json.requireList(json, "steps_ms");
        assertEquals(2, steps.size(), json.toString());
        double a = ((Number) steps.get(0)).doubleValue(), b = ((Number) steps.get(1)).doubleValue();
        assertEquals(Math.min(a, b), number(json, "ms_min"), 1e-3, json.toString());
        assertEquals(Math.max(a, b), number(json, "ms_max"), 1e-3, json.toString());
        assertEquals((a + b) / 2, number(json, "ms_per_step"), 1e-3, json.toString());
        // the reported rates follow from the median time and the model's FLOP count
        double ms = number(json, "ms_per_step");
        double perImage = new DetNet(new DetNetConfig(20, 4, 64, 2)).forwardFlops(64, 64) / 1e9;
        int factor = mode.equals("train") ? 3 : 1;
        assertEquals(factor, ((Number) json.get("flops_factor")).intValue());
        // rounding: gflops is written with 3 decimals, img_per_s with 3, ms with 4
        assertEquals(perImage * factor / (ms / 1000), number(json, "gflops"), 1e-3 + 1e-3 * number(json, "gflops"));
        assertEquals(1000 / ms, number(json, "img_per_s"), 1e-3 + 1e-3 * number(json, "img_per_s"));
        // the fraction is over the measured peak; the nominal one is reported beside it
        // (peak_gflops is written with 2 decimals, the fractions with 5)
        for (String peak : List.of("peak_gflops", "peak_gflops_nominal")) {
            double fraction = number(json, "gflops") / number(json, peak);
            assertEquals(fraction, number(json, peak.replace("gflops", "fraction")),
                    2e-5 + fraction * (0.01 / number(json, peak) + 1e-3 / number(json, "gflops")), peak);
        }
        assertTrue(number(json, "peak_gflops_nominal") > 0, json.toString());
        assertEquals(DevicePeak.PROBE, json.get("peak_source"), json.toString());
        assertEquals(DevicePeak.nominal((int) number(json, "threads")).gflops(), number(json, "peak_gflops_nominal"),
                0.006);
    }

    @Test
    void modelTrainEndsWithAJsonLineAndWritesTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sub/train.json");
        Outcome r = strix("bench", "model", "--model", "detnet", "--batch", "1", "--size", "64", "--mode", "train",
                "--width", "4", "--warmup", "1", "--iters", "2", "--threads", "1", "--json", file.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, Object> json = r.json();
        checkModelJson(json, "train");
        assertTrue(number(json, "positives") > 0, "the synthetic boxes make positives: " + json);
        // steps keep nothing: the live heap (from the class histogram, fillers left out) is where it was, and the
        // CPU has no device memory
        assertTrue(Math.abs(number(json, "heap_growth_mb")) < 2, "live heap growth: " + json);
        assertEquals(0.0, number(json, "device_growth_mb"), json.toString());
        assertTrue(Double.isFinite(number(json, "loss")) && number(json, "loss") > 0, json.toString());
        Map<String, Object> phases = Json.asObject(json.get("phases_ms"), "phases_ms");
        assertEquals(List.of("forward", "assign", "loss", "backward", "optimizer"), List.copyOf(phases.keySet()));
        assertEquals(r.lastOutLine(), Files.readString(file).strip());
        assertTrue(r.out().contains("ms/step"), r.out());
    }

    /**
     * --profile: the table and the JSON rows cover DetNet's ops (every convolution shape, the fused tower
     * convolutions, batch norm and the losses), each op is called as often per step as the model runs it, and
     * without --profile there is no table.
     */
    @Test
    @SuppressWarnings("unchecked")
    void modelProfileListsEveryOpPerStep() {
        Outcome r = strix("bench", "model", "--batch", "1", "--size", "64", "--mode", "train", "--width", "4",
                "--warmup", "1", "--iters", "2", "--threads", "1", "--profile");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> json = r.json();
        checkModelJson(json, "train");
        assertTrue(r.out().contains("profile, ms per step (mean of 2"), r.out());
        Map<String, Map<String, Object>> rows = new java.util.HashMap<>();
        for (Object o : (List<Object>) json.get("profile")) {
            Map<String, Object> row = Json.asObject(o, "profile row");
            rows.put((String) row.get("op"), row);
            assertTrue(number(row, "forward_ms") >= 0 && number(row, "backward_ms") >= 0, row.toString());
        }
        // the stem: 3 -> 4 channels, 3x3, stride 2 on the 64 x 64 input, once per step, forward and backward
        Map<String, Object> stem = rows.get("conv2d 3->4 3x3/2 64x64");
        assertTrue(stem != null, "no stem row in " + rows.keySet());
        assertEquals(1.0, number(stem, "calls_per_step"));
        assertTrue(number(stem, "backward_ms") > 0, stem.toString());
        // the shared head towers (depth 2, two towers) run on three levels: conv + ReLU fused, 4 per level
        long towerRows = rows.keySet().stream().filter(k -> k.startsWith("conv2d_relu 64->64 3x3/1")).count();
        assertEquals(3, towerRows, rows.keySet().toString());
        for (String k : rows.keySet())
            if (k.startsWith("conv2d_relu 64->64 3x3/1")) assertEquals(4.0, number(rows.get(k), "calls_per_step"), k);
        for (String op : List.of("batch_norm_relu", "sigmoid_focal_loss", "giou_loss", "bce_with_logits"))
            assertTrue(rows.containsKey(op), op + " missing from " + rows.keySet());
        Outcome plain = strix("bench", "model", "--batch", "1", "--size", "64", "--mode", "infer", "--width", "4",
                "--warmup", "0", "--iters", "1");
        assertTrue(!plain.out().contains("profile") && !plain.json().containsKey("profile"), plain.out());
    }

    @Test
    void modelInferEndsWithAJsonLine() {
        Outcome r = strix("bench", "model", "--batch", "1", "--size", "64", "--mode", "infer", "--width", "4",
                "--warmup", "1", "--iters", "2");
        assertEquals(0, r.code(), r.err());
        checkModelJson(r.json(), "infer");
        assertTrue(!r.json().containsKey("loss"), "inference reports no loss: " + r.lastOutLine());
    }

    @Test
    void convEndsWithAJsonLinePerShape() {
        Outcome r = strix("bench", "conv", "--batch", "1", "--size", "64", "--width", "4", "--fpn", "8",
                "--warmup", "0", "--iters", "1");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> json = r.json();
        List<Object> layers = Json.requireList(json, "layers");
        assertEquals(DetNetConvLayers.of(new DetNetConfig(20, 4, 8, 2), 1, 64).size(), layers.size());
        for (Object o : layers) {
            Map<String, Object> l = Json.asObject(o, "layer");
            for (String k : List.of("fwd_ms", "bwd_data_ms", "bwd_filter_ms"))
                assertTrue(number(l, k) > 0, k + " in " + l);
            // written with 3 decimals: a few hundred flops of a 2 x 2 head conv on a busy machine can round to 0
            for (String k : List.of("fwd_gflops", "bwd_data_gflops", "bwd_filter_gflops"))
                assertTrue(number(l, k) >= 0, k + " in " + l);
        }
        assertTrue(number(json, "forward_ms") > 0 && number(json, "backward_ms") > 0, json.toString());
        double peak = number(json, "peak_gflops");
        assertTrue(peak > 0 && number(json, "peak_gflops_nominal") > 0, json.toString());
        assertEquals(DevicePeak.PROBE, json.get("peak_source"));
        for (Object o : layers) {
            Map<String, Object> l = Json.asObject(o, "layer");
            for (String pass : List.of("fwd", "bwd_data", "bwd_filter"))
                assertEquals(number(l, pass + "_gflops") / peak, number(l, pass + "_peak_fraction"),
                        2e-5 + number(l, pass + "_peak_fraction") * (0.01 / peak + 1e-3 / number(l, pass + "_gflops")),
                        pass + " in " + l);
        }
        assertTrue(r.out().contains("measured peak"), r.out());
    }

    @Test
    void gemmReportsTheFractionOfTheConfiguredPeak() {
        String old = System.getProperty(DevicePeak.PEAK_PROPERTY);
        try {
            System.setProperty(DevicePeak.PEAK_PROPERTY, "1000");
            Outcome r = strix("bench", "gemm", "--size", "48", "--iters", "2", "--warmup", "0", "--threads", "1");
            assertEquals(0, r.code(), r.err());
            Map<String, Object> json = r.json();
            assertEquals(1000.0, number(json, "peak_gflops"));
            assertEquals(DevicePeak.PROPERTY, json.get("peak_source"));
            assertEquals(number(json, "gflops") / 1000, number(json, "peak_fraction"), 1e-5);
            assertEquals(DevicePeak.nominal(1).gflops(), number(json, "peak_gflops_nominal"), 0.006);
            assertTrue(r.out().contains("of configured peak 1000.0 GFLOP/s (1 thread, property); nominal 1 core x"),
                    r.out());

            // a malformed value fails before anything is timed, naming the property and the value
            System.setProperty(DevicePeak.PEAK_PROPERTY, "lots");
            for (String[] args : List.of(new String[] {"bench", "gemm", "--size", "48"},
                    new String[] {"bench", "model", "--batch", "1", "--size", "64", "--mode", "infer"},
                    new String[] {"bench", "conv", "--batch", "1", "--size", "64"})) {
                r = strix(args);
                assertEquals(1, r.code(), r.err());
                assertTrue(r.err().contains("-Dstrix.cpu.peak_gflops needs a number of GFLOP/s, got 'lots'"), r.err());
                assertTrue(r.out().isEmpty(), r.out());
            }
        } finally {
            if (old == null) System.clearProperty(DevicePeak.PEAK_PROPERTY);
            else System.setProperty(DevicePeak.PEAK_PROPERTY, old);
        }
    }

    @Test
    void plotWritesAPng(@TempDir Path dir) throws IOException {
        Path summary = dir.resolve("summary.json"), png = dir.resolve("chart.png");
        Files.writeString(summary, """
                {"machine": "test", "device": "cpu", "threads": 2, "results": [
                 {"mode": "train", "batch": 8, "size": 256, "strix_img_per_s": 12.5, "pytorch_img_per_s": 25.0,
                  "ratio": 0.5},
                 {"mode": "infer", "batch": 8, "size": 256, "strix_img_per_s": 90, "pytorch_img_per_s": 80,
                  "ratio": 1.125}]}""");
        Outcome r = strix("bench", "plot", "--json", summary.toString(), "--out", png.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(960, image.getWidth());
        assertEquals(560, image.getHeight());
        assertTrue(r.out().contains("2 configurations"), r.out());
    }

    @Test
    void argumentErrors(@TempDir Path dir) throws IOException {
        Outcome r = strix("bench", "model", "--batch", "1", "--size", "64");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--mode"), r.err());
        r = strix("bench", "model", "--batch", "1", "--size", "64", "--mode", "fit");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("train|infer"), r.err());
        r = strix("bench", "model", "--batch", "1", "--size", "48", "--mode", "train");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("multiple of 32"), r.err());
        r = strix("bench", "model", "--batch", "0", "--size", "64", "--mode", "train");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--batch must be >= 1"), r.err());
        r = strix("bench", "model", "--batch", "1", "--size", "64", "--mode", "train", "--model", "yolo");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("detnet"), r.err());
        r = strix("bench", "model", "--batch", "1", "--size", "64", "--mode", "infer", "--device", "tpu");
        assertEquals(2, r.code());
        r = strix("bench", "model", "--batch", "1", "--size", "64", "--mode", "train", "--cuda-graph");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--cuda-graph needs a CUDA device, got cpu"), r.err());
        r = strix("bench", "model", "--batch", "1", "--size", "64", "--mode", "infer", "--cuda-graph");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--cuda-graph needs a CUDA device, got cpu"), r.err());
        r = strix("bench", "conv", "--batch", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--size"), r.err());
        r = strix("bench", "conv", "--batch", "1", "--size", "64", "--iters", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--iters must be >= 1"), r.err());
        r = strix("bench", "plot", "--json", dir.resolve("missing.json").toString(), "--out", "x.png");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("file not found"), r.err());
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"results\": []}");
        r = strix("bench", "plot", "--json", bad.toString(), "--out", dir.resolve("c.png").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("empty"), r.err());
        r = strix("bench", "nope");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown benchmark 'nope'") && r.err().contains("model"), r.err());
    }
}
