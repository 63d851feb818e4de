package dev.strix.nn.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON header
 * (possibly padded with trailing spaces), then the data buffer holding every tensor's bytes back to back.
 *
 * <p>The header maps each tensor name to {@code {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}}
 * (offsets relative to the data buffer) and may hold {@code "__metadata__": {string: string}}. Reading validates
 * the whole header strictly and fails with a {@link SafeTensorsException} naming the file, the tensor and the problem.
 * Writing is atomic: the old file stays intact until the complete new one replaces it.
 */
public final class SafeTensors {
    /** Largest header accepted (and written), in bytes. */
    public static final long MAX_HEADER_BYTES = 100L << 20;
    /** Files up to this size are read into memory; larger ones are memory-mapped. */
    static final long READ_FULLY_MAX_BYTES = 1L << 20;

    private static final SecureRandom RANDOM = new SecureRandom();

    private SafeTensors() {
    }

    /**
     * Reads and validates a safetensors file.
     *
     * @throws SafeTensorsException when the file cannot be read or violates the format; the message names the file
     */
    public static SafeTensorsFile read(Path file) throws SafeTensorsException {
        String label = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8)
                throw new SafeTensorsException(label + ": file is " + size + " bytes, too short for the 8-byte header length");
            ByteBuffer prefix = readFully(ch, 0, 8).order(ByteOrder.LITTLE_ENDIAN);
            long headerLength = prefix.getLong(0);
            if (headerLength == 0) throw new SafeTensorsException(label + ": header length is 0");
            if (Long.compareUnsigned(headerLength, MAX_HEADER_BYTES) > 0)
                throw new SafeTensorsException(label + ": header length " + Long.toUnsignedString(headerLength)
                        + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
            if (headerLength > size - 8)
                throw new SafeTensorsException(label + ": header length " + headerLength + " runs past the end of the file ("
                        + size + " bytes)");
            String json = decodeUtf8(label, readFully(ch, 8, (int) headerLength));
            long dataStart = 8 + headerLength;
            long dataLength = size - dataStart;
            SafeTensorsHeader header = SafeTensorsHeader.parse(label, json, dataLength);
            return new SafeTensorsFile(file, slice(label, ch, header, dataStart, dataLength), header.metadata());
        } catch (SafeTensorsException e) {
            throw e;
        } catch (IOException e) {
            throw new SafeTensorsException(label + ": cannot read: " + e, e);
        }
    }

    /** Writes {@code tensors} with no metadata; see {@link #write(Path, Collection, Map)}. */
    public static void write(Path file, Collection<TensorData> tensors) throws SafeTensorsException {
        write(file, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} and {@code metadata} to {@code file} atomically: the bytes go to a temporary file in
     * the same directory, which is flushed to disk and then renamed over {@code file}. On failure the temporary file
     * is removed and an existing {@code file} is left untouched. Tensors are laid out by decreasing element size,
     * then by name, so every tensor starts at a multiple of its element size.
     *
     * @param metadata string pairs stored under {@code __metadata__}; may be empty
     * @throws IllegalArgumentException for duplicate or reserved tensor names or null metadata entries
     * @throws SafeTensorsException     when writing fails; the message names the file
     */
    public static void write(Path file, Collection<TensorData> tensors, Map<String, String> metadata)
            throws SafeTensorsException {
        String label = file.toString();
        List<TensorData> layout = layout(label, tensors);
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey() == null || e.getValue() == null)
                throw new IllegalArgumentException(label + ": metadata entries must be non-null strings, got "
                        + e.getKey() + " = " + e.getValue());
        }
        byte[] header = SafeTensorsHeader.encode(layout, metadata);
        if (header.length > MAX_HEADER_BYTES)
            throw new SafeTensorsException(label + ": header would be " + header.length + " bytes, over the limit of "
                    + MAX_HEADER_BYTES);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        boolean moved = false;
        try {
            tmp = createTemp(dir, file.getFileName().toString());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                writeLayout(label, ch, layout, header);
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } catch (SafeTensorsException e) {
            throw e;
        } catch (IOException e) {
            throw new SafeTensorsException(label + ": write failed: " + e, e);
        } finally {
            if (!moved && tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original error is more useful than the cleanup error
                }
            }
        }
        syncDirectory(dir);
    }

    /**
     * Writes the bytes of a safetensors file holding {@code tensors} and {@code metadata} to {@code out}, in the
     * layout of {@link #write(Path, Collection, Map)}; the caller owns the channel, its durability and any renaming.
     *
     * @param label names the destination in error messages
     * @throws IllegalArgumentException for duplicate or reserved tensor names or null metadata entries
     * @throws IOException              when {@code out} fails (its exception is passed on unchanged)
     */
    public static void write(String label, WritableByteChannel out, Collection<TensorData> tensors,
                             Map<String, String> metadata) throws IOException {
        List<TensorData> layout = layout(label, tensors);
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey() == null || e.getValue() == null)
                throw new IllegalArgumentException(label + ": metadata entries must be non-null strings, got "
                        + e.getKey() + " = " + e.getValue());
        }
        byte[] header = SafeTensorsHeader.encode(layout, metadata);
        if (header.length > MAX_HEADER_BYTES)
            throw new SafeTensorsException(label + ": header would be " + header.length + " bytes, over the limit of "
                    + MAX_HEADER_BYTES);
        writeLayout(label, out, layout, header);
    }

    private static void writeLayout(String label, WritableByteChannel ch, List<TensorData> layout, byte[] header)
            throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(header.length).put(header).flip();
        writeFully(ch, prefix);
        for (TensorData t : layout) {
            try {
                writeFully(ch, t.data());
            } catch (RuntimeException e) {
                throw new SafeTensorsException(label + ": tensor '" + t.name() + "': cannot read its data: " + e, e);
            }
        }
    }

    private static List<TensorData> layout(String label, Collection<TensorData> tensors) {
        Set<String> seen = new HashSet<>();
        for (TensorData t : tensors) {
            if (t.name().equals(SafeTensorsHeader.METADATA_KEY))
                throw new IllegalArgumentException(label + ": '" + SafeTensorsHeader.METADATA_KEY
                        + "' is reserved and cannot name a tensor");
            if (!seen.add(t.name())) throw new IllegalArgumentException(label + ": duplicate tensor name '" + t.name() + "'");
        }
        List<TensorData> layout = new ArrayList<>(tensors);
        layout.sort(Comparator.comparingInt((TensorData t) -> -t.dtype().bytes()).thenComparing(TensorData::name));
        return layout;
    }

    private static Map<String, TensorData> slice(String label, FileChannel ch, SafeTensorsHeader header, long dataStart,
                                                 long dataLength) throws IOException {
        Map<String, TensorData> out = new LinkedHashMap<>();
        ByteBuffer heap = null;
        MemorySegment mapped = null;
        if (dataStart + dataLength <= READ_FULLY_MAX_BYTES) {
            heap = readFully(ch, dataStart, (int) dataLength);
        } else {
            mapped = ch.map(FileChannel.MapMode.READ_ONLY, dataStart, dataLength, Arena.ofAuto());
        }
        for (SafeTensorsHeader.Entry e : header.entries()) {
            long length = e.end() - e.begin();
            if (length > Integer.MAX_VALUE)
                throw new SafeTensorsException(label + ": tensor '" + e.name() + "' is " + length
                        + " bytes, larger than the 2 GiB a single buffer can address");
            ByteBuffer bytes = heap != null ? heap.slice((int) e.begin(), (int) length)
                    : mapped.asSlice(e.begin(), length).asByteBuffer();
            out.put(e.name(), new TensorData(e.name(), e.dtype(), e.shape(), bytes));
        }
        return out;
    }

    private static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            int n = ch.read(b, position + b.position());
            if (n < 0) throw new IOException("unexpected end of file at byte " + (position + b.position()));
        }
        return b.flip();
    }

    private static String decodeUtf8(String label, ByteBuffer bytes) throws SafeTensorsException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsException(label + ": header is not valid UTF-8", e);
        }
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    private static Path createTemp(Path dir, String fileName) throws IOException {
        while (true) {
            byte[] r = new byte[8];
            RANDOM.nextBytes(r);
            Path tmp = dir.resolve("." + fileName + ".tmp-" + HexFormat.of().formatHex(r));
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException retry) {
                // another name
            }
        }
    }

    /** Flushes the directory entry of the rename; not all platforms allow opening a directory, so failure is ignored. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException ignored) {
            // best effort only: the data file itself is already durable
        }
    }
}
