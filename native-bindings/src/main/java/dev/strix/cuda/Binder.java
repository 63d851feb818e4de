package dev.strix.cuda;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes the downcall handles of one library, once, inside a binding class's holder. When the
 * library or one symbol is missing, the handle it returns throws a {@link LibraryLoadException}
 * explaining why each time it is called, so that a missing library fails the call that needs it,
 * cleanly, and never the loading of a class.
 */
final class Binder {
    private static final MethodHandle RAISE;

    static {
        try {
            RAISE = MethodHandles.lookup().findStatic(Binder.class, "raise",
                    MethodType.methodType(void.class, LibraryLoadException.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CudaLibrary library;
    private final LoadedLibrary loaded;
    private final LibraryLoadException failure;
    private final Map<String, FunctionDescriptor> descriptors;

    private Binder(CudaLibrary library, LoadedLibrary loaded, LibraryLoadException failure,
                   Map<String, FunctionDescriptor> descriptors) {
        this.library = library;
        this.loaded = loaded;
        this.failure = failure;
        this.descriptors = descriptors;
    }

    /**
     * @param library     the library to bind against (loaded now, through {@link CudaLibraries})
     * @param descriptors the binding class's table: C function name to descriptor
     * @return a binder for that library
     */
    static Binder of(CudaLibrary library, Map<String, FunctionDescriptor> descriptors) {
        try {
            return new Binder(library, CudaLibraries.load(library), null, descriptors);
        } catch (LibraryLoadException e) {
            return new Binder(library, null, e, descriptors);
        }
    }

    /**
     * @param name the C function's (exported symbol's) name, a key of the descriptor table
     * @return its downcall handle, or one that throws why it is unavailable
     */
    MethodHandle bind(String name) {
        FunctionDescriptor descriptor = descriptors.get(name);
        if (descriptor == null) {
            throw new IllegalArgumentException("no descriptor for " + name);
        }
        if (failure != null) {
            return thrower(descriptor, failure);
        }
        Optional<MemorySegment> address = loaded.lookup().find(name);
        if (address.isEmpty()) {
            return thrower(descriptor, new LibraryLoadException(library, "The symbol " + name + " is not in "
                    + loaded.origin() + " (an older version of the library?).", List.of()));
        }
        return Linker.nativeLinker().downcallHandle(address.get(), descriptor);
    }

    private static MethodHandle thrower(FunctionDescriptor descriptor, LibraryLoadException cause) {
        MethodType type = descriptor.toMethodType();
        MethodHandle raise = RAISE.bindTo(cause).asType(MethodType.methodType(type.returnType()));
        return MethodHandles.dropArguments(raise, 0, type.parameterList());
    }

    private static void raise(LibraryLoadException cause) {
        throw new LibraryLoadException(cause);
    }

    /**
     * Rethrows what a downcall threw: unchecked throwables as they are, anything else wrapped.
     *
     * @param t what {@code invokeExact} threw
     * @return never returns normally; declared so callers can write {@code throw Binder.rethrow(t)}
     */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("unexpected checked exception from a native call", t);
    }
}
