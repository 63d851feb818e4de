package dev.strix.cuda;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of a file system that library discovery looks at, so that discovery can run against a
 * fake folder tree in tests. {@link #system()} is the real one; {@link #rootedAt(Path)} maps every
 * absolute path ({@code /usr/lib/...}) to the same path under a test folder.
 */
public interface FileView {
    /**
     * @param absolutePath an absolute path as written in settings or in the list of usual folders
     * @return the path to look at
     */
    Path resolve(String absolutePath);

    /** @return true when {@code path} is a directory (following links) */
    default boolean isDirectory(Path path) {
        return Files.isDirectory(path);
    }

    /** @return true when {@code path} is a regular file (following links) */
    default boolean isRegularFile(Path path) {
        return Files.isRegularFile(path);
    }

    /** @return the names of the sub-folders of {@code dir} (following links); empty when unreadable */
    default List<String> childDirectoryNames(Path dir) {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                if (Files.isDirectory(child)) {
                    names.add(child.getFileName().toString());
                }
            }
        } catch (IOException | SecurityException e) {
            return names;
        }
        return names;
    }

    /** @return {@code path} with links resolved, or {@code path} itself when that fails */
    default Path realPath(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException | SecurityException e) {
            return path;
        }
    }

    /** @return the machine's own file system */
    static FileView system() {
        return Path::of;
    }

    /**
     * @param root the folder that plays the part of {@code /}
     * @return a view in which {@code /a/b} is {@code root/a/b}
     */
    static FileView rootedAt(Path root) {
        Path base = root.toAbsolutePath().normalize();
        return absolutePath -> {
            String relative = absolutePath;
            while (relative.startsWith("/")) {
                relative = relative.substring(1);
            }
            return relative.isEmpty() ? base : base.resolve(relative).normalize();
        };
    }
}
