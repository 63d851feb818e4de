package dev.strix.nn.testing;

import dev.strix.nn.Tensor;
import dev.strix.nn.io.HalfPrecision;
import dev.strix.nn.io.Json;
import dev.strix.nn.ops.MathOps;
import dev.strix.nn.ops.ReduceOps;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Loads the PyTorch reference fixtures under {@code nn/src/test/resources/fixtures/} (written by
 * {@code nn/src/test/python/make_fixtures.py}; see its README for the tensor names).
 *
 * <p>The reader here parses the safetensors layout itself (8-byte header length, JSON header, data) with only
 * {@link Json}, so that fixtures stay usable independently of the production reader, which they also help test.
 *
 * <pre>{@code
 * Fixtures.Fixture f = Fixtures.load("layers/conv2d_1x1_bias");   // no ".safetensors" suffix
 * Tensor x = f.tensor("input").requiresGrad(true);                // fresh float32 CPU copy
 * int stride = f.metaInt("stride");
 * Tensor loss = f.upstreamLoss(y);                                // sum(y * grad_output), records history
 * Path p = Fixtures.path("detnet/detnet_small.weights");          // the file itself
 * List<String> cases = Fixtures.cases("layers");                  // sorted case names of a group
 * }</pre>
 *
 * <p>Floating-point tensors (F32, F64, F16, BF16) come back as float32 tensors; integer and BOOL tensors as
 * int64 CPU tensors ({@link Fixture#longs}).
 */
public final class Fixtures {
    /** Resource folder holding the fixture groups. */
    public static final String ROOT = "/fixtures/";

    private Fixtures() {}

    /** One fixture file: tensors by name (header order) and the {@code __metadata__} strings. */
    public record Fixture(String name, Map<String, Tensor> tensors, Map<String, String> metadata) {
        /** True when the file holds tensor {@code key}. */
        public boolean has(String key) {
            return tensors.containsKey(key);
        }

        /** Tensor names in file order. */
        public List<String> names() {
            return new ArrayList<>(tensors.keySet());
        }

        /** A fresh float32 CPU copy of tensor {@code key} (safe to mark as requiring grad or to modify). */
        public Tensor tensor(String key) {
            Tensor t = raw(key);
            if (t.dtype() != dev.strix.nn.io.DType.F32) fail(name + ": tensor '" + key + "' is " + t.dtype() + ", not float");
            return Tensor.of(t.toArray(), t.shape());
        }

        /** The float values of tensor {@code key} (a copy). */
        public float[] floats(String key) {
            return tensor(key).toArray();
        }

        /** The int64 values of an integer tensor {@code key} (a copy). */
        public long[] longs(String key) {
            Tensor t = raw(key);
            if (t.dtype() != dev.strix.nn.io.DType.I64) fail(name + ": tensor '" + key + "' is " + t.dtype() + ", not integer");
            return t.longs().clone();
        }

        /** Shape of tensor {@code key}. */
        public int[] shape(String key) {
            return raw(key).shape();
        }

        /** Metadata value {@code key}; fails the test when it is absent. */
        public String meta(String key) {
            String v = metadata.get(key);
            if (v == null) fail(name + ": no metadata '" + key + "' (have " + metadata.keySet() + ")");
            return v;
        }

        /** Metadata value {@code key}, or {@code fallback} when absent. */
        public String meta(String key, String fallback) {
            return metadata.getOrDefault(key, fallback);
        }

        public int metaInt(String key) {
            return Integer.parseInt(meta(key).trim());
        }

        public float metaFloat(String key) {
            return Float.parseFloat(meta(key).trim());
        }

        /** Parses "true"/"false" (also "True"/"False", "1"/"0"). */
        public boolean metaBool(String key) {
            String v = meta(key).trim().toLowerCase(java.util.Locale.ROOT);
            return v.equals("true") || v.equals("1");
        }

        /** {@code sum(output * grad_output)}, recording history, so that its backward matches the fixture's. */
        public Tensor upstreamLoss(Tensor output) {
            return ReduceOps.sum(MathOps.mul(output, tensor("grad_output")));
        }

        private Tensor raw(String key) {
            Tensor t = tensors.get(key);
            if (t == null) fail(name + ": no tensor '" + key + "' (have " + tensors.keySet() + ")");
            return t;
        }
    }

    /** True when fixture {@code name} (e.g. {@code "layers/relu"}) exists. */
    public static boolean exists(String name) {
        return Fixtures.class.getResource(ROOT + name + ".safetensors") != null;
    }

    /** The file of fixture {@code name}; fails the test when it is missing. */
    public static Path path(String name) {
        URL url = Fixtures.class.getResource(ROOT + name + ".safetensors");
        if (url == null) fail("missing fixture " + ROOT + name + ".safetensors (generate it with "
                + "nn/src/test/python/make_fixtures.py)");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new AssertionError("fixture " + name + " is not a plain file: " + url, e);
        }
    }

    /** Sorted case names (without suffix) of group {@code group}, e.g. {@code cases("layers")}. */
    public static List<String> cases(String group) {
        URL url = Fixtures.class.getResource(ROOT + group);
        if (url == null) return List.of();
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".safetensors"))
                    .map(n -> n.substring(0, n.length() - ".safetensors".length())).sorted().toList();
        } catch (IOException | URISyntaxException e) {
            throw new AssertionError("cannot list fixtures of " + group, e);
        }
    }

    /** Reads fixture {@code name}, e.g. {@code "layers/conv2d_1x1_bias"}. */
    public static Fixture load(String name) {
        try {
            return read(name, Files.readAllBytes(path(name)));
        } catch (IOException e) {
            throw new AssertionError("cannot read fixture " + name, e);
        }
    }

    /** Reads any safetensors file with this independent reader. */
    public static Fixture read(Path file) throws IOException {
        return read(file.getFileName().toString(), Files.readAllBytes(file));
    }

    @SuppressWarnings("unchecked")
    private static Fixture read(String name, byte[] raw) {
        ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = Math.toIntExact(buf.getLong(0));
        Map<String, Object> header = (Map<String, Object>) Json.parse(
                new String(raw, 8, headerLength, StandardCharsets.UTF_8));
        int base = 8 + headerLength;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : header.entrySet()) {
            Map<String, Object> info = (Map<String, Object>) e.getValue();
            if (e.getKey().equals("__metadata__")) {
                info.forEach((k, v) -> meta.put(k, String.valueOf(v)));
                continue;
            }
            List<Object> dims = (List<Object>) info.get("shape");
            int[] shape = new int[dims.size()];
            int n = 1;
            for (int i = 0; i < shape.length; i++) n *= shape[i] = ((Number) dims.get(i)).intValue();
            int at = base + ((Number) ((List<Object>) info.get("data_offsets")).get(0)).intValue();
            tensors.put(e.getKey(), decode(name + " '" + e.getKey() + "'", (String) info.get("dtype"), buf, at, n, shape));
        }
        return new Fixture(name, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(meta));
    }

    private static Tensor decode(String what, String dtype, ByteBuffer b, int at, int n, int[] shape) {
        float[] f = new float[n];
        long[] l = new long[n];
        switch (dtype) {
            case "F32" -> { for (int i = 0; i < n; i++) f[i] = b.getFloat(at + 4 * i); }
            case "F64" -> { for (int i = 0; i < n; i++) f[i] = (float) b.getDouble(at + 8 * i); }
            case "F16" -> { for (int i = 0; i < n; i++) f[i] = HalfPrecision.f16ToFloat(b.getShort(at + 2 * i)); }
            case "BF16" -> { for (int i = 0; i < n; i++) f[i] = HalfPrecision.bf16ToFloat(b.getShort(at + 2 * i)); }
            case "I64" -> { for (int i = 0; i < n; i++) l[i] = b.getLong(at + 8 * i); }
            case "I32" -> { for (int i = 0; i < n; i++) l[i] = b.getInt(at + 4 * i); }
            case "I16" -> { for (int i = 0; i < n; i++) l[i] = b.getShort(at + 2 * i); }
            case "I8" -> { for (int i = 0; i < n; i++) l[i] = b.get(at + i); }
            case "U8", "BOOL" -> { for (int i = 0; i < n; i++) l[i] = b.get(at + i) & 0xFF; }
            default -> throw new AssertionError(what + ": unsupported dtype " + dtype + " in " + Arrays.toString(shape));
        }
        return dtype.startsWith("F") || dtype.equals("BF16") ? Tensor.of(f, shape) : Tensor.ofLongs(l, shape);
    }
}
