package dev.strix.nn.io;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads a file written from PyTorch tensors (src/test/python/make_safetensors_fixture.py) and compares every
 * element with the values and bit patterns PyTorch reported, and redoes PyTorch's float32 narrowing to F16/BF16.
 */
class SafeTensorsTorchFixtureTest {
    private static final String DIR = "/fixtures/io/";

    private static Path resource(String name) throws URISyntaxException {
        var url = SafeTensorsTorchFixtureTest.class.getResource(DIR + name);
        assertNotNull(url, "missing test resource " + DIR + name);
        return Path.of(url.toURI());
    }

    private static Map<String, Object> expected() throws IOException {
        try (InputStream in = SafeTensorsTorchFixtureTest.class.getResourceAsStream(DIR + "torch_tensors.json")) {
            assertNotNull(in, "missing torch_tensors.json");
            return Json.asObject(Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)), "torch_tensors.json");
        }
    }

    /** Raw element bits of a tensor as unsigned values (8-byte elements signed, as in the JSON). */
    private static long[] rawBits(TensorData t) {
        ByteBuffer b = t.data();
        long[] out = new long[(int) t.numel()];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (t.dtype().bytes()) {
                case 1 -> b.get(i) & 0xFFL;
                case 2 -> b.getShort(2 * i) & 0xFFFFL;
                case 4 -> b.getInt(4 * i) & 0xFFFFFFFFL;
                default -> b.getLong(8 * i);
            };
        }
        return out;
    }

    @Test
    void matchesPyTorchElementByElement() throws Exception {
        Map<String, Object> expected = expected();
        SafeTensorsFile file = SafeTensors.read(resource("torch_tensors.safetensors"));
        assertEquals(Json.requireObject(expected, "metadata"), Map.copyOf(file.metadata()));
        Map<String, Object> tensors = Json.requireObject(expected, "tensors");
        assertEquals(tensors.keySet(), file.tensors().keySet());
        for (Map.Entry<String, Object> e : tensors.entrySet()) {
            String name = e.getKey();
            Map<String, Object> want = Json.asObject(e.getValue(), name);
            TensorData got = file.get(name);
            assertEquals(DType.fromName(Json.requireString(want, "dtype")), got.dtype(), name);
            assertArrayEquals(Json.toLongArray(Json.requireList(want, "shape"), name + ".shape"), got.shape(), name);
            long[] wantBits = Json.toLongArray(Json.requireList(want, "bits"), name + ".bits");
            long[] gotBits = rawBits(got);
            assertArrayEquals(wantBits, gotBits, name + " bits");
            if (got.dtype() == DType.I64) {
                assertArrayEquals(Json.toLongArray(Json.requireList(want, "values"), name), got.toLongArray(), name);
            } else {
                List<Object> values = Json.requireList(want, "values");
                float[] floats = got.toFloatArray();
                assertEquals(values.size(), floats.length, name);
                for (int i = 0; i < floats.length; i++) {
                    Object v = values.get(i);
                    if (v == null) {
                        assertTrue(Float.isInfinite(floats[i]) || Float.isNaN(floats[i]), name + "[" + i + "] = " + floats[i]);
                    } else {
                        // float elements are exact floats; integers widen exactly to double, and toFloatArray
                        // rounds them once, as the cast does
                        assertEquals((float) ((Number) v).doubleValue(), floats[i], 0.0f, name + "[" + i + "]");
                    }
                }
                if (!got.dtype().isFloatingPoint()) {
                    long[] longs = got.toLongArray();
                    for (int i = 0; i < longs.length; i++) {
                        assertEquals((long) ((Number) values.get(i)).doubleValue(), longs[i], name + "[" + i + "]");
                    }
                }
            }
            if (want.containsKey("source_f32_bits")) {
                long[] source = Json.toLongArray(Json.requireList(want, "source_f32_bits"), name + ".source_f32_bits");
                float[] src = new float[source.length];
                for (int i = 0; i < src.length; i++) src[i] = Float.intBitsToFloat((int) source[i]);
                long[] narrowed = rawBits(TensorData.ofFloatsAs(name, got.dtype(), got.shape(), src));
                for (int i = 0; i < src.length; i++) {
                    if (narrowed[i] != wantBits[i])
                        throw new AssertionError(name + " index " + i + ": " + src[i] + " narrowed to 0x"
                                + Long.toHexString(narrowed[i]) + ", PyTorch gives 0x" + Long.toHexString(wantBits[i]));
                }
            }
        }
        assertEquals(0, file.get("bn.num_batches_tracked").rank());
        assertArrayEquals(new long[]{123456789012L}, file.get("bn.num_batches_tracked").toLongArray());
    }
}
