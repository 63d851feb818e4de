package dev.strix.nn.io;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Fuzzes {@link SafeTensors#read} (and {@link StateDicts#read} on what it accepts) with seeded mutations of valid
 * files holding every dtype: byte mutations anywhere, JSON mutations of the header re-framed with a correct length,
 * altered 8-byte header lengths and resized data buffers. Every file must load with consistent tensors or be refused
 * with a {@link SafeTensorsException} naming the file; never another exception, a hang or a large allocation (a
 * header claiming 10^12 elements is refused, not allocated).
 */
class SafeTensorsFuzzTest {
    private static final int ITERATIONS = Integer.getInteger("strix.fuzz.iterations", 2000);
    private static final long SEED = Long.getLong("strix.fuzz.seed", 0x5AFE_0001L);
    /** Files are at most a few hundred kilobytes; reading one must stay far below this. */
    private static final Mutator.Limits LIMITS = new Mutator.Limits(2_000_000_000L, 16L << 20);
    private static final long[] HEADER_LENGTHS = {0, 1, 7, 8, SafeTensors.MAX_HEADER_BYTES, SafeTensors.MAX_HEADER_BYTES + 1,
            Long.MAX_VALUE, -1, Integer.MAX_VALUE, 1L << 32, 1_000_000_000_000L};

    @TempDir
    Path dir;

    /** Tensors of every dtype, including a scalar and an empty tensor, with little arbitrary payloads. */
    static List<TensorData> sampleTensors(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<TensorData> out = new ArrayList<>();
        Object[][] specs = {
                {"backbone.stem.0.weight", DType.F32, new long[] {2, 3}},
                {"head.half", DType.F16, new long[] {4}},
                {"head.bhalf", DType.BF16, new long[] {3, 1}},
                {"stats.double", DType.F64, new long[] {2}},
                {"bn.num_batches_tracked", DType.I64, new long[] {}},
                {"ids32", DType.I32, new long[] {3}},
                {"ids16", DType.I16, new long[] {2}},
                {"ids8", DType.I8, new long[] {5}},
                {"pixels", DType.U8, new long[] {3}},
                {"mask", DType.BOOL, new long[] {2, 2}},
                {"empty", DType.F32, new long[] {0, 2}},
        };
        for (Object[] s : specs) {
            DType dtype = (DType) s[1];
            long[] shape = (long[]) s[2];
            long numel = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            byte[] bytes = new byte[(int) (numel * dtype.bytes())];
            r.nextBytes(bytes);
            if (dtype == DType.BOOL) for (int i = 0; i < bytes.length; i++) bytes[i] &= 1;
            out.add(new TensorData((String) s[0], dtype, shape, ByteBuffer.wrap(bytes)));
        }
        return out;
    }

    private List<byte[]> corpus() throws IOException {
        List<byte[]> corpus = new ArrayList<>();
        Path a = dir.resolve("a.safetensors");
        SafeTensors.write(a, sampleTensors(1), Map.of("epoch", "3", "format", "pt"));
        corpus.add(Files.readAllBytes(a));
        List<TensorData> few = new ArrayList<>(sampleTensors(2).subList(0, 4));
        few.add(sampleTensors(2).getLast()); // the empty tensor
        SafeTensors.write(a, few, Map.of());
        corpus.add(Files.readAllBytes(a));
        return corpus;
    }

    @Test
    @Timeout(60)
    void mutatedFilesLoadOrFailCleanly() throws IOException {
        List<byte[]> corpus = corpus();
        Path file = dir.resolve("fuzz.safetensors");
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < ITERATIONS; i++) {
                long caseSeed = SEED * 1_000_003L + i;
                Mutator m = new Mutator(caseSeed);
                byte[] base = corpus.get(m.random().nextInt(corpus.size()));
                byte[] input = switch (m.random().nextInt(6)) {
                    case 0 -> m.mutateBytes(base, corpus);
                    case 1 -> mutateHeaderJson(m, base);
                    case 2 -> changeHeaderLength(m, base);
                    case 3 -> replaceShape(m, base);
                    case 4 -> randomizeData(m, base);
                    default -> resizeData(m, base);
                };
                Files.write(file, input);
                String description = "safetensors seed " + caseSeed + " iteration " + i + " " + m.log();
                boolean accepted = Mutator.runCase(description, input, file.toString(), LIMITS, () -> checkLoads(file),
                        SafeTensorsException.class);
                outcomes[accepted ? 0 : 1]++;
            }
        });
        Mutator.assertBothOutcomes("SafeTensors.read", outcomes[0], outcomes[1]);
    }

    @Test
    @Timeout(10)
    void headersClaimingHugeTensorsAreRefusedWithoutAllocating() throws IOException {
        Path file = dir.resolve("huge.safetensors");
        for (String shape : List.of("[1000000, 1000000]", "[1000000000000]", "[4294967296, 4294967296, 4294967296]",
                "[9223372036854775807]")) {
            String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0,4000000000000]}}";
            byte[] input = frame(header.getBytes(StandardCharsets.UTF_8), new byte[16]);
            Files.write(file, input);
            boolean accepted = Mutator.runCase("shape " + shape, input, file.toString(), LIMITS, () -> SafeTensors.read(file),
                    SafeTensorsException.class);
            assertEquals(false, accepted, shape);
        }
    }

    /** Reads the file and checks that every tensor's bytes, shape and conversions agree. */
    private static void checkLoads(Path file) throws IOException {
        SafeTensorsFile f = SafeTensors.read(file);
        for (TensorData t : f.tensors().values()) {
            assertEquals(t.numel() * t.dtype().bytes(), t.data().remaining(), t.name() + ": byte count");
            assertEquals(t.numel(), t.toFloatArray().length, t.name() + ": float count");
            if (!t.dtype().isFloatingPoint()) assertEquals(t.numel(), t.toLongArray().length, t.name() + ": long count");
        }
        assertEquals(f.names(), StateDicts.read(file).keySet(), "StateDicts.read reads the same tensors");
    }

    /** The header JSON mutated, then framed again with its true length so that validation sees it. */
    private static byte[] mutateHeaderJson(Mutator m, byte[] file) {
        int headerLength = (int) ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String header = new String(file, 8, headerLength, StandardCharsets.UTF_8);
        byte[] mutated = m.mutateJson(header).getBytes(StandardCharsets.UTF_8);
        return frame(mutated, Arrays.copyOfRange(file, 8 + headerLength, file.length));
    }

    /**
     * One entry's shape replaced by an awkward one (zero elements with dimensions beyond int, trillions of elements,
     * high rank, negative), preferring the zero-byte tensor, whose offsets stay consistent with a zero-element shape.
     */
    @SuppressWarnings("unchecked")
    private static byte[] replaceShape(Mutator m, byte[] file) {
        int headerLength = (int) ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        Map<String, Object> header = (Map<String, Object>) Json.parse(new String(file, 8, headerLength, StandardCharsets.UTF_8));
        List<String> names = header.keySet().stream().filter(n -> !n.equals("__metadata__")).toList();
        String name = m.random().nextBoolean() && header.containsKey("empty") ? "empty"
                : names.get(m.random().nextInt(names.size()));
        List<Object> shape = switch (m.random().nextInt(8)) {
            case 0 -> List.of(0L, 4294967296L);
            case 1 -> List.of(2L, 2147483647L, 0L);
            case 2 -> List.of(0L, Long.MAX_VALUE, Long.MAX_VALUE);
            case 3 -> List.of(1_000_000L, 1_000_000L);
            case 4 -> java.util.Collections.nCopies(1000, 1L);
            case 5 -> List.of(-1L, 0L);
            case 6 -> List.of(2147483648L);
            default -> List.of();
        };
        ((Map<String, Object>) header.get(name)).put("shape", shape);
        m.note("shape of '" + name + "' -> " + (shape.size() > 8 ? shape.size() + " ones" : shape));
        return frame(Json.write(header).getBytes(StandardCharsets.UTF_8), Arrays.copyOfRange(file, 8 + headerLength, file.length));
    }

    /** The 8-byte header length replaced by an edge value or shifted by a few bytes. */
    private static byte[] changeHeaderLength(Mutator m, byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file.clone()).order(ByteOrder.LITTLE_ENDIAN);
        long old = b.getLong(0);
        long length = m.random().nextBoolean() ? HEADER_LENGTHS[m.random().nextInt(HEADER_LENGTHS.length)]
                : m.random().nextBoolean() ? old + m.random().nextInt(-9, 10) : file.length - 8 + m.random().nextInt(-2, 3);
        m.note("header length " + old + " -> " + Long.toUnsignedString(length));
        b.putLong(0, length);
        return b.array();
    }

    /** Random tensor bytes (NaN and infinity patterns, subnormals, BOOL bytes other than 0 and 1): still a valid file. */
    private static byte[] randomizeData(Mutator m, byte[] file) {
        int dataStart = 8 + (int) ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        byte[] out = file.clone();
        for (int i = dataStart; i < out.length; i++) if (m.random().nextInt(3) == 0) out[i] = (byte) m.random().nextInt(256);
        m.note("randomize data bytes after " + dataStart);
        return out;
    }

    /** Bytes appended to or removed from the end of the data buffer. */
    private static byte[] resizeData(Mutator m, byte[] file) {
        int delta = m.random().nextInt(-16, 17);
        m.note("resize data by " + delta + " bytes");
        return Arrays.copyOf(file, Math.max(0, file.length + delta));
    }

    private static byte[] frame(byte[] header, byte[] data) {
        return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).put(data).array();
    }
}
