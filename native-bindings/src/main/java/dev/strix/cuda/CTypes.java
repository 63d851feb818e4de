package dev.strix.cuda;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The C types of the CUDA headers as memory layouts on x86-64 Linux (LP64), shared by the binding
 * classes: every C enum and {@code int} is {@link #C_INT}, {@code size_t} and {@code long long} are
 * {@link #C_SIZE_T} / {@link #C_LONG_LONG}, every pointer and opaque handle is {@link #C_POINTER}.
 * Hand-written FFM binding in the shape jextract generates.
 */
public final class CTypes {
    private CTypes() {
    }

    /** {@code int}, {@code unsigned int} and every C enum. */
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    /** {@code size_t}. */
    public static final ValueLayout.OfLong C_SIZE_T = ValueLayout.JAVA_LONG;
    /** {@code long long} and {@code unsigned long long}. */
    public static final ValueLayout.OfLong C_LONG_LONG = ValueLayout.JAVA_LONG;
    /** {@code float}. */
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    /** {@code double}. */
    public static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;
    /** {@code char}. */
    public static final ValueLayout.OfByte C_CHAR = ValueLayout.JAVA_BYTE;
    /** Any pointer or opaque handle ({@code void*}, {@code cudaStream_t}, {@code cudnnHandle_t}, ...). */
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS;

    /**
     * Reads the NUL-terminated string a C function returned ({@code const char*}), or {@code null} for
     * a NULL pointer. The returned segment has length zero, so it is widened before reading.
     *
     * @param cString the pointer a downcall returned
     * @return the Java string, or {@code null}
     */
    public static String readCString(MemorySegment cString) {
        if (cString == null || cString.equals(MemorySegment.NULL)) {
            return null;
        }
        return cString.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
