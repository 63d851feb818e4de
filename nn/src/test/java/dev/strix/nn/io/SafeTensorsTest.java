package dev.strix.nn.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** One small tensor per dtype with awkward values, plus the float and long values each must read back as. */
    private record Case(TensorData tensor, float[] floats, long[] longs) {
    }

    private static List<Case> everyDType() {
        List<Case> cases = new ArrayList<>();
        double[] f64 = {1.5, -1e300, 1e-310, 0.1};
        ByteBuffer b = le(32);
        for (double v : f64) b.putDouble(v);
        cases.add(new Case(new TensorData("t.f64", DType.F64, new long[]{2, 2}, b.flip()),
                new float[]{1.5f, Float.NEGATIVE_INFINITY, 0f, 0.1f}, null));
        float[] f32 = {1.5f, -3.25e-40f, Float.MAX_VALUE, -0f, Float.NaN};
        cases.add(new Case(TensorData.ofFloats("t.f32", new long[]{5}, f32), f32, null));
        b = le(8);
        for (int bits : new int[]{0x3C00, 0x0001, 0xFBFF, 0x7C00}) b.putShort((short) bits);
        cases.add(new Case(new TensorData("t.f16", DType.F16, new long[]{4, 1}, b.flip()),
                new float[]{1f, 0x1p-24f, -65504f, Float.POSITIVE_INFINITY}, null));
        b = le(6);
        for (int bits : new int[]{0x3F80, 0xC049, 0x0001}) b.putShort((short) bits);
        cases.add(new Case(new TensorData("t.bf16", DType.BF16, new long[]{3}, b.flip()),
                new float[]{1f, -3.140625f, Float.intBitsToFloat(0x00010000)}, null));
        long[] i64 = {Long.MIN_VALUE, -1, 0, 1L << 53, Long.MAX_VALUE};
        cases.add(new Case(TensorData.ofLongs("t.i64", new long[]{5}, i64),
                new float[]{-0x1p63f, -1f, 0f, 0x1p53f, 0x1p63f}, i64));
        b = le(12);
        for (int v : new int[]{Integer.MIN_VALUE, -7, 16777217}) b.putInt(v);
        cases.add(new Case(new TensorData("t.i32", DType.I32, new long[]{1, 3}, b.flip()),
                new float[]{-0x1p31f, -7f, 16777216f}, new long[]{Integer.MIN_VALUE, -7, 16777217}));
        b = le(6);
        for (int v : new int[]{-32768, 32767, -2}) b.putShort((short) v);
        cases.add(new Case(new TensorData("t.i16", DType.I16, new long[]{3}, b.flip()),
                new float[]{-32768f, 32767f, -2f}, new long[]{-32768, 32767, -2}));
        cases.add(new Case(new TensorData("t.i8", DType.I8, new long[]{3}, ByteBuffer.wrap(new byte[]{-128, 127, -1})),
                new float[]{-128f, 127f, -1f}, new long[]{-128, 127, -1}));
        cases.add(new Case(new TensorData("t.u8", DType.U8, new long[]{3}, ByteBuffer.wrap(new byte[]{(byte) 255, 0, (byte) 128})),
                new float[]{255f, 0f, 128f}, new long[]{255, 0, 128}));
        cases.add(new Case(new TensorData("t.bool", DType.BOOL, new long[]{2}, ByteBuffer.wrap(new byte[]{1, 0})),
                new float[]{1f, 0f}, new long[]{1, 0}));
        return cases;
    }

    private static void assertFloatsIdentical(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what + " length");
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(got[i]))
                throw new AssertionError(what + " index " + i + ": want " + want[i] + " got " + got[i]);
        }
    }

    @Test
    void everyDTypeRoundTripsWithConversions() throws IOException {
        List<Case> cases = everyDType();
        Path file = dir.resolve("all.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "quotes \" and \u00e9 and \n");
        SafeTensors.write(file, cases.stream().map(Case::tensor).toList(), meta);
        SafeTensorsFile read = SafeTensors.read(file);
        assertEquals(meta, read.metadata());
        assertEquals(file, read.path());
        assertEquals(cases.size(), read.tensors().size());
        for (Case c : cases) {
            TensorData got = read.get(c.tensor().name());
            assertEquals(c.tensor(), got, c.tensor().name());
            assertArrayEquals(c.tensor().shape(), got.shape());
            assertEquals(c.tensor().dtype(), got.dtype());
            assertFloatsIdentical(c.floats(), got.toFloatArray(), c.tensor().name());
            if (c.longs() != null) {
                assertArrayEquals(c.longs(), got.toLongArray(), c.tensor().name());
            } else {
                IllegalStateException e = assertThrows(IllegalStateException.class, got::toLongArray);
                assertTrue(e.getMessage().contains(c.tensor().name()), e.getMessage());
            }
            assertTrue(got.data().isReadOnly());
            assertEquals(ByteOrder.LITTLE_ENDIAN, got.data().order());
        }
    }

    @Test
    void headerIsPaddedToEightBytesAndLayoutIsAligned() throws IOException {
        for (int nameLength = 1; nameLength <= 9; nameLength++) {
            Path file = dir.resolve("pad" + nameLength + ".safetensors");
            String name = "x".repeat(nameLength);
            SafeTensors.write(file, List.of(TensorData.ofFloatsAs(name, DType.F16, new long[]{3}, new float[]{1, 2, 3}),
                    TensorData.ofLongs("z", new long[]{1}, new long[]{4})));
            byte[] bytes = Files.readAllBytes(file);
            long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            assertEquals(0, (8 + n) % 8, "header length " + n);
            String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
            assertTrue(header.startsWith("{") && header.stripTrailing().endsWith("}") && header.length() - header.stripTrailing().length() < 8,
                    header);
            Map<String, Object> parsed = Json.asObject(Json.parse(header), "header");
            // the 8-byte tensor comes first so that every tensor starts at a multiple of its element size
            assertEquals(List.of(0L, 8L), Json.requireList(Json.requireObject(parsed, "z"), "data_offsets"));
            assertEquals(List.of(8L, 14L), Json.requireList(Json.requireObject(parsed, name), "data_offsets"));
            assertEquals(8 + n + 14, bytes.length);
            assertArrayEquals(new float[]{1, 2, 3}, SafeTensors.read(file).get(name).toFloatArray());
        }
    }

    @Test
    void readsHeadersPaddedWithAnyNumberOfSpaces() throws IOException {
        for (int pad = 0; pad < 20; pad += 3) {
            String header = "{\"a\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}" + " ".repeat(pad);
            byte[] h = header.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = le(8 + h.length + 2).putLong(h.length).put(h).put((byte) -3).put((byte) 9);
            Path file = dir.resolve("spaces" + pad + ".safetensors");
            Files.write(file, b.array());
            assertArrayEquals(new long[]{-3, 9}, SafeTensors.read(file).get("a").toLongArray(), "pad " + pad);
        }
    }

    @Test
    void emptyTensorsScalarsAndEmptyFiles() throws IOException {
        Path file = dir.resolve("edge.safetensors");
        SafeTensors.write(file, List.of(
                TensorData.ofLongs("num_batches_tracked", new long[]{}, new long[]{42}),
                TensorData.ofFloats("empty", new long[]{0, 5}, new float[0]),
                TensorData.ofFloatsAs("empty16", DType.BF16, new long[]{3, 0}, new float[0]),
                TensorData.ofFloats("scalar", new long[]{}, new float[]{-2.5f})));
        SafeTensorsFile read = SafeTensors.read(file);
        TensorData counter = read.get("num_batches_tracked");
        assertEquals(0, counter.rank());
        assertEquals(1, counter.numel());
        assertArrayEquals(new long[]{42}, counter.toLongArray());
        assertArrayEquals(new float[]{-2.5f}, read.get("scalar").toFloatArray());
        assertEquals(0, read.get("empty").numel());
        assertArrayEquals(new long[]{0, 5}, read.get("empty").shape());
        assertArrayEquals(new int[]{3, 0}, read.get("empty16").intShape());
        assertEquals(0, read.get("empty16").toFloatArray().length);
        assertEquals(Map.of(), read.metadata());

        Path none = dir.resolve("none.safetensors");
        SafeTensors.write(none, List.of());
        assertEquals(0, SafeTensors.read(none).tensors().size());
        assertEquals(16, Files.size(none)); // 8-byte length + "{}" padded to 8
    }

    @Test
    void largeFilesAreMemoryMappedAndReadBackExactly() throws IOException {
        int n = (int) (SafeTensors.READ_FULLY_MAX_BYTES / 4) + 1013;
        float[] values = new float[n];
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < n; i++) values[i] = (float) rnd.nextGaussian();
        long[] small = {5, -6, 7};
        Path file = dir.resolve("big.safetensors");
        SafeTensors.write(file, List.of(TensorData.ofFloats("big", new long[]{n}, values),
                TensorData.ofLongs("small", new long[]{3}, small)), Map.of("k", "v"));
        assertTrue(Files.size(file) > SafeTensors.READ_FULLY_MAX_BYTES);
        SafeTensorsFile read = SafeTensors.read(file);
        assertTrue(read.get("big").data().isDirect(), "expected a mapped buffer");
        float[] got = read.get("big").toFloatArray();
        for (int i = 0; i < n; i++) {
            if (Float.floatToIntBits(got[i]) != Float.floatToIntBits(values[i]))
                throw new AssertionError("index " + i + ": want " + values[i] + " got " + got[i]);
        }
        assertArrayEquals(small, read.get("small").toLongArray());
        assertEquals(Map.of("k", "v"), read.metadata());
    }

    @Test
    void writeReplacesAnExistingFile() throws IOException {
        Path file = dir.resolve("replace.safetensors");
        SafeTensors.write(file, List.of(TensorData.ofFloats("a", new long[]{2}, new float[]{1, 2})));
        SafeTensors.write(file, List.of(TensorData.ofFloats("b", new long[]{1}, new float[]{3})));
        SafeTensorsFile read = SafeTensors.read(file);
        assertEquals(List.of("b"), new ArrayList<>(read.names()));
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList());
        }
    }

    @Test
    void missingTensorMessageNamesFileAndClosestNames() throws IOException {
        Path file = dir.resolve("names.safetensors");
        SafeTensors.write(file, List.of(TensorData.ofFloats("stem.0.weight", new long[]{1}, new float[]{1}),
                TensorData.ofFloats("stem.1.weight", new long[]{1}, new float[]{1}),
                TensorData.ofFloats("head.bias", new long[]{1}, new float[]{1})));
        SafeTensorsFile read = SafeTensors.read(file);
        assertTrue(read.contains("head.bias"));
        NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> read.get("stem.0.wieght"));
        assertTrue(e.getMessage().contains("names.safetensors") && e.getMessage().contains("'stem.0.wieght'")
                && e.getMessage().contains("closest of the 3 tensors: 'stem.0.weight'"), e.getMessage());
    }

    @Test
    void tensorDataValidatesItsArguments() {
        assertThrows(IllegalArgumentException.class, () -> TensorData.ofFloats("a", new long[]{2, 2}, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> TensorData.ofFloats("a", new long[]{-1}, new float[0]));
        assertThrows(IllegalArgumentException.class, () -> TensorData.ofFloats("", new long[]{1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> TensorData.ofFloatsAs("a", DType.I32, new long[]{1}, new float[1]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TensorData("w", DType.F32, new long[]{2, 3}, ByteBuffer.allocate(20)));
        assertEquals("tensor 'w': F32 shape [2, 3] needs 24 bytes but the buffer has 20", e.getMessage());
        long[] shape = {2};
        TensorData t = TensorData.ofLongs("c", shape, new long[]{1, 2});
        shape[0] = 9;
        t.shape()[0] = 9;
        assertArrayEquals(new long[]{2}, t.shape());
        t.data().position(8);
        assertEquals(16, t.data().remaining());
    }

    @Test
    void narrowingMatchesHandComputedBits() {
        float[] in = {1f, 65520f, 0x1p-25f, 0x1.8p-25f, 1f + 0x1p-8f};
        ByteBuffer f16 = TensorData.ofFloatsAs("h", DType.F16, new long[]{5}, in).data();
        int[] wantF16 = {0x3C00, 0x7C00, 0x0000, 0x0001, 0x3C04};
        ByteBuffer bf16 = TensorData.ofFloatsAs("b", DType.BF16, new long[]{5}, in).data();
        int[] wantBf16 = {0x3F80, 0x4780, 0x3300, 0x3340, 0x3F80};
        for (int i = 0; i < in.length; i++) {
            assertEquals(wantF16[i], f16.getShort(2 * i) & 0xFFFF, "f16 index " + i);
            assertEquals(Float.floatToFloat16(in[i]) & 0xFFFF, f16.getShort(2 * i) & 0xFFFF, "f16 vs JDK index " + i);
            assertEquals(wantBf16[i], bf16.getShort(2 * i) & 0xFFFF, "bf16 index " + i);
        }
    }
}
