package dev.strix.nn.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A failed write leaves the previous file byte-identical and no temporary file behind. */
class SafeTensorsAtomicWriteTest {
    @TempDir
    Path dir;

    private List<Path> listing() throws IOException {
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private Path oldFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, List.of(TensorData.ofFloats("old", new long[]{3}, new float[]{1, 2, 3})),
                Map.of("version", "1"));
        return file;
    }

    @Test
    void failureWhileWritingTensorDataKeepsTheOldFile() throws IOException {
        Path file = oldFile();
        byte[] before = Files.readAllBytes(file);
        float[] big = new float[100_000];
        for (int i = 0; i < big.length; i++) big[i] = i;
        TensorData good = TensorData.ofFloats("a.good", new long[]{big.length}, big);
        TensorData broken;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(64);
            broken = new TensorData("b.broken", DType.F32, new long[]{16}, segment.asByteBuffer());
        } // the segment is freed: reading the buffer now throws
        SafeTensorsException e = assertThrows(SafeTensorsException.class,
                () -> SafeTensors.write(file, List.of(broken, good), Map.of("version", "2")));
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("tensor 'b.broken'"),
                e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(file), listing());
        assertEquals(Map.of("version", "1"), SafeTensors.read(file).metadata());
    }

    @Test
    void failureAtTheRenameRemovesTheTemporaryFile() throws IOException {
        Path target = dir.resolve("occupied.safetensors");
        Files.createDirectory(target);
        Files.writeString(target.resolve("keep.txt"), "x");
        SafeTensorsException e = assertThrows(SafeTensorsException.class,
                () -> SafeTensors.write(target, List.of(TensorData.ofFloats("w", new long[]{1}, new float[]{1}))));
        assertTrue(e.getMessage().contains("occupied.safetensors") && e.getMessage().contains("write failed"), e.getMessage());
        assertEquals(List.of(target), listing());
        assertEquals("x", Files.readString(target.resolve("keep.txt")));
    }

    @Test
    void missingDirectoryFailsWithTheFileName() {
        Path file = dir.resolve("no-such-dir").resolve("m.safetensors");
        SafeTensorsException e = assertThrows(SafeTensorsException.class,
                () -> SafeTensors.write(file, List.of(TensorData.ofFloats("w", new long[]{1}, new float[]{1}))));
        assertTrue(e.getMessage().contains("m.safetensors"), e.getMessage());
    }

    @Test
    void invalidArgumentsAreRejectedBeforeTouchingTheDisk() throws IOException {
        Path file = oldFile();
        byte[] before = Files.readAllBytes(file);
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, List.of(
                TensorData.ofFloats("w", new long[]{1}, new float[]{1}), TensorData.ofLongs("w", new long[]{1}, new long[]{1}))));
        assertTrue(dup.getMessage().contains("duplicate tensor name 'w'") && dup.getMessage().contains("model.safetensors"),
                dup.getMessage());
        IllegalArgumentException reserved = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file,
                List.of(TensorData.ofFloats("__metadata__", new long[]{1}, new float[]{1}))));
        assertTrue(reserved.getMessage().contains("reserved"), reserved.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(file), listing());
    }
}
