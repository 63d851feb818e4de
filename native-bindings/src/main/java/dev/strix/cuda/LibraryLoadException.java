package dev.strix.cuda;

import java.util.List;

/**
 * A native library could not be loaded. The message names the library, every place tried in order
 * and why each failed, and how to point Strix at the library.
 */
public final class LibraryLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final CudaLibrary library;
    private final transient List<String> attempts;

    /**
     * @param library  the library that could not be loaded
     * @param headline the first line of the message
     * @param attempts one line per place tried (or group of places), in order
     */
    public LibraryLoadException(CudaLibrary library, String headline, List<String> attempts) {
        super(format(library, headline, attempts));
        this.library = library;
        this.attempts = List.copyOf(attempts);
    }

    /** Copies {@code other}, so that each failed call gets its own stack trace. */
    LibraryLoadException(LibraryLoadException other) {
        super(other.getMessage());
        this.library = other.library;
        this.attempts = other.attempts;
    }

    private static String format(CudaLibrary library, String headline, List<String> attempts) {
        StringBuilder sb = new StringBuilder(headline);
        if (!attempts.isEmpty()) {
            sb.append("\nPlaces tried, in order:");
            for (String attempt : attempts) {
                sb.append("\n  - ").append(attempt);
            }
        }
        sb.append("\nTo choose the file: -D").append(library.pathProperty()).append("=/path/to/")
                .append(library.fileNames().get(0)).append(" (or environment variable ")
                .append(library.pathEnvironmentVariable()).append("), or name its folder with -D")
                .append(LibrarySearch.LIB_DIR_PROPERTY).append(" or ").append(LibrarySearch.LIB_DIR_ENV).append('.');
        return sb.toString();
    }

    /** @return the library that could not be loaded */
    public CudaLibrary library() {
        return library;
    }

    /** @return one line per place tried, in order */
    public List<String> attempts() {
        return attempts;
    }
}
