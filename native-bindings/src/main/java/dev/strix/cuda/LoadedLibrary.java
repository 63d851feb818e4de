package dev.strix.cuda;

import java.lang.foreign.SymbolLookup;
import java.util.List;

/**
 * A native library that was loaded.
 *
 * @param library the library
 * @param lookup  its symbols
 * @param origin  where it came from: the file path, or the name the dynamic loader resolved
 * @param notes   what else happened on the way (companion libraries loaded or not, earlier places that failed)
 */
public record LoadedLibrary(CudaLibrary library, SymbolLookup lookup, String origin, List<String> notes) {
    public LoadedLibrary {
        notes = List.copyOf(notes);
    }
}
