package dev.strix.nn.io;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Element types of stored tensors, named as in the safetensors format ({@code "F32"}, {@code "BF16"}, ...).
 * All multi-byte types are little-endian on disk.
 */
public enum DType {
    /** IEEE 754 binary64. */
    F64(8, true),
    /** IEEE 754 binary32. */
    F32(4, true),
    /** IEEE 754 binary16 (half precision). */
    F16(2, true),
    /** bfloat16: the upper 16 bits of a binary32. */
    BF16(2, true),
    /** Signed 64-bit integer. */
    I64(8, false),
    /** Signed 32-bit integer. */
    I32(4, false),
    /** Signed 16-bit integer. */
    I16(2, false),
    /** Signed 8-bit integer. */
    I8(1, false),
    /** Unsigned 8-bit integer. */
    U8(1, false),
    /** Boolean stored as one byte, 0 or 1. */
    BOOL(1, false);

    private final int bytes;
    private final boolean floatingPoint;

    DType(int bytes, boolean floatingPoint) {
        this.bytes = bytes;
        this.floatingPoint = floatingPoint;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** True for F64, F32, F16 and BF16. */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The name used in a safetensors header, e.g. {@code "BF16"}. */
    public String safetensorsName() {
        return name();
    }

    /**
     * The type with the given safetensors name (exact, case-sensitive as in the format).
     *
     * @throws IllegalArgumentException naming the known types when {@code name} is not one of them
     */
    public static DType fromName(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) return t;
        }
        throw new IllegalArgumentException("unknown dtype '" + name + "' (known: "
                + Arrays.stream(values()).map(DType::safetensorsName).collect(Collectors.joining(", ")) + ")");
    }
}
