package dev.strix.cuda;

import java.util.List;
import java.util.Locale;

/**
 * The native libraries the bindings use, with the file names searched for each (the version this
 * project targets first: CUDA 13, cuDNN 9, then the previous major where it is compatible, then the
 * unversioned development link, which is only ever taken from a folder, never through the loader's
 * search, because that name is the one link-time stubs carry).
 */
public enum CudaLibrary {
    /** The driver API, {@code cuda.h}. Installed with the NVIDIA driver, not with the toolkit. */
    DRIVER("driver", List.of("libcuda.so.1", "libcuda.so"), List.of()),
    /** The runtime API, {@code cuda_runtime_api.h}. */
    RUNTIME("cudart", List.of("libcudart.so.13", "libcudart.so.12", "libcudart.so"), List.of()),
    /** cuBLAS Lt, which cuBLAS itself links against. */
    CUBLAS_LT("cublaslt", List.of("libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so"), List.of()),
    /** cuBLAS, {@code cublas_v2.h}; its companion {@code libcublasLt} is loaded first from the same folder. */
    CUBLAS("cublas", List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so"),
            List.of("libcublasLt.so.13", "libcublasLt.so.12")),
    /** cuDNN 9, {@code cudnn.h}; its sub-libraries are loaded first from the same folder. */
    CUDNN("cudnn", List.of("libcudnn.so.9", "libcudnn.so"),
            List.of("libcudnn_graph.so.9", "libcudnn_engines_precompiled.so.9",
                    "libcudnn_engines_runtime_compiled.so.9", "libcudnn_heuristic.so.9",
                    "libcudnn_ops.so.9", "libcudnn_cnn.so.9", "libcudnn_adv.so.9")),
    /** The runtime compiler, {@code nvrtc.h}. */
    NVRTC("nvrtc", List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"), List.of());

    private final String key;
    private final List<String> fileNames;
    private final List<String> companions;

    CudaLibrary(String key, List<String> fileNames, List<String> companions) {
        this.key = key;
        this.fileNames = fileNames;
        this.companions = companions;
    }

    /** @return the short name used in settings: {@code strix.cuda.<key>.path}, {@code STRIX_CUDA_<KEY>_PATH} */
    public String key() {
        return key;
    }

    /** @return the file names searched, preferred first */
    public List<String> fileNames() {
        return fileNames;
    }

    /**
     * @return libraries loaded (best effort) from the same folder before this one, so that its own
     *         dependencies and {@code dlopen}s by name find them even when the folder is not on the
     *         loader's path
     */
    public List<String> companions() {
        return companions;
    }

    /** @return the system property naming this library's file, {@code strix.cuda.<key>.path} */
    public String pathProperty() {
        return "strix.cuda." + key + ".path";
    }

    /** @return the environment variable naming this library's file, {@code STRIX_CUDA_<KEY>_PATH} */
    public String pathEnvironmentVariable() {
        return "STRIX_CUDA_" + key.toUpperCase(Locale.ROOT) + "_PATH";
    }

    /** @return true for names the dynamic loader may be asked for by name (those with a version suffix) */
    static boolean isVersionedSoname(String fileName) {
        return !fileName.endsWith(".so");
    }
}
