package dev.strix.nn.io;

import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.init.Init;
import dev.strix.nn.layers.BatchNorm2d;
import dev.strix.nn.layers.Conv2d;
import dev.strix.nn.layers.Linear;
import dev.strix.nn.layers.ReLU;
import dev.strix.nn.layers.Sequential;
import dev.strix.nn.testing.Fixtures;
import dev.strix.nn.testing.RandomTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateDictsTest {
    @TempDir
    Path dir;

    /** A parent with named children, as user models are built. */
    static final class Holder extends Module {
        Holder(Map<String, Module> children) {
            children.forEach(this::registerModule);
        }
    }

    private static Sequential small() {
        return new Sequential(new Conv2d(3, 4, 3, 2, 1, false), new BatchNorm2d(4), new ReLU(), new Conv2d(4, 2, 1));
    }

    private static void assertSameState(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            Tensor a = actual.get(e.getKey());
            assertArrayEquals(e.getValue().shape(), a.shape(), e.getKey());
            assertEquals(e.getValue().dtype(), a.dtype(), e.getKey());
            if (a.dtype() == DType.I64) assertArrayEquals(e.getValue().longs(), a.longs(), e.getKey());
            else assertClose(e.getKey(), e.getValue().toArray(), a.toArray(), 0, 0);
        }
    }

    @Test
    void roundTripThroughAFile() throws IOException {
        Init.seed(1);
        Sequential a = small();
        a.forward(RandomTensors.normal(1, 2, 3, 9, 7)); // moves running stats and num_batches_tracked
        a.forward(RandomTensors.normal(2, 2, 3, 9, 7));
        Path f = dir.resolve("model.safetensors");
        StateDicts.save(f, a);

        Map<String, Tensor> read = StateDicts.read(f);
        assertSameState(a.stateDict(), read);
        assertEquals(2L, read.get("1.num_batches_tracked").longs()[0]);

        // the independent reader sees the dtypes PyTorch expects: F32 parameters, I64 0-d counter
        Fixtures.Fixture raw = Fixtures.read(f);
        assertArrayEquals(new int[0], raw.shape("1.num_batches_tracked"));
        assertArrayEquals(new long[] {2}, raw.longs("1.num_batches_tracked"));
        assertClose("0.weight", a.stateDict().get("0.weight").toArray(), raw.floats("0.weight"), 0, 0);

        Init.seed(2);
        Sequential b = small();
        StateDicts.load(f, b, true);
        assertSameState(a.stateDict(), b.stateDict());
        Tensor x = RandomTensors.normal(3, 1, 3, 9, 7);
        a.eval();
        b.eval();
        assertClose("same outputs after loading", a.forward(x), b.forward(x), 0, 0);
    }

    @Test
    void saveWithMetadataAndReadBackConvertedTypes() throws IOException {
        Path f = dir.resolve("mixed.safetensors");
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("w", Tensor.of(new float[] {1.5f, -2f, 3.25f}, 3));
        state.put("count", Tensor.ofLongs(new long[] {42}));
        StateDicts.save(f, state, Map.of("format", "pt", "epoch", "3"));
        assertEquals(Map.of("format", "pt", "epoch", "3"), SafeTensors.read(f).metadata());
        assertSameState(state, StateDicts.read(f));

        // files written by others in F16, BF16, F64 and I32 read as float32 / int64
        Path g = dir.resolve("other.safetensors");
        SafeTensors.write(g, List.of(
                TensorData.ofFloatsAs("h", DType.F16, new long[] {2}, new float[] {0.5f, -1.25f}),
                TensorData.ofFloatsAs("b", DType.BF16, new long[] {2}, new float[] {2f, -0.375f}),
                new TensorData("d", DType.F64, new long[] {1}, java.nio.ByteBuffer.allocate(8)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN).putDouble(0, 0.1).rewind()),
                new TensorData("i", DType.I32, new long[] {2}, java.nio.ByteBuffer.allocate(8)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 7).putInt(4, -3).rewind())));
        Map<String, Tensor> r = StateDicts.read(g);
        assertEquals(DType.F32, r.get("h").dtype());
        assertClose("F16", new float[] {0.5f, -1.25f}, r.get("h").toArray(), 0, 0);
        assertClose("BF16", new float[] {2f, -0.375f}, r.get("b").toArray(), 0, 0);
        assertClose("F64", new float[] {0.1f}, r.get("d").toArray(), 0, 0);
        assertEquals(DType.I64, r.get("i").dtype());
        assertArrayEquals(new long[] {7, -3}, r.get("i").longs());
    }

    @Test
    void loadErrorsNameTheFileAndTensorsAndLeaveTheModelUnchanged() throws IOException {
        Path f = dir.resolve("weights.safetensors");
        StateDicts.save(f, new Sequential(new Conv2d(3, 8, 3, 1, 1, false), new BatchNorm2d(8)));

        Sequential wider = new Sequential(new Conv2d(3, 16, 3, 1, 1, false), new BatchNorm2d(16));
        float[] before = wider.stateDict().get("0.weight").toArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDicts.load(f, wider, false));
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("tensor '0.weight' has shape [8, 3, 3, 3] but the model expects [16, 3, 3, 3]"),
                e.getMessage());
        assertTrue(e.getMessage().contains("'1.running_mean'"), "every mismatch is listed: " + e.getMessage());
        assertClose("model unchanged after a failed load", before, wider.stateDict().get("0.weight").toArray(), 0, 0);

        Sequential extra = new Sequential(new Conv2d(3, 8, 3, 1, 1, false), new BatchNorm2d(8), new Linear(2, 2, true));
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> StateDicts.load(f, extra, true));
        assertTrue(m.getMessage().contains(f.toString()) && m.getMessage().contains("2.weight")
                && m.getMessage().contains("2.bias"), m.getMessage());
        StateDicts.load(f, extra, false); // non-strict: loads what is there

        Sequential fewer = new Sequential(new Conv2d(3, 8, 3, 1, 1, false));
        IllegalArgumentException u = assertThrows(IllegalArgumentException.class, () -> StateDicts.load(f, fewer, true));
        assertTrue(u.getMessage().contains("unexpected") && u.getMessage().contains("1.num_batches_tracked"), u.getMessage());

        Path bad = dir.resolve("broken.safetensors");
        Files.write(bad, new byte[] {1, 2, 3});
        IOException io = assertThrows(IOException.class, () -> StateDicts.load(bad, fewer, false));
        assertTrue(io.getMessage().contains("broken.safetensors"), io.getMessage());
    }

    @Test
    void loadsAPyTorchWrittenFile() throws IOException {
        Path f = Fixtures.path("detnet/detnet_small.weights");
        Map<String, Tensor> state = StateDicts.read(f);
        Fixtures.Fixture ref = Fixtures.load("detnet/detnet_small.weights");
        assertEquals(ref.names().size(), state.size());
        assertEquals(Integer.parseInt(ref.meta("parameters")), state.entrySet().stream()
                .filter(e -> e.getValue().dtype() == DType.F32 && !e.getKey().contains("running_"))
                .mapToInt(e -> e.getValue().numel()).sum(), "parameter count in the metadata");
        Tensor counter = state.get("stem.1.num_batches_tracked");
        assertEquals(DType.I64, counter.dtype());
        assertArrayEquals(new int[0], counter.shape());
        assertEquals(0L, counter.longs()[0]);

        // the stem of DetNet(w=8): conv 3->8 3x3 stride 2 without bias, batch norm 8, ReLU (cbr(3, w, 2)); names as PyTorch wrote them
        Sequential stem = new Sequential(new Conv2d(3, 8, 3, 2, 1, false), new BatchNorm2d(8), new ReLU());
        Holder model = new Holder(Map.of("stem", stem));
        StateDicts.load(f, model, false);
        for (String name : model.stateDict().keySet()) {
            Tensor got = model.stateDict().get(name);
            if (got.dtype() == DType.I64) assertArrayEquals(ref.longs(name), got.longs(), name);
            else assertClose(name, ref.floats(name), got.toArray(), 0, 0);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDicts.load(f, model, true));
        assertTrue(e.getMessage().contains("unexpected") && e.getMessage().contains("s1.0.0.weight"), e.getMessage());

        Holder wrong = new Holder(Map.of("stem", new Sequential(new Conv2d(3, 16, 3, 2, 1, false))));
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> StateDicts.load(f, wrong, false));
        assertTrue(s.getMessage().contains("tensor 'stem.0.weight' has shape [8, 3, 3, 3] but the model expects [16, 3, 3, 3]"),
                s.getMessage());
    }
}
