package dev.strix.cuda;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where to look for a {@link CudaLibrary}, in order, as a pure function of the settings, the
 * environment and a {@link FileView}, so that the order can be tested on a fake folder tree.
 *
 * <p>Order (first hit wins, later places are only tried when earlier ones fail to load):
 * <ol>
 *   <li>an explicit file: system property {@code strix.cuda.<key>.path}, then environment variable
 *       {@code STRIX_CUDA_<KEY>_PATH};</li>
 *   <li>explicit folders: system property {@code strix.cuda.lib.dir}, then environment variable
 *       {@code STRIX_CUDA_LIB_DIR} (both may list several folders separated by {@code :});</li>
 *   <li>the folders of {@code LD_LIBRARY_PATH};</li>
 *   <li>the dynamic loader by versioned name ({@code libcudart.so.13}; it searches {@code ld.so.cache}
 *       and the default folders);</li>
 *   <li>{@code $CUDA_HOME}, {@code $CUDA_PATH} and {@code $VIRTUAL_ENV} when set;</li>
 *   <li>the {@link #USUAL_FOLDERS}.</li>
 * </ol>
 * Within one step the preferred file name (the newest major version) is looked for in every folder
 * of the step before the next name. Nothing under a {@code stubs/} folder is ever loaded: those are
 * link-time stubs that fail at run time.
 */
public final class LibrarySearch {
    private LibrarySearch() {
    }

    /** System property naming folders to search first. */
    public static final String LIB_DIR_PROPERTY = "strix.cuda.lib.dir";
    /** Environment variable naming folders to search first. */
    public static final String LIB_DIR_ENV = "STRIX_CUDA_LIB_DIR";

    /** The usual install folders, searched last; {@code *} matches folder names (newest version first). */
    public static final List<String> USUAL_FOLDERS = List.of(
            "/usr/local/cuda*/targets/*/lib",
            "/usr/local/cuda*/lib64",
            "/usr/lib/x86_64-linux-gnu",
            "/usr/lib64",
            "/usr/lib",
            "/usr/local/nvidia/lib64",
            "/usr/local/nvidia/lib",
            "/opt/*/.venv/lib/python3*/site-packages/nvidia/*/lib",
            "/opt/*/lib/python3*/site-packages/nvidia/*/lib",
            "/usr/local/lib/python3*/dist-packages/nvidia/*/lib",
            "/usr/local/lib/python3*/site-packages/nvidia/*/lib",
            "/usr/lib/python3*/dist-packages/nvidia/*/lib");

    /** What discovery found at one place. */
    public enum Status {
        /** A file that exists and may be loaded. */
        FILE,
        /** A versioned name handed to the dynamic loader, which searches its own path. */
        LOADER_NAME,
        /** The folder exists but holds no file of that name. */
        ABSENT,
        /** A file under a {@code stubs/} folder: never loaded. */
        STUB,
        /** An explicitly named file or folder that does not exist. */
        MISSING
    }

    /**
     * One place looked at.
     *
     * @param target the file path (for a name handed to the loader: the name), as a string
     * @param status what was found there
     * @param source which setting or rule produced it (for messages)
     */
    public record Candidate(String target, Status status, String source) {
        /** @return true when loading should be tried here */
        public boolean loadable() {
            return status == Status.FILE || status == Status.LOADER_NAME;
        }
    }

    /**
     * Every place to look for {@code library}, in order, each with what was found there.
     *
     * @param library     the library
     * @param properties  system properties (e.g. a copy of {@link System#getProperties()})
     * @param environment environment variables
     * @param files       the file system to look at
     * @return the candidates, first to try first; loadable ones are those with {@link Candidate#loadable()}
     */
    public static List<Candidate> candidates(CudaLibrary library, Map<String, String> properties,
                                             Map<String, String> environment, FileView files) {
        List<Candidate> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        explicitFile(out, seen, files, properties.get(library.pathProperty()),
                "system property " + library.pathProperty());
        explicitFile(out, seen, files, environment.get(library.pathEnvironmentVariable()),
                "environment variable " + library.pathEnvironmentVariable());
        inFolders(out, seen, files, library, explicitFolders(files, properties.get(LIB_DIR_PROPERTY)),
                "system property " + LIB_DIR_PROPERTY, true);
        inFolders(out, seen, files, library, explicitFolders(files, environment.get(LIB_DIR_ENV)),
                "environment variable " + LIB_DIR_ENV, true);
        inFolders(out, seen, files, library, explicitFolders(files, environment.get("LD_LIBRARY_PATH")),
                "LD_LIBRARY_PATH", false);
        for (String name : library.fileNames()) {
            if (CudaLibrary.isVersionedSoname(name) && seen.add("loader:" + name)) {
                out.add(new Candidate(name, Status.LOADER_NAME, "dynamic loader (ld.so.cache, default folders)"));
            }
        }
        for (String variable : List.of("CUDA_HOME", "CUDA_PATH")) {
            String base = environment.get(variable);
            if (base != null && !base.isBlank()) {
                List<Path> dirs = new ArrayList<>();
                for (String pattern : List.of(base + "/targets/*/lib", base + "/lib64", base + "/lib")) {
                    dirs.addAll(expand(files, pattern));
                }
                inFolders(out, seen, files, library, dirs, "environment variable " + variable, false);
            }
        }
        String venv = environment.get("VIRTUAL_ENV");
        if (venv != null && !venv.isBlank()) {
            inFolders(out, seen, files, library, expand(files, venv + "/lib/python3*/site-packages/nvidia/*/lib"),
                    "environment variable VIRTUAL_ENV", false);
        }
        List<Path> usual = new ArrayList<>();
        for (String pattern : USUAL_FOLDERS) {
            usual.addAll(expand(files, pattern));
        }
        inFolders(out, seen, files, library, usual, "usual folders", false);
        return out;
    }

    /** @return true when {@code path} or the file it links to lies under a folder named {@code stubs} */
    static boolean underStubs(FileView files, Path path) {
        return hasStubsSegment(path) || hasStubsSegment(files.realPath(path));
    }

    private static boolean hasStubsSegment(Path path) {
        for (Path segment : path) {
            if (segment.toString().equals("stubs")) {
                return true;
            }
        }
        return false;
    }

    private static void explicitFile(List<Candidate> out, Set<String> seen, FileView files, String value,
                                     String source) {
        if (value == null || value.isBlank()) {
            return;
        }
        Path path = files.resolve(value.strip());
        if (!seen.add(path.toString())) {
            return;
        }
        Status status = !files.isRegularFile(path) ? Status.MISSING
                : underStubs(files, path) ? Status.STUB : Status.FILE;
        out.add(new Candidate(path.toString(), status, source));
    }

    private static List<Path> explicitFolders(FileView files, String list) {
        List<Path> dirs = new ArrayList<>();
        if (list == null) {
            return dirs;
        }
        for (String entry : list.split(Pattern.quote(File.pathSeparator))) {
            if (!entry.isBlank()) {
                dirs.add(files.resolve(entry.strip()));
            }
        }
        return dirs;
    }

    private static void inFolders(List<Candidate> out, Set<String> seen, FileView files, CudaLibrary library,
                                  List<Path> dirs, String source, boolean reportMissingFolders) {
        List<Path> existing = new ArrayList<>();
        for (Path dir : dirs) {
            if (files.isDirectory(dir)) {
                if (seen.add("dir:" + files.realPath(dir))) {
                    existing.add(dir); // a folder reached again through a link is searched once
                }
            } else if (reportMissingFolders && seen.add("missing:" + dir)) {
                out.add(new Candidate(dir.toString(), Status.MISSING, source));
            }
        }
        for (String name : library.fileNames()) {
            for (Path dir : existing) {
                Path file = dir.resolve(name);
                if (!seen.add(file.toString())) {
                    continue;
                }
                Status status = !files.isRegularFile(file) ? Status.ABSENT
                        : underStubs(files, file) ? Status.STUB : Status.FILE;
                out.add(new Candidate(file.toString(), status, source));
            }
        }
    }

    /**
     * Expands a folder pattern whose segments may hold {@code *}; only existing folders are returned.
     * Matches of one segment come in this order: the name equal to the text before the {@code *}
     * (the {@code /usr/local/cuda} link an administrator chose), then newest version first.
     *
     * @param files   the file system
     * @param pattern an absolute folder pattern such as {@code /usr/local/cuda*}{@code /targets/*}{@code /lib}
     * @return the existing folders it matches, in preference order
     */
    static List<Path> expand(FileView files, String pattern) {
        List<Path> current = new ArrayList<>();
        current.add(files.resolve("/"));
        for (String segment : pattern.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            List<Path> next = new ArrayList<>();
            if (segment.contains("*")) {
                Pattern regex = globToRegex(segment);
                String literalPrefix = segment.substring(0, segment.indexOf('*'));
                for (Path dir : current) {
                    List<String> names = new ArrayList<>();
                    for (String name : files.childDirectoryNames(dir)) {
                        if (regex.matcher(name).matches()) {
                            names.add(name);
                        }
                    }
                    names.sort(preference(literalPrefix));
                    for (String name : names) {
                        next.add(dir.resolve(name));
                    }
                }
            } else {
                for (Path dir : current) {
                    Path child = dir.resolve(segment);
                    if (files.isDirectory(child)) {
                        next.add(child);
                    }
                }
            }
            current = next;
            if (current.isEmpty()) {
                break;
            }
        }
        return current;
    }

    private static Pattern globToRegex(String glob) {
        StringBuilder sb = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!sb.isEmpty()) {
                sb.append(".*");
            }
            sb.append(Pattern.quote(part));
        }
        return Pattern.compile(sb.toString());
    }

    private static Comparator<String> preference(String literalPrefix) {
        Comparator<String> exactFirst = Comparator.comparing(name -> !name.equals(literalPrefix));
        Comparator<String> natural = LibrarySearch::compareNatural;
        return exactFirst.thenComparing(natural.reversed());
    }

    /** Compares names with embedded numbers by value ({@code cuda-12.10} after {@code cuda-12.9}). */
    static int compareNatural(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                String na = a.substring(si, i).replaceFirst("^0+(?=.)", "");
                String nb = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                if (c != 0) {
                    return c;
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
