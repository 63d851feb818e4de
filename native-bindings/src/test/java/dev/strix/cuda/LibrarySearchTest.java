package dev.strix.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery order and stub skipping on a fake folder tree laid out like the CUDA host. */
class LibrarySearchTest {
    @TempDir
    Path root;
    FileView files;

    static final String CUDA13 = "/usr/local/cuda-13.0/targets/x86_64-linux/lib";
    static final String CUDA12 = "/usr/local/cuda-12.4/targets/x86_64-linux/lib";
    static final String VENV = "/opt/torch/.venv/lib/python3.12/site-packages/nvidia";

    @BeforeEach
    void tree() throws IOException {
        files = FileView.rootedAt(root);
        touch(CUDA13 + "/libcudart.so.13");
        touch(CUDA13 + "/libcublas.so.13");
        touch(CUDA13 + "/libcublasLt.so.13");
        touch(CUDA13 + "/stubs/libcuda.so");
        touch(CUDA13 + "/stubs/libcudart.so.13");
        touch(CUDA12 + "/libcudart.so.12");
        touch("/usr/lib/x86_64-linux-gnu/libcudnn.so.9");
        touch("/usr/local/nvidia/lib64/libcuda.so.1");
        touch(VENV + "/cu13/lib/libcudart.so.13");
        touch(VENV + "/cudnn/lib/libcudnn.so.9");
        touch("/custom/libcudart.so.13");
        touch("/ld/libcudart.so.12");
    }

    private void touch(String absolute) throws IOException {
        Path file = files.resolve(absolute);
        Files.createDirectories(file.getParent());
        Files.createFile(file);
    }

    private List<String> loadable(List<LibrarySearch.Candidate> candidates) {
        List<String> out = new ArrayList<>();
        for (LibrarySearch.Candidate c : candidates) {
            if (c.status() == LibrarySearch.Status.FILE) {
                out.add("/" + root.relativize(Path.of(c.target())));
            } else if (c.status() == LibrarySearch.Status.LOADER_NAME) {
                out.add("loader:" + c.target());
            }
        }
        return out;
    }

    @Test
    void runtimeOrderExplicitThenLdPathThenLoaderThenUsualFolders() {
        Map<String, String> props = Map.of(LibrarySearch.LIB_DIR_PROPERTY, "/custom");
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", "/ld:" + CUDA13 + "/stubs");
        List<LibrarySearch.Candidate> candidates = LibrarySearch.candidates(CudaLibrary.RUNTIME, props, env, files);
        assertEquals(List.of(
                "/custom/libcudart.so.13",
                "/ld/libcudart.so.12",
                "loader:libcudart.so.13",
                "loader:libcudart.so.12",
                CUDA13 + "/libcudart.so.13",
                VENV + "/cu13/lib/libcudart.so.13",
                CUDA12 + "/libcudart.so.12"), loadable(candidates));
    }

    @Test
    void stubsAreNeverLoadable() {
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", CUDA13 + "/stubs");
        Map<String, String> props = Map.of(CudaLibrary.DRIVER.pathProperty(), CUDA13 + "/stubs/libcuda.so");
        List<LibrarySearch.Candidate> driver = LibrarySearch.candidates(CudaLibrary.DRIVER, props, env, files);
        assertEquals(List.of("loader:libcuda.so.1", "/usr/local/nvidia/lib64/libcuda.so.1"), loadable(driver),
                "the stub named explicitly and the one on LD_LIBRARY_PATH are both skipped");
        long stubs = driver.stream().filter(c -> c.status() == LibrarySearch.Status.STUB).count();
        assertEquals(1, stubs, "the explicit stub and the LD_LIBRARY_PATH one are the same file, reported once");
        for (LibrarySearch.Candidate c : driver) {
            if (c.target().contains("/stubs/")) {
                assertFalse(c.loadable(), c.toString());
            }
        }
        List<LibrarySearch.Candidate> runtime = LibrarySearch.candidates(CudaLibrary.RUNTIME, Map.of(), env, files);
        assertTrue(runtime.stream().anyMatch(c -> c.status() == LibrarySearch.Status.STUB
                && c.target().endsWith("stubs/libcudart.so.13")), "the decoy in stubs/ is listed as a stub");
        assertFalse(loadable(runtime).stream().anyMatch(s -> s.contains("stubs")));
    }

    @Test
    void explicitFileComesFirstAndMissingSettingsAreReported() {
        Map<String, String> props = Map.of(CudaLibrary.CUDNN.pathProperty(), VENV + "/cudnn/lib/libcudnn.so.9",
                LibrarySearch.LIB_DIR_PROPERTY, "/nowhere");
        List<LibrarySearch.Candidate> cudnn = LibrarySearch.candidates(CudaLibrary.CUDNN, props, Map.of(), files);
        assertEquals(List.of(VENV + "/cudnn/lib/libcudnn.so.9", "loader:libcudnn.so.9",
                "/usr/lib/x86_64-linux-gnu/libcudnn.so.9"), loadable(cudnn));
        assertTrue(cudnn.stream().anyMatch(c -> c.status() == LibrarySearch.Status.MISSING
                && c.target().endsWith("nowhere")), "a named folder that does not exist is reported");
    }

    @Test
    void environmentFolderAndCudaHome() throws IOException {
        touch("/env/dir/libnvrtc.so.13");
        touch("/toolkit/lib64/libnvrtc.so.12");
        Map<String, String> env = Map.of(LibrarySearch.LIB_DIR_ENV, "/env/dir", "CUDA_HOME", "/toolkit");
        assertEquals(List.of("/env/dir/libnvrtc.so.13", "loader:libnvrtc.so.13", "loader:libnvrtc.so.12",
                "/toolkit/lib64/libnvrtc.so.12"), loadable(LibrarySearch.candidates(CudaLibrary.NVRTC, Map.of(), env, files)));
    }

    @Test
    void wildcardOrderPrefersTheAdminLinkThenNewestVersion() throws IOException {
        Files.createDirectories(files.resolve("/usr/local/cuda/targets/x86_64-linux/lib"));
        Files.createDirectories(files.resolve("/usr/local/cuda-12.10/targets/x86_64-linux/lib"));
        Files.createDirectories(files.resolve("/usr/local/cuda-12.9/targets/x86_64-linux/lib"));
        List<String> found = new ArrayList<>();
        for (Path p : LibrarySearch.expand(files, "/usr/local/cuda*/targets/*/lib")) {
            found.add("/" + root.relativize(p));
        }
        assertEquals(List.of("/usr/local/cuda/targets/x86_64-linux/lib",
                "/usr/local/cuda-13.0/targets/x86_64-linux/lib",
                "/usr/local/cuda-12.10/targets/x86_64-linux/lib",
                "/usr/local/cuda-12.9/targets/x86_64-linux/lib",
                "/usr/local/cuda-12.4/targets/x86_64-linux/lib"), found);
    }

    @Test
    void naturalComparison() {
        assertTrue(LibrarySearch.compareNatural("cuda-12.10", "cuda-12.9") > 0);
        assertTrue(LibrarySearch.compareNatural("python3.12", "python3.9") > 0);
        assertTrue(LibrarySearch.compareNatural("a", "b") < 0);
        assertEquals(0, LibrarySearch.compareNatural("cu13", "cu13"));
        assertTrue(LibrarySearch.compareNatural("cuda", "cuda-13.0") < 0);
    }

    @Test
    void unversionedNamesAreNeverHandedToTheLoader() {
        for (CudaLibrary library : CudaLibrary.values()) {
            for (LibrarySearch.Candidate c : LibrarySearch.candidates(library, Map.of(), Map.of(), files)) {
                if (c.status() == LibrarySearch.Status.LOADER_NAME) {
                    assertFalse(c.target().endsWith(".so"), c.target());
                }
            }
        }
    }
}
