package dev.strix.cuda;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The process-wide loaded libraries: each {@link CudaLibrary} is searched for once, on first use,
 * with the real system properties, environment and file system; the outcome (the library, or the
 * failure) is kept for the rest of the run.
 */
public final class CudaLibraries {
    private CudaLibraries() {
    }

    private static final Map<CudaLibrary, Object> OUTCOMES = new EnumMap<>(CudaLibrary.class);

    /**
     * @param library the library
     * @return the loaded library
     * @throws LibraryLoadException when it cannot be loaded (the same message on every call)
     */
    public static LoadedLibrary load(CudaLibrary library) {
        Object outcome;
        synchronized (OUTCOMES) {
            outcome = OUTCOMES.computeIfAbsent(library, CudaLibraries::attempt);
        }
        if (outcome instanceof LoadedLibrary loaded) {
            return loaded;
        }
        throw new LibraryLoadException((LibraryLoadException) outcome);
    }

    /**
     * @param library the library
     * @return the loaded library, or empty when it cannot be loaded
     */
    public static Optional<LoadedLibrary> tryLoad(CudaLibrary library) {
        try {
            return Optional.of(load(library));
        } catch (LibraryLoadException e) {
            return Optional.empty();
        }
    }

    /**
     * @param library the library
     * @return true when it was already loaded successfully (never starts a search)
     */
    public static boolean isLoaded(CudaLibrary library) {
        synchronized (OUTCOMES) {
            return OUTCOMES.get(library) instanceof LoadedLibrary;
        }
    }

    private static Object attempt(CudaLibrary library) {
        if (library == CudaLibrary.CUBLAS) {
            tryLoad(CudaLibrary.CUBLAS_LT);
        }
        try {
            return LibraryLoader.load(library, systemProperties(), System.getenv(), FileView.system(),
                    LibraryLoader.systemOpener());
        } catch (LibraryLoadException e) {
            return e;
        }
    }

    /** @return a snapshot of the system properties as strings */
    static Map<String, String> systemProperties() {
        Map<String, String> copy = new HashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            copy.put(name, System.getProperty(name));
        }
        return copy;
    }
}
