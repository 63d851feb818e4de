package dev.strix.detection;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No source file of any module uses Java serialization (the JDK's object streams, {@code Serializable} classes, the
 * XML bean decoder): checkpoints and configs are safetensors and JSON, which cannot run code when read. Exceptions
 * are serializable through {@link Throwable}; that is allowed, as nothing ever reads one back.
 */
class NoJavaSerializationTest {
    /** Spelled in pieces so that this file does not match itself. */
    private static final List<String> FORBIDDEN = List.of("Object" + "InputStream", "Object" + "OutputStream",
            "implements " + "Serializable", "java.io." + "Serializable", "XML" + "Decoder", "read" + "Unshared",
            "Externali" + "zable");

    /** The reactor root: the nearest folder up from the working directory with a pom.xml and the nn module. */
    private static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("nn/src"))))
            p = p.getParent();
        assertTrue(p != null, "no reactor root above " + Path.of("").toAbsolutePath());
        return p;
    }

    @Test
    void noSourceUsesJavaSerialization() throws IOException {
        Path root = repositoryRoot();
        assertTrue(Files.isDirectory(root.resolve("nn/src/main/java")), "repository root found: " + root);
        List<Path> sources;
        try (Stream<Path> s = Files.walk(root)) {
            sources = s.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> f.toString().contains("/src/"))
                    .filter(f -> !f.toString().contains("/target/")).toList();
        }
        assertTrue(sources.size() > 100, "scanned " + sources.size() + " files");
        List<String> hits = new ArrayList<>();
        for (Path f : sources) {
            List<String> lines;
            try {
                lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(f + ": " + e.getMessage(), e);
            }
            for (int i = 0; i < lines.size(); i++)
                for (String word : FORBIDDEN)
                    if (lines.get(i).contains(word)) hits.add(root.relativize(f) + ":" + (i + 1) + ": " + word);
        }
        assertEquals(List.of(), hits, "Java serialization in the sources");
    }
}
