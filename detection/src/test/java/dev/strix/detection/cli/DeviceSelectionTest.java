package dev.strix.detection.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.strix.cuda.CudaAvailability;
import dev.strix.detection.infer.DetectorOptions;
import dev.strix.detection.infer.TinyDetNets;
import dev.strix.detection.model.Fixtures;
import dev.strix.nn.CpuDevice;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

/**
 * {@code --device cpu|cuda|cuda:N|auto} on every command that chooses a device, and the same spellings in the
 * embedding API. The CUDA cases assert what a machine without a usable GPU must do (they skip where CUDA works).
 */
class DeviceSelectionTest {
    @TempDir
    Path dir;

    private static void assumeNoCuda() {
        CudaAvailability a = CudaAvailability.probe();
        assumeFalse(a.usable(), "CUDA is usable here: " + a.reason());
    }

    @Test
    void spellingsAreCheckedAndNormalised() {
        OptionSpec spec = new OptionSpec("probe").optional("device", "D", "the device");
        assertEquals("cuda:1", DeviceSelection.spec(spec.parse(List.of("--device", " CUDA:1 ")), "cpu"));
        assertEquals("auto", DeviceSelection.spec(spec.parse(List.of("--device", "auto")), "cpu"));
        assertEquals("cpu", DeviceSelection.spec(spec.parse(List.of()), "cpu"));
        for (String bad : List.of("tpu", "cuda:", "cuda:-1", "cuda:x", "cuda0", "gpu", "")) {
            UsageException e = assertThrows(UsageException.class,
                    () -> DeviceSelection.spec(spec.parse(List.of("--device", bad)), "cpu"), bad);
            assertEquals(CliException.USAGE, e.exitCode());
            assertTrue(e.getMessage().contains("--device must be cpu|cuda|cuda:N|auto, got '" + bad + "'"),
                    e.getMessage());
        }
    }

    @Test
    void cpuIsQuietAndAutoSaysWhatItTookAndWhy() {
        var err = new ByteArrayOutputStream();
        try (var e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            assertSame(CpuDevice.INSTANCE, DeviceSelection.resolve("cpu", e));
            assertEquals("", err.toString(StandardCharsets.UTF_8));
            assumeNoCuda();
            assertSame(CpuDevice.INSTANCE, DeviceSelection.resolve("auto", e));
        }
        String said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.startsWith("device: auto: CUDA is not usable, took the CPU: "), said);
        assertTrue(said.contains(CudaAvailability.probe().reason()), "the probe's reason is given: " + said);
    }

    @Test
    void cudaWithoutAUsableGpuIsARuntimeFailureWithTheReason() {
        assumeNoCuda();
        for (String spec : List.of("cuda", "cuda:0", "cuda:3")) {
            CliException e = assertThrows(CliException.class, () -> DeviceSelection.resolve(spec, System.err));
            assertEquals(CliException.RUNTIME, e.exitCode(), spec);
            assertTrue(e.getMessage().startsWith("device " + spec + " was asked for but CUDA is not usable: "),
                    e.getMessage());
            assertTrue(e.getMessage().contains(CudaAvailability.probe().reason()), e.getMessage());
            assertTrue(e.getMessage().contains("--device cpu or auto"), e.getMessage());
        }
    }

    @Test
    void detectorOptionsTakeTheSameSpellings() {
        assertSame(CpuDevice.INSTANCE, DetectorOptions.defaults().withDevice("CPU").device());
        assertThrows(IllegalArgumentException.class, () -> DetectorOptions.defaults().withDevice("tpu"));
        assumeNoCuda();
        assertSame(CpuDevice.INSTANCE, DetectorOptions.defaults().withDevice("auto").device());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DetectorOptions.defaults().withDevice("cuda:0"));
        assertTrue(e.getMessage().contains("CUDA is not usable"), e.getMessage());
    }

    /** Each command's arguments up to a {@code --device} value, which the caller appends. */
    private Map<String, List<String>> commands() throws Exception {
        Path weights = TinyDetNets.write(dir.resolve("w.safetensors"), List.of("a", "b"), 64, 7);
        Path images = Files.createDirectories(dir.resolve("in"));
        ImageIO.write(TinyDetNets.picture(70, 50, 0), "png", images.resolve("a.png").toFile());
        return Map.of(
                "forward", List.of("forward", "--weights", Fixtures.SMALL_WEIGHTS.toString(), "--input",
                        Fixtures.SMALL_IO.toString(), "--output", dir.resolve("y.safetensors").toString()),
                "train", List.of("train", "--format", "synthetic", "--synthetic-count", "4", "--size", "64",
                        "--batch", "4", "--width", "4", "--fpn", "8", "--depth", "1", "--out",
                        dir.resolve("run").toString()),
                "detect", List.of("detect", "--weights", weights.toString(), images.toString(), "--out",
                        dir.resolve("det").toString()),
                "eval", List.of("eval", "--weights", weights.toString(), "--format", "synthetic", "--data",
                        "seed=5,count=2,size=64,classes=2", "--size", "64"),
                "bench model", List.of("bench", "model", "--batch", "1", "--size", "64", "--mode", "infer",
                        "--iters", "1", "--warmup", "0"),
                "bench conv", List.of("bench", "conv", "--batch", "1", "--size", "64", "--iters", "1", "--warmup", "0",
                        "--width", "4", "--fpn", "8", "--depth", "1"),
                "demo", List.of("demo", "--out", dir.resolve("demo").toString()));
    }

    private static MainTest.Outcome strix(List<String> args, String device) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--device", device));
        return MainTest.strix(all.toArray(String[]::new));
    }

    @Test
    void everyCommandRejectsAnUnknownDeviceAsAUsageError() throws Exception {
        for (var e : commands().entrySet()) {
            MainTest.Outcome r = strix(e.getValue(), "tpu");
            assertEquals(CliException.USAGE, r.code(), e.getKey() + ": " + r.err());
            assertTrue(r.err().contains("strix " + e.getKey() + ": option --device must be cpu|cuda|cuda:N|auto, "
                    + "got 'tpu'"), e.getKey() + ": " + r.err());
        }
    }

    @Test
    void everyCommandFailsClearlyOnCudaWithoutAGpu() throws Exception {
        assumeNoCuda();
        for (var e : commands().entrySet()) {
            MainTest.Outcome r = strix(e.getValue(), "cuda:0");
            assertEquals(CliException.RUNTIME, r.code(), e.getKey() + ": " + r.err());
            assertTrue(r.err().contains("device cuda:0 was asked for but CUDA is not usable: "),
                    e.getKey() + ": " + r.err());
            assertFalse(r.err().contains("\tat "), e.getKey() + ": no stack trace: " + r.err());
        }
        assertFalse(Files.exists(dir.resolve("run")), "a failed device choice leaves no run folder behind");
    }

    @Test
    void autoRunsOnTheCpuWithoutAGpuAndSaysSo() throws Exception {
        assumeNoCuda();
        for (String name : List.of("bench model", "bench conv", "eval")) {
            MainTest.Outcome r = strix(commands().get(name), "auto");
            assertEquals(0, r.code(), name + ": " + r.err());
            assertTrue(r.err().contains("device: auto: CUDA is not usable, took the CPU: "), name + ": " + r.err());
        }
        MainTest.Outcome bench = strix(commands().get("bench model"), "auto");
        assertTrue(bench.lastOutLine().contains("\"device\":\"cpu\""), bench.lastOutLine());
    }
}
