package dev.strix.detection.cli;

import dev.strix.cuda.CudaAvailability;
import dev.strix.detection.model.Fixtures;
import dev.strix.nn.Tensor;
import dev.strix.nn.io.Json;
import dev.strix.nn.io.StateDicts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** The {@code strix} command line, run in-process through {@link Main#run}. */
class MainTest {
    @TempDir
    Path dir;

    /** Exit code and captured streams of one invocation. */
    record Outcome(int code, String out, String err) {
        String lastOutLine() {
            String[] lines = out.strip().split("\\R");
            return lines[lines.length - 1];
        }
    }

    static Outcome strix(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code;
        try (var o = new PrintStream(out, true, StandardCharsets.UTF_8);
             var e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e);
        }
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String weights() {
        return Fixtures.SMALL_WEIGHTS.toString();
    }

    private static String io() {
        return Fixtures.SMALL_IO.toString();
    }

    @Test
    void forwardWritesThePyTorchOutputs() throws Exception {
        Path output = dir.resolve("y.safetensors");
        Outcome r = strix("forward", "--weights", weights(), "--input", io(), "--output", output.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().strip().lines().count(), "one summary line: " + r.out());
        assertTrue(r.out().contains("C=5 w=8 F=16 D=2") && r.out().contains("[2, 3, 64, 96]")
                && r.out().contains("cls[2, 5, 8, 12]") && r.out().contains(" ms "), r.out());
        Map<String, Tensor> written = StateDicts.read(output);
        Map<String, Tensor> expected = Fixtures.read(Fixtures.SMALL_IO);
        assertEquals(java.util.Set.of("level0.cls", "level0.box", "level0.ctr", "level1.cls", "level1.box",
                "level1.ctr", "level2.cls", "level2.box", "level2.ctr"), written.keySet());
        for (var e : written.entrySet())
            // same tolerance as DetNetTest.evalForwardMatchesPyTorch (float32 reordering over 17 convolutions)
            Fixtures.assertClose(e.getKey(), expected.get(e.getKey()), e.getValue(), 1e-4, 1e-4);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(output), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void forwardWithExplicitConfigAndAutoDevice() {
        Path output = dir.resolve("y.safetensors");
        Outcome r = strix("forward", "--weights", weights(), "--input", io(), "--output", output.toString(),
                "--classes", "5", "--width", "8", "--fpn", "16", "--depth", "2", "--device", "auto");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("device: auto: "), r.err());
        if (!CudaAvailability.probe().usable())
            assertTrue(r.err().contains("took the CPU: " + CudaAvailability.probe().reason()), r.err());
        assertTrue(Files.isRegularFile(output));
    }

    @Test
    void forwardWithAConfigThatDoesNotFitTheWeightsFails() {
        Outcome r = strix("forward", "--weights", weights(), "--input", io(), "--output",
                dir.resolve("y.safetensors").toString(), "--classes", "6");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("detnet_small.weights.safetensors") && r.err().contains("cls_out"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --debug: " + r.err());
    }

    @Test
    void missingWeightsOptionIsAUsageError() {
        Outcome r = strix("forward", "--input", io(), "--output", dir.resolve("y.safetensors").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--weights"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }

    @Test
    void nonexistentWeightsFileIsNamed() {
        String missing = dir.resolve("nope.safetensors").toString();
        Outcome r = strix("forward", "--weights", missing, "--input", io(), "--output", dir.resolve("y.safetensors").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(missing) && r.err().contains("not found"), r.err());
    }

    @Test
    void inputWhoseHeightIsNotAMultipleOf32Fails() throws Exception {
        Path input = dir.resolve("x48.safetensors");
        StateDicts.save(input, Map.of("input", Tensor.of(new float[3 * 48 * 64], 1, 3, 48, 64)), Map.of());
        Outcome r = strix("forward", "--weights", weights(), "--input", input.toString(), "--output",
                dir.resolve("y.safetensors").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(input.toString()) && r.err().contains("H=48"), r.err());
        assertFalse(Files.exists(dir.resolve("y.safetensors")));
    }

    @Test
    void inputWithoutTheInputTensorFails() throws Exception {
        Path input = dir.resolve("other.safetensors");
        StateDicts.save(input, Map.of("images", Tensor.of(new float[3 * 32 * 32], 1, 3, 32, 32)), Map.of());
        Outcome r = strix("forward", "--weights", weights(), "--input", input.toString(), "--output",
                dir.resolve("y.safetensors").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("'input'") && r.err().contains("images"), r.err());
    }

    @Test
    void corruptWeightsFileFailsWithItsName() throws Exception {
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, new byte[] {1, 2, 3});
        Outcome r = strix("forward", "--weights", bad.toString(), "--input", io(), "--output",
                dir.resolve("y.safetensors").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(bad.toString()), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }

    @Test
    void debugAddsTheStackTrace() throws Exception {
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, new byte[] {1, 2, 3});
        Outcome r = strix("--debug", "forward", "--weights", bad.toString(), "--input", io(), "--output",
                dir.resolve("y.safetensors").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("\tat dev.strix"), r.err());
    }

    @Test
    void optionErrorsAreUsageErrors() {
        Outcome r = strix("forward", "--weights", weights(), "--input", io(), "--output", "y.safetensors", "--bogus");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown option --bogus"), r.err());
        r = strix("forward", "--weights");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--weights needs a value"), r.err());
        r = strix("forward", "--weights", weights(), "--input", io(), "--output", "y.safetensors", "--device", "tpu");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("cpu|cuda|cuda:N|auto"), r.err());
        r = strix("forward", "--weights", weights(), "--input", io(), "--output", "y.safetensors", "--classes", "x");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--classes needs an integer"), r.err());
        r = strix("frobnicate");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown command 'frobnicate'"), r.err());
        r = strix();
        assertEquals(2, r.code());
        assertTrue(r.err().contains("usage: strix"), r.err());
    }

    @Test
    void cudaDeviceFailsClearly() {
        assumeFalse(CudaAvailability.probe().usable(), "CUDA is usable here");
        Outcome r = strix("forward", "--weights", weights(), "--input", io(), "--output",
                dir.resolve("y.safetensors").toString(), "--device", "cuda");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("device cuda was asked for but CUDA is not usable: "
                + CudaAvailability.probe().reason()), r.err());
    }

    @Test
    void benchGemmEndsWithAJsonLine() {
        Outcome r = strix("bench", "gemm", "--size", "64", "--iters", "2");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> json = Json.asObject(Json.parse(r.lastOutLine()), "bench result");
        double gflops = ((Number) json.get("gflops")).doubleValue(), ms = ((Number) json.get("ms")).doubleValue();
        assertTrue(gflops > 0 && ms > 0, r.out());
        assertEquals(64, ((Number) json.get("size")).intValue());
        assertTrue(r.out().contains("GFLOP/s"), r.out());
        double peak = ((Number) json.get("peak_gflops")).doubleValue();
        assertTrue(peak > 0 && ((Number) json.get("peak_gflops_nominal")).doubleValue() > 0, r.out());
        // gflops and peak_gflops are written with 2 decimals, the fraction with 5
        assertEquals(gflops / peak, ((Number) json.get("peak_fraction")).doubleValue(),
                2e-5 + gflops / peak * (0.01 / peak + 0.01 / gflops), r.out());
    }

    @Test
    void benchUsageErrors() {
        assertEquals(2, strix("bench").code());
        Outcome r = strix("bench", "gemm");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--size"), r.err());
        r = strix("bench", "nope", "--size", "8");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown benchmark 'nope'"), r.err());
        r = strix("bench", "gemm", "--size", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--size must be >= 1"), r.err());
    }

    @Test
    void infoVersionAndHelp() {
        Outcome r = strix("info");
        assertEquals(0, r.code(), r.err() + r.out());
        for (String key : List.of("java:", "JAVA_HOME:", "simd:", "cores:", "threads:", "heap:", "backends: cpu",
                "\ncuda:\n", "  libraries:\n", "    cudnn: "))
            assertTrue(r.out().contains(key), key + " in " + r.out());
        CudaAvailability cuda = CudaAvailability.probe();
        assertTrue(r.out().contains(cuda.usable() ? "  usable: " + cuda.reason() : "  not usable: " + cuda.reason()),
                r.out());
        r = strix("version");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("strix "), r.out());
        r = strix("help");
        assertEquals(0, r.code(), r.err());
        for (String c : List.of("forward", "bench", "info", "version", "help")) assertTrue(r.out().contains(c), r.out());
        for (String c : List.of("train", "tune", "compare", "demo"))
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith("  " + c + " ")), c + " listed: " + r.out());
        r = strix("tune", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("usage: strix tune") && r.out().contains("--grid SPEC") && r.out().contains("--folds K")
                && r.out().contains("--lr LR") && !r.out().contains("--epochs E "), r.out());
        r = strix("help", "compare");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("--strategies A,B,...") && r.out().contains("--budget-steps N"), r.out());
        r = strix("forward", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("usage: strix forward") && r.out().contains("--weights W.safetensors"), r.out());
        r = strix("help", "bench");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("gemm"), r.out());
        r = strix("bench", "gemm", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("--iters I"), r.out());
    }
}
