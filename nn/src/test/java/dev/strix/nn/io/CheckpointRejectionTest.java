package dev.strix.nn.io;

import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.init.Init;
import dev.strix.nn.layers.BatchNorm2d;
import dev.strix.nn.layers.Conv2d;
import dev.strix.nn.layers.ReLU;
import dev.strix.nn.layers.Sequential;
import dev.strix.nn.testing.Mutator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoints that must not load into a model, through {@link StateDicts#load(Path, Module, boolean)}: each is
 * refused with a message naming the file and the offending tensor, nothing is allocated for a header's claims, and
 * the model keeps its weights.
 */
@Timeout(30)
class CheckpointRejectionTest {
    /** Reading a tiny rejected checkpoint must not allocate anywhere near a claimed tensor's size. */
    private static final Mutator.Limits SMALL = new Mutator.Limits(2_000_000_000L, 4L << 20);

    @TempDir
    Path dir;

    /** Tensors 0.weight (4, 3, 3, 3), 1.* (4), 1.num_batches_tracked (), 3.weight (2, 4, 1, 1), 3.bias (2). */
    private static Sequential model(int channels) {
        return new Sequential(new Conv2d(3, channels, 3, 2, 1, false), new BatchNorm2d(channels), new ReLU(),
                new Conv2d(channels, 2, 1));
    }

    private static Map<String, float[]> snapshot(Module m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
            Tensor t = e.getValue();
            if (t.dtype() == DType.I64) {
                long[] l = t.longs();
                float[] f = new float[l.length];
                for (int i = 0; i < l.length; i++) f[i] = l[i];
                out.put(e.getKey(), f);
            } else {
                out.put(e.getKey(), t.toArray());
            }
        }
        return out;
    }

    private static void assertUnchanged(Map<String, float[]> before, Module m) {
        Map<String, float[]> after = snapshot(m);
        assertEquals(before.keySet(), after.keySet());
        for (String name : before.keySet()) assertArrayEquals(before.get(name), after.get(name), name + " changed");
    }

    /** A file with the given header text (length prefix exact) and {@code dataBytes} zero bytes of data. */
    private Path raw(String name, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve(name);
        Files.write(file, ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length).put(h).array());
        return file;
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    /**
     * Asserts that loading {@code file} into a fresh model fails with {@code type}, a message naming the file and
     * containing every fragment, without allocating much and without touching the model.
     */
    private static <T extends Throwable> void assertRefused(Path file, Class<T> type, boolean strict, String... fragments) {
        Init.seed(7);
        Sequential m = model(4);
        Map<String, float[]> before = snapshot(m);
        boolean accepted = Mutator.runCase(file.getFileName().toString(), readAll(file), file.toString(), SMALL,
                () -> StateDicts.load(file, m, strict), type);
        assertFalse(accepted, () -> file + " was loaded");
        String message = assertThrows(type, () -> StateDicts.load(file, m, strict)).getMessage();
        for (String f : fragments) assertTrue(message.contains(f), () -> "message '" + message + "' lacks '" + f + "'");
        assertUnchanged(before, m);
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        Init.seed(1);
        Path file = dir.resolve("beyond.safetensors");
        StateDicts.save(file, model(4));
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, bytes.length - 7);
        Files.write(file, bytes);
        assertRefusedCleanly(file, true, "header length " + (bytes.length - 7) + " runs past the end of the file ("
                + bytes.length + " bytes)");
    }

    @Test
    void headerOverTheLimitIsRefusedBeforeReadingIt() throws IOException {
        for (long length : new long[] {SafeTensors.MAX_HEADER_BYTES + 1, Long.MAX_VALUE, -8}) {
            Path file = dir.resolve("limit.safetensors");
            Files.write(file, ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(length).array());
            assertRefusedCleanly(file, false, "header length " + Long.toUnsignedString(length) + " exceeds the limit of "
                    + SafeTensors.MAX_HEADER_BYTES + " bytes");
        }
    }

    @Test
    void invalidJsonHeader() throws IOException {
        assertRefusedCleanly(raw("json.safetensors", "{" + entry("0.weight", "F32", "[4, 3, 3, 3]", 0, 432) + ",", 432),
                true, "header is not valid JSON");
        assertRefusedCleanly(raw("dup.safetensors", "{" + entry("3.bias", "F32", "[2]", 0, 8) + ","
                + entry("3.bias", "F32", "[2]", 8, 16) + "}", 16), false, "duplicate key '3.bias'");
    }

    @Test
    void unknownDtypeNamesTheTensor() throws IOException {
        assertRefusedCleanly(raw("dtype.safetensors", "{" + entry("3.weight", "F8_E4M3", "[2, 4, 1, 1]", 0, 8) + "}", 8),
                false, "tensor '3.weight'", "unknown dtype 'F8_E4M3'");
        assertRefusedCleanly(raw("lower.safetensors", "{" + entry("3.bias", "f32", "[2]", 0, 8) + "}", 8),
                false, "tensor '3.bias'", "unknown dtype 'f32'");
    }

    @Test
    void overlappingOffsetsNameBothTensors() throws IOException {
        assertRefusedCleanly(raw("overlap.safetensors", "{" + entry("3.weight", "F32", "[2, 4, 1, 1]", 0, 32) + ","
                        + entry("3.bias", "F32", "[2]", 28, 36) + "}", 36), false,
                "tensor '3.bias' data_offsets [28, 36] overlap tensor '3.weight' [0, 32]");
    }

    @Test
    void outOfRangeOffsetsNameTheTensor() throws IOException {
        assertRefusedCleanly(raw("range.safetensors", "{" + entry("3.bias", "F32", "[2]", 0, 8) + "}", 4), false,
                "tensor '3.bias'", "data_offsets [0, 8] reach beyond the end of the 4-byte data buffer");
        assertRefusedCleanly(raw("size.safetensors", "{" + entry("3.bias", "F32", "[2]", 0, 12) + "}", 12), false,
                "tensor '3.bias'", "give 12 bytes but F32 shape [2] needs 8");
        assertRefusedCleanly(raw("negative.safetensors", "{" + entry("3.bias", "F32", "[2]", -8, 0) + "}", 8), false,
                "tensor '3.bias'", "data_offsets[0] is negative");
    }

    @Test
    void aHeaderClaimingTrillionsOfElementsIsNotAllocated() throws IOException {
        assertRefusedCleanly(raw("claim.safetensors", "{" + entry("0.weight", "F32", "[1000000, 1000000]", 0,
                4_000_000_000_000L) + "}", 16), false, "tensor '0.weight'", "reach beyond the end of the 16-byte data buffer");
        assertRefusedCleanly(raw("overflow.safetensors", "{" + entry("0.weight", "F64",
                "[4294967296, 4294967296, 4294967296]", 0, 8) + "}", 8), false, "tensor '0.weight'", "too many elements");
    }

    @Test
    void shapesThatDoNotMatchTheModelNameTheTensor() throws IOException {
        Init.seed(2);
        Path file = dir.resolve("wide.safetensors");
        StateDicts.save(file, model(8));
        for (boolean strict : new boolean[] {false, true})
            assertRefused(file, IllegalArgumentException.class, strict,
                    "tensor '0.weight' has shape [8, 3, 3, 3] but the model expects [4, 3, 3, 3]",
                    "tensor '1.running_mean' has shape [8] but the model expects [4]",
                    "tensor '3.weight' has shape [2, 8, 1, 1] but the model expects [2, 4, 1, 1]");
    }

    @Test
    void strictLoadNamesMissingAndUnexpectedTensors() throws IOException {
        Init.seed(3);
        Map<String, Tensor> state = new LinkedHashMap<>(model(4).stateDict());
        state.remove("3.bias");
        state.put("4.weight", Tensor.of(new float[] {1, 2}, 2));
        Path file = dir.resolve("names.safetensors");
        StateDicts.save(file, state, Map.of());
        assertRefused(file, IllegalArgumentException.class, true, "missing from the file: [3.bias]",
                "unexpected tensor(s) not in Sequential: [4.weight]");
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertRefusedCleanly(Path file, boolean strict, String... fragments) {
        assertRefused(file, SafeTensorsException.class, strict, fragments);
    }

    @Test
    void emptyTensorWithADimensionBeyondIntIsRefused() throws IOException {
        assertRefusedCleanly(raw("wide0.safetensors", "{" + entry("3.bias", "F32", "[0, 4294967296]", 0, 0) + "}", 0),
                false, "tensor '3.bias'", "4294967296", "cannot be held in memory");
        assertRefusedCleanly(raw("wide1.safetensors", "{" + entry("3.bias", "F32", "[2, 2147483647, 0]", 0, 0) + "}", 0),
                false, "tensor '3.bias'", "[2, 2147483647, 0]", "cannot be held in memory");
    }
}
