package dev.strix.nn.io;

/**
 * Conversions between float32 and the 16-bit float formats, on raw bit patterns held in the low 16 bits of an int.
 *
 * <p>F16 is IEEE 754 binary16 (1 sign, 5 exponent, 10 mantissa bits); BF16 is the upper half of a binary32
 * (1 sign, 8 exponent, 7 mantissa bits). Narrowing rounds to nearest, ties to even, keeps subnormals, overflows to
 * infinity and maps NaN to a quiet NaN of the same sign. Widening is exact.
 */
public final class HalfPrecision {
    private HalfPrecision() {
    }

    /** binary16 bits (low 16 bits of the result) nearest to {@code value}, ties to even. */
    public static int floatToF16(float value) {
        return Float.floatToFloat16(value) & 0xFFFF;
    }

    /** The float equal to the binary16 value with bits {@code bits} (low 16 bits used). */
    public static float f16ToFloat(int bits) {
        return Float.float16ToFloat((short) bits);
    }

    /** bfloat16 bits (low 16 bits of the result) nearest to {@code value}, ties to even. */
    public static int floatToBF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) return ((bits >>> 16) | 0x0040) & 0xFFFF; // keep sign and payload top, force quiet
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return ((bits + roundingBias) >>> 16) & 0xFFFF;
    }

    /** The float equal to the bfloat16 value with bits {@code bits} (low 16 bits used). */
    public static float bf16ToFloat(int bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
