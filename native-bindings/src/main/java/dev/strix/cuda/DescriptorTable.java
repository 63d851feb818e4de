package dev.strix.cuda;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds a binding class's ordered table of C function names and their {@link FunctionDescriptor}s. */
final class DescriptorTable {
    private final Map<String, FunctionDescriptor> entries = new LinkedHashMap<>();

    /** A function returning its library's status enum ({@code int}). */
    DescriptorTable status(String name, MemoryLayout... arguments) {
        return add(name, FunctionDescriptor.of(CTypes.C_INT, arguments));
    }

    /** A function with any result. */
    DescriptorTable returning(String name, MemoryLayout result, MemoryLayout... arguments) {
        return add(name, FunctionDescriptor.of(result, arguments));
    }

    /** A function returning {@code void}. */
    DescriptorTable returningVoid(String name, MemoryLayout... arguments) {
        return add(name, FunctionDescriptor.ofVoid(arguments));
    }

    private DescriptorTable add(String name, FunctionDescriptor descriptor) {
        if (entries.putIfAbsent(name, descriptor) != null) {
            throw new IllegalStateException("duplicate descriptor " + name);
        }
        return this;
    }

    Map<String, FunctionDescriptor> build() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }
}
