package dev.strix.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads a {@link CudaLibrary} from the first place {@link LibrarySearch} lists that works, or fails
 * with one {@link LibraryLoadException} that lists every place tried and why each failed.
 */
public final class LibraryLoader {
    private LibraryLoader() {
    }

    /** Opens a shared library; replaceable in tests. */
    public interface Opener {
        /** @return the symbols of the library file at {@code file}; throws when it cannot be opened */
        SymbolLookup openFile(Path file);

        /** @return the symbols of the library the dynamic loader finds under {@code name}; throws when none */
        SymbolLookup openName(String name);
    }

    /** The real opener: {@code dlopen} through {@link SymbolLookup#libraryLookup}, kept for the whole run. */
    public static Opener systemOpener() {
        return new Opener() {
            @Override
            public SymbolLookup openFile(Path file) {
                return SymbolLookup.libraryLookup(file, Arena.global());
            }

            @Override
            public SymbolLookup openName(String name) {
                return SymbolLookup.libraryLookup(name, Arena.global());
            }
        };
    }

    /**
     * Loads {@code library}. A file that is visibly not a shared library (empty, no ELF header) is
     * reported without being handed to {@code dlopen}.
     *
     * @param library     the library
     * @param properties  system properties
     * @param environment environment variables
     * @param files       the file system
     * @param opener      how to open a candidate
     * @return the loaded library
     * @throws LibraryLoadException when no candidate could be loaded
     */
    public static LoadedLibrary load(CudaLibrary library, Map<String, String> properties,
                                     Map<String, String> environment, FileView files, Opener opener) {
        List<LibrarySearch.Candidate> candidates = LibrarySearch.candidates(library, properties, environment, files);
        Map<String, String> report = new LinkedHashMap<>();
        Map<String, List<String>> absentByFolder = new LinkedHashMap<>();
        for (LibrarySearch.Candidate candidate : candidates) {
            switch (candidate.status()) {
                case ABSENT -> {
                    Path file = Path.of(candidate.target());
                    String folder = String.valueOf(file.getParent());
                    String key = "absent:" + folder;
                    List<String> names = absentByFolder.computeIfAbsent(key, k -> new ArrayList<>());
                    names.add(String.valueOf(file.getFileName()));
                    report.put(key, folder + " (" + candidate.source() + "): no " + String.join(", ", names));
                }
                case MISSING -> report.put("missing:" + candidate.target(),
                        candidate.target() + " (" + candidate.source() + "): does not exist");
                case STUB -> report.put(candidate.target(), candidate.target() + " (" + candidate.source()
                        + "): skipped, a link-time stub (under a stubs/ folder) that fails at run time");
                case FILE -> {
                    Path file = Path.of(candidate.target());
                    String problem = fileProblem(file);
                    if (problem != null) {
                        report.put(candidate.target(), candidate.target() + " (" + candidate.source()
                                + "): cannot be loaded: " + problem);
                        continue;
                    }
                    List<String> notes = new ArrayList<>();
                    loadCompanions(library, file, files, opener, notes);
                    try {
                        SymbolLookup lookup = opener.openFile(file);
                        notes.addAll(report.values());
                        return new LoadedLibrary(library, lookup, file.toString(), notes);
                    } catch (RuntimeException e) {
                        report.put(candidate.target(), candidate.target() + " (" + candidate.source()
                                + "): cannot be loaded: " + whyNotLoadable(candidate.target(), file));
                    }
                }
                case LOADER_NAME -> {
                    try {
                        SymbolLookup lookup = opener.openName(candidate.target());
                        return new LoadedLibrary(library, lookup, candidate.target(), new ArrayList<>(report.values()));
                    } catch (RuntimeException e) {
                        report.put("loader:" + candidate.target(), candidate.target() + " (" + candidate.source()
                                + "): " + whyNotLoadable(candidate.target(), null));
                    }
                }
            }
        }
        throw new LibraryLoadException(library, "Cannot load " + library.fileNames().get(0)
                + " (looked for " + String.join(", ", library.fileNames()) + ").", new ArrayList<>(report.values()));
    }

    /**
     * Loads the companions of {@code library} that sit beside {@code main}, with the same version
     * suffix, so that the main library's dependencies resolve without the folder on the loader's path.
     */
    private static void loadCompanions(CudaLibrary library, Path main, FileView files, Opener opener,
                                       List<String> notes) {
        String suffix = versionSuffix(String.valueOf(main.getFileName()));
        Path dir = main.getParent();
        for (String companion : library.companions()) {
            if (!suffix.isEmpty() && !versionSuffix(companion).equals(suffix)) {
                continue;
            }
            Path file = dir.resolve(companion);
            if (!files.isRegularFile(file) || LibrarySearch.underStubs(files, file)) {
                continue;
            }
            String problem = fileProblem(file);
            if (problem != null) {
                notes.add("companion " + file + " not loaded: " + problem);
                continue;
            }
            try {
                opener.openFile(file);
                notes.add("loaded companion " + file);
            } catch (RuntimeException e) {
                notes.add("companion " + file + " not loaded: " + whyNotLoadable(file.toString(), file));
            }
        }
    }

    /** @return the part after {@code .so} ({@code ".13"} for {@code libcublas.so.13}, empty when none) */
    static String versionSuffix(String fileName) {
        int at = fileName.lastIndexOf(".so");
        return at < 0 ? "" : fileName.substring(at + 3);
    }

    /**
     * Why {@code dlopen} refuses {@code target}: the loader's own message ({@code dlerror}) from a
     * second, diagnostic {@code dlopen}, or what is visibly wrong with the file.
     */
    static String whyNotLoadable(String target, Path file) {
        if (file != null) {
            String problem = fileProblem(file);
            if (problem != null) {
                return problem;
            }
        }
        return loaderError(target).orElse("the dynamic loader refused it");
    }

    private static String fileProblem(Path file) {
        try {
            long size = Files.size(file);
            if (size == 0) {
                return "the file is empty, not a shared library";
            }
            byte[] magic = new byte[4];
            try (InputStream in = Files.newInputStream(file)) {
                if (in.readNBytes(magic, 0, 4) < 4 || magic[0] != 0x7f || magic[1] != 'E' || magic[2] != 'L'
                        || magic[3] != 'F') {
                    return "not an ELF shared library (" + size + " bytes)";
                }
            }
            return null;
        } catch (IOException | SecurityException e) {
            return "cannot read the file: " + e.getMessage();
        }
    }

    /** Asks the C library's {@code dlopen}/{@code dlerror} why {@code target} does not load. */
    private static Optional<String> loaderError(String target) {
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            Optional<MemorySegment> dlopen = libc.find("dlopen");
            Optional<MemorySegment> dlerror = libc.find("dlerror");
            Optional<MemorySegment> dlclose = libc.find("dlclose");
            if (dlopen.isEmpty() || dlerror.isEmpty() || dlclose.isEmpty()) {
                return Optional.empty();
            }
            MethodHandle open = linker.downcallHandle(dlopen.get(),
                    FunctionDescriptor.of(CTypes.C_POINTER, CTypes.C_POINTER, CTypes.C_INT));
            MethodHandle error = linker.downcallHandle(dlerror.get(), FunctionDescriptor.of(CTypes.C_POINTER));
            MethodHandle close = linker.downcallHandle(dlclose.get(),
                    FunctionDescriptor.of(CTypes.C_INT, CTypes.C_POINTER));
            try (Arena arena = Arena.ofConfined()) {
                final int rtldLazy = 1;
                MemorySegment handle = (MemorySegment) open.invokeExact(arena.allocateFrom(target), rtldLazy);
                if (!handle.equals(MemorySegment.NULL)) {
                    int ignored = (int) close.invokeExact(handle);
                    return Optional.of("loads on a second try (status " + ignored + " on close); "
                            + "the first attempt failed for a transient reason");
                }
                String message = CTypes.readCString((MemorySegment) error.invokeExact());
                return Optional.ofNullable(message);
            }
        } catch (Throwable t) {
            return Optional.empty();
        }
    }
}
