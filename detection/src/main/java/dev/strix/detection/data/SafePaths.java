package dev.strix.detection.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves names taken from dataset files (ids, file names) so that they can never leave the dataset folder. */
public final class SafePaths {
    private SafePaths() {
    }

    /**
     * {@code base/name}, refused when the result (lexically, and through symbolic links when it exists) lies outside
     * {@code root}.
     *
     * @param what names the source of {@code name} for the message, e.g. {@code "ImageSets/Main/train.txt line 3"}
     */
    public static Path resolveInside(Path root, Path base, String name, String what) {
        if (name.isEmpty() || name.indexOf('\0') >= 0)
            throw new DatasetException(what + ": invalid file name '" + printable(name) + "'");
        Path rootAbs = root.toAbsolutePath().normalize();
        Path resolved;
        try {
            resolved = base.toAbsolutePath().resolve(name).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new DatasetException(what + ": invalid file name '" + printable(name) + "': " + e.getReason());
        }
        if (!resolved.startsWith(rootAbs) || Path.of(name).isAbsolute())
            throw new DatasetException(what + ": '" + printable(name) + "' resolves to " + resolved
                    + ", outside the dataset root " + rootAbs);
        if (Files.exists(resolved)) {
            try {
                Path real = resolved.toRealPath();
                if (!real.startsWith(rootAbs.toRealPath()))
                    throw new DatasetException(what + ": '" + printable(name) + "' links to " + real
                            + ", outside the dataset root " + rootAbs);
            } catch (IOException e) {
                throw new DatasetException(what + ": cannot resolve " + resolved + ": " + e.getMessage(), e);
            }
        }
        return resolved;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        return b.length() > 200 ? b.substring(0, 200) + "..." : b.toString();
    }
}
