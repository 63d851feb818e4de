package dev.strix.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading with a recording opener: order, companions, and the failure report. */
class LibraryLoaderTest {
    @TempDir
    Path root;

    /** Opens only the files in {@code good}; records every attempt. */
    static final class RecordingOpener implements LibraryLoader.Opener {
        final List<String> opened = new ArrayList<>();
        final List<Path> good;

        RecordingOpener(List<Path> good) {
            this.good = good;
        }

        @Override
        public SymbolLookup openFile(Path file) {
            opened.add(file.getFileName().toString());
            if (good.contains(file)) {
                return name -> Optional.<MemorySegment>empty();
            }
            throw new IllegalArgumentException("Cannot open library: " + file);
        }

        @Override
        public SymbolLookup openName(String name) {
            opened.add("loader:" + name);
            throw new IllegalArgumentException("Cannot open library: " + name);
        }
    }

    private Path touch(FileView files, String absolute) throws IOException {
        Path file = files.resolve(absolute);
        Files.createDirectories(file.getParent());
        return Files.createFile(file);
    }

    /** A file that starts like an ELF object, so the loader hands it to the (fake) opener. */
    private Path elf(FileView files, String absolute) throws IOException {
        Path file = touch(files, absolute);
        Files.write(file, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        return file;
    }

    @Test
    void companionIsLoadedBeforeCublasFromTheSameFolder() throws IOException {
        FileView files = FileView.rootedAt(root);
        Path cublas = elf(files, "/usr/local/cuda-13.0/targets/x86_64-linux/lib/libcublas.so.13");
        Path lt = elf(files, "/usr/local/cuda-13.0/targets/x86_64-linux/lib/libcublasLt.so.13");
        elf(files, "/usr/local/cuda-13.0/targets/x86_64-linux/lib/libcublasLt.so.12");
        RecordingOpener opener = new RecordingOpener(List.of(cublas, lt));
        LoadedLibrary loaded = LibraryLoader.load(CudaLibrary.CUBLAS, Map.of(), Map.of(), files, opener);
        assertEquals(cublas.toString(), loaded.origin());
        assertEquals(List.of("loader:libcublas.so.13", "loader:libcublas.so.12", "libcublasLt.so.13", "libcublas.so.13"),
                opener.opened, "the loader is asked first; then Lt of the same version, then cuBLAS itself");
        assertTrue(loaded.notes().stream().anyMatch(n -> n.startsWith("loaded companion")), loaded.notes().toString());
    }

    @Test
    void failureListsEveryPlaceAndWhy() throws IOException {
        FileView files = FileView.rootedAt(root);
        touch(files, "/usr/local/cuda-13.0/targets/x86_64-linux/lib/stubs/libcuda.so");
        touch(files, "/usr/local/nvidia/lib64/libcuda.so.1");
        Files.createDirectories(files.resolve("/usr/lib/x86_64-linux-gnu"));
        RecordingOpener opener = new RecordingOpener(List.of());
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", "/usr/local/cuda-13.0/targets/x86_64-linux/lib/stubs");
        LibraryLoadException e = assertThrows(LibraryLoadException.class,
                () -> LibraryLoader.load(CudaLibrary.DRIVER, Map.of(), env, files, opener));
        String message = e.getMessage();
        assertTrue(message.startsWith("Cannot load libcuda.so.1 (looked for libcuda.so.1, libcuda.so)."), message);
        assertTrue(message.contains("stubs/libcuda.so (LD_LIBRARY_PATH): skipped, a link-time stub"), message);
        assertTrue(message.contains("libcuda.so.1 (dynamic loader"), message);
        assertTrue(message.contains("nvidia/lib64/libcuda.so.1 (usual folders): cannot be loaded: the file is empty"),
                message);
        assertTrue(message.contains("x86_64-linux-gnu (usual folders): no libcuda.so.1, libcuda.so"), message);
        assertTrue(message.contains("-Dstrix.cuda.driver.path="), message);
        assertEquals(CudaLibrary.DRIVER, e.library());
        assertTrue(e.attempts().size() >= 4, e.attempts().toString());
        assertTrue(opener.opened.stream().noneMatch(s -> s.contains("stubs")), "a stub is never opened");
    }

    @Test
    void emptyOrForeignFilesAreExplainedWithoutBeingOpened() throws IOException {
        FileView files = FileView.rootedAt(root);
        touch(files, "/empty/libnvrtc.so.13");
        Path text = files.resolve("/text/libnvrtc.so.13");
        Files.createDirectories(text.getParent());
        Files.writeString(text, "not a library");
        Map<String, String> props = Map.of(LibrarySearch.LIB_DIR_PROPERTY, "/empty:/text", "strix.test", "x");
        RecordingOpener opener = new RecordingOpener(List.of());
        LibraryLoadException e = assertThrows(LibraryLoadException.class,
                () -> LibraryLoader.load(CudaLibrary.NVRTC, props, Map.of(), files, opener));
        assertEquals(List.of("loader:libnvrtc.so.13", "loader:libnvrtc.so.12"), opener.opened,
                "only the loader's names are opened; the bad files are not");
        assertTrue(e.getMessage().contains("empty/libnvrtc.so.13 (system property strix.cuda.lib.dir): cannot be "
                + "loaded: the file is empty"), e.getMessage());
        assertTrue(e.getMessage().contains("text/libnvrtc.so.13 (system property strix.cuda.lib.dir): cannot be "
                + "loaded: not an ELF shared library (13 bytes)"), e.getMessage());
    }

    @Test
    void versionSuffix() {
        assertEquals(".13", LibraryLoader.versionSuffix("libcublas.so.13"));
        assertEquals("", LibraryLoader.versionSuffix("libcublas.so"));
        assertEquals(".9", LibraryLoader.versionSuffix("libcudnn_ops.so.9"));
    }
}
