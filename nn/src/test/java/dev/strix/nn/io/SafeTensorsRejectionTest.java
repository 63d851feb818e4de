package dev.strix.nn.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every validation rule of {@link SafeTensors#read}: each malformed file fails with a message naming file and problem. */
class SafeTensorsRejectionTest {
    @TempDir
    Path dir;

    private Path rawFile(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    /** A file whose 8-byte prefix gives the header's exact length, followed by {@code dataBytes} bytes. */
    private Path withHeader(String name, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return rawFile(name, b.array());
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    private static void assertRejected(Path file, String... fragments) {
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(file));
        String message = e.getMessage();
        assertTrue(message.contains(file.getFileName().toString()), () -> "message does not name the file: " + message);
        for (String f : fragments) {
            assertTrue(message.contains(f), () -> "message '" + message + "' should contain '" + f + "'");
        }
    }

    @Test
    void truncatedFile() throws IOException {
        assertRejected(rawFile("short.safetensors", new byte[5]), "file is 5 bytes, too short");
        assertRejected(rawFile("empty.safetensors", new byte[0]), "file is 0 bytes");
    }

    @Test
    void headerLengthZeroTooLargeOrBeyondTheFile() throws IOException {
        assertRejected(rawFile("zero.safetensors", new byte[16]), "header length is 0");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(SafeTensors.MAX_HEADER_BYTES + 1);
        assertRejected(rawFile("huge.safetensors", b.array()), "header length 104857601 exceeds the limit of 104857600");
        b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L);
        assertRejected(rawFile("unsigned.safetensors", b.array()), "header length 18446744073709551615 exceeds the limit");
        b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
        assertRejected(rawFile("past.safetensors", b.array()), "header length 1000 runs past the end of the file (40 bytes)");
    }

    @Test
    void headerMustBeUtf8JsonObject() throws IOException {
        assertRejected(withHeader("json.safetensors", "{\"a\": {", 0), "header is not valid JSON", "JSON error at offset 7");
        assertRejected(withHeader("dupkey.safetensors", "{" + entry("a", "U8", "[1]", 0, 1) + ","
                + entry("a", "U8", "[1]", 1, 2) + "}", 2), "duplicate key 'a'");
        assertRejected(withHeader("array.safetensors", "[1, 2]", 0), "header must be a JSON object but is array");
        byte[] bad = {'{', '"', (byte) 0xC3, '"', ':', '1', '}', ' '};
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(8).put(bad);
        assertRejected(rawFile("utf8.safetensors", b.array()), "header is not valid UTF-8");
    }

    @Test
    void entryKeysAndTypes() throws IOException {
        assertRejected(withHeader("notobj.safetensors", "{\"w\": [1]}", 0), "tensor 'w'", "expected an object");
        assertRejected(withHeader("missing.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4),
                "tensor 'w'", "missing 'data_offsets'");
        assertRejected(withHeader("extra.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"stride\":[1]}}", 4),
                "tensor 'w'", "unexpected key 'stride'");
        assertRejected(withHeader("dtypetype.safetensors", "{" + entry("w", "F32", "[1]", 0, 4).replace("\"F32\"", "32") + "}", 4),
                "tensor 'w'", "dtype must be a string but is integer 32");
        assertRejected(withHeader("unknown.safetensors", "{" + entry("w", "F8_E4M3", "[1]", 0, 1) + "}", 1),
                "tensor 'w'", "unknown dtype 'F8_E4M3'");
        assertRejected(withHeader("shapetype.safetensors", "{" + entry("w", "F32", "3", 0, 12) + "}", 12),
                "tensor 'w'", "shape must be an array of integers but is integer 3");
        assertRejected(withHeader("shapefloat.safetensors", "{" + entry("w", "F32", "[1.5]", 0, 4) + "}", 4),
                "tensor 'w'", "shape[0] must be an integer but is number 1.5");
        assertRejected(withHeader("negative.safetensors", "{" + entry("w", "F32", "[2, -1]", 0, 0) + "}", 0),
                "tensor 'w'", "shape[1] is negative (-1)");
        assertRejected(withHeader("overflow.safetensors", "{" + entry("w", "F32", "[4294967296, 4294967296]", 0, 0) + "}", 0),
                "tensor 'w'", "too many elements");
        assertRejected(withHeader("threeoffsets.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4),
                "tensor 'w'", "data_offsets must be [begin, end] but has 3 entries");
        assertRejected(withHeader("negoffset.safetensors", "{" + entry("w", "F32", "[1]", -4, 0) + "}", 4),
                "tensor 'w'", "data_offsets[0] is negative");
        assertRejected(withHeader("reversed.safetensors", "{" + entry("w", "U8", "[0]", 4, 0) + "}", 4),
                "tensor 'w'", "data_offsets [4, 0] has begin > end");
    }

    @Test
    void offsetsMustMatchTheShape() throws IOException {
        assertRejected(withHeader("model.safetensors", "{" + entry("stem.0.weight", "F32", "[16, 3, 3, 3]", 0, 400) + "}", 400),
                "tensor 'stem.0.weight': data_offsets [0, 400] give 400 bytes but F32 shape [16, 3, 3, 3] needs 1728");
    }

    @Test
    void rangesMustTileTheDataBufferExactly() throws IOException {
        assertRejected(withHeader("overlap.safetensors", "{" + entry("a", "F32", "[2]", 0, 8) + ","
                + entry("b", "F32", "[2]", 4, 12) + "}", 12), "tensor 'b' data_offsets [4, 12] overlap tensor 'a' [0, 8]");
        assertRejected(withHeader("inside.safetensors", "{" + entry("a", "F32", "[2]", 0, 8) + ","
                + entry("e", "F32", "[0]", 4, 4) + "}", 8), "tensor 'e'", "overlap tensor 'a'");
        assertRejected(withHeader("gap.safetensors", "{" + entry("a", "F32", "[2]", 0, 8) + ","
                + entry("b", "F32", "[2]", 12, 20) + "}", 20), "gap of 4 bytes", "between tensor 'a' [0, 8] and tensor 'b' [12, 20]");
        assertRejected(withHeader("lead.safetensors", "{" + entry("a", "F32", "[2]", 4, 12) + "}", 12),
                "gap of 4 bytes", "before the first tensor 'a'");
        assertRejected(withHeader("range.safetensors", "{" + entry("a", "F32", "[2]", 0, 8) + "}", 4),
                "tensor 'a'", "data_offsets [0, 8] reach beyond the end of the 4-byte data buffer");
        assertRejected(withHeader("trailing.safetensors", "{" + entry("a", "F32", "[2]", 0, 8) + "}", 12),
                "4 trailing bytes after the last tensor 'a' [0, 8]");
        assertRejected(withHeader("nothing.safetensors", "{}", 3), "3 trailing bytes");
    }

    @Test
    void metadataMustMapStringsToStrings() throws IOException {
        assertRejected(withHeader("metaint.safetensors", "{\"__metadata__\":{\"epoch\":5}}", 0),
                "__metadata__ must map strings to strings, but key 'epoch' has integer 5");
        assertRejected(withHeader("metalist.safetensors", "{\"__metadata__\":[\"a\"]}", 0),
                "__metadata__ must be an object mapping strings to strings but is array");
        assertRejected(withHeader("metanull.safetensors", "{\"__metadata__\":{\"k\":null}}", 0),
                "key 'k' has null");
    }

    @Test
    void missingFileIsReportedWithItsName() {
        assertRejected(dir.resolve("absent.safetensors"), "cannot read");
    }
}
