package dev.strix.cuda;

/**
 * A CUDA, cuBLAS, cuDNN or NVRTC call that returned a status other than success.
 *
 * <p>Carries the C function's name, the numeric code, the symbolic name of the code (from the library
 * where it offers one, otherwise from {@link StatusNames}) and the library's own description
 * ({@code cuGetErrorString}, {@code cudaGetErrorString}, {@code cublasGetStatusString},
 * {@code cudnnGetErrorString}, {@code nvrtcGetErrorString}); the message reads
 * {@code "cudaMalloc failed: cudaErrorMemoryAllocation (2): out of memory [CUDA runtime]"}.
 * Instances are made by {@link CudaCheck}.
 */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The library a status code came from; each has its own code space. */
    public enum Library {
        /** {@code libcuda}, {@code CUresult}. */
        CUDA_DRIVER("CUDA driver"),
        /** {@code libcudart}, {@code cudaError_t}. */
        CUDA_RUNTIME("CUDA runtime"),
        /** {@code libcublas}, {@code cublasStatus_t}. */
        CUBLAS("cuBLAS"),
        /** {@code libcudnn}, {@code cudnnStatus_t}. */
        CUDNN("cuDNN"),
        /** {@code libnvrtc}, {@code nvrtcResult}. */
        NVRTC("NVRTC");

        private final String displayName;

        Library(String displayName) {
            this.displayName = displayName;
        }

        /** @return the name used in messages, e.g. {@code "CUDA runtime"} */
        public String displayName() {
            return displayName;
        }
    }

    private final Library library;
    private final String call;
    private final int code;
    private final String symbolicName;
    private final String description;

    /**
     * @param library      the library that returned the status
     * @param call         the C function's name, e.g. {@code "cudaMalloc"}
     * @param code         the numeric status
     * @param symbolicName the C enum constant's name, or {@code null} when unknown
     * @param description  the library's text for the code, or {@code null} when it could not be obtained
     * @param detail       extra text appended to the message (e.g. a compiler log), or {@code null}
     */
    public CudaException(Library library, String call, int code, String symbolicName, String description,
                         String detail) {
        super(format(library, call, code, symbolicName, description, detail));
        this.library = library;
        this.call = call;
        this.code = code;
        this.symbolicName = symbolicName == null ? "UNKNOWN_STATUS" : symbolicName;
        this.description = description == null ? this.symbolicName : description;
    }

    /**
     * The message format: {@code "<call> failed: <name> (<code>): <description> [<library>]"}, the
     * description left out when it only repeats the name, and {@code detail} on the following lines.
     */
    static String format(Library library, String call, int code, String symbolicName, String description,
                         String detail) {
        String name = symbolicName == null ? "UNKNOWN_STATUS" : symbolicName;
        StringBuilder sb = new StringBuilder()
                .append(call).append(" failed: ").append(name).append(" (").append(code).append(')');
        if (description != null && !description.isBlank() && !description.equals(name)) {
            sb.append(": ").append(description.strip());
        }
        sb.append(" [").append(library.displayName()).append(']');
        if (detail != null && !detail.isBlank()) {
            sb.append('\n').append(detail.strip());
        }
        return sb.toString();
    }

    /** @return the library that returned the status */
    public Library library() {
        return library;
    }

    /** @return the C function's name */
    public String call() {
        return call;
    }

    /** @return the numeric status */
    public int code() {
        return code;
    }

    /** @return the C enum constant's name, {@code "UNKNOWN_STATUS"} when no table knows the code */
    public String symbolicName() {
        return symbolicName;
    }

    /** @return the library's description of the code, or the symbolic name when none was available */
    public String description() {
        return description;
    }
}
