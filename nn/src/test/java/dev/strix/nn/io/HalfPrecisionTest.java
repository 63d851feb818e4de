package dev.strix.nn.io;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Checks the 16-bit float conversions against hand-computed bit patterns and an exact nearest-value search. */
class HalfPrecisionTest {

    /** Value of binary16 bits, decoded field by field (positive infinity decodes as 2^16 for distance checks). */
    private static double f16Value(int bits) {
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        double magnitude = exp == 0 ? Math.scalb((double) mant, -24)
                : exp == 31 ? (mant == 0 ? 65536.0 : Double.NaN) : Math.scalb((double) (1024 + mant), exp - 25);
        return (bits & 0x8000) != 0 ? -magnitude : magnitude;
    }

    /** Value of bfloat16 bits, decoded field by field (positive infinity decodes as 2^128 for distance checks). */
    private static double bf16Value(int bits) {
        int exp = (bits >>> 7) & 0xFF;
        int mant = bits & 0x7F;
        double magnitude = exp == 0 ? Math.scalb((double) mant, -133)
                : exp == 255 ? (mant == 0 ? Math.scalb(1.0, 128) : Double.NaN) : Math.scalb((double) (128 + mant), exp - 134);
        return (bits & 0x8000) != 0 ? -magnitude : magnitude;
    }

    /**
     * Nearest of two adjacent non-negative codes {@code lo} and {@code lo + 1} to {@code a}, ties to the even code.
     * Both differences are exact in double (Sterbenz: the codes lie within a factor of 2 of {@code a}).
     */
    private static int nearest(double a, int lo, double loValue, double hiValue) {
        double dLo = a - loValue;
        double dHi = hiValue - a;
        if (dLo < dHi) return lo;
        if (dHi < dLo) return lo + 1;
        return (lo & 1) == 0 ? lo : lo + 1;
    }

    private static int referenceF16(float f) {
        int sign = (Float.floatToRawIntBits(f) >>> 16) & 0x8000;
        double a = Math.abs((double) f);
        int lo = 0;
        int hi = 0x7C00; // search the largest code whose value is <= a
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (f16Value(mid) <= a) lo = mid; else hi = mid - 1;
        }
        if (lo == 0x7C00) return sign | 0x7C00;
        return sign | nearest(a, lo, f16Value(lo), f16Value(lo + 1));
    }

    private static int referenceBF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int lo = (bits >>> 16) & 0x7FFF; // truncation never exceeds the value
        if (lo == 0x7F80) return sign | lo;
        return sign | nearest(Math.abs((double) f), lo, bf16Value(lo), bf16Value(lo + 1));
    }

    @Test
    void f16HandComputedPatterns() {
        float[] in = {1f, -2f, 65504f, 65519f, 65520f, 0x1p-24f, 0x1p-25f, 0x1.8p-25f, 0x1p-14f, 0.1f, 1f / 3,
                0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1f + 0x1p-11f, 1f + 0x3p-11f, 1e-8f, 1e10f};
        int[] want = {0x3C00, 0xC000, 0x7BFF, 0x7BFF, 0x7C00, 0x0001, 0x0000, 0x0001, 0x0400, 0x2E66, 0x3555,
                0x0000, 0x8000, 0x7C00, 0xFC00, 0x3C00, 0x3C02, 0x0000, 0x7C00};
        for (int i = 0; i < in.length; i++) {
            assertEquals(want[i], HalfPrecision.floatToF16(in[i]), "index " + i + " value " + in[i]);
        }
        int nan = HalfPrecision.floatToF16(Float.NaN);
        assertTrue((nan & 0x7C00) == 0x7C00 && (nan & 0x3FF) != 0, Integer.toHexString(nan));
        assertEquals(0x8000, HalfPrecision.floatToF16(-Float.MIN_VALUE) & 0xFFFF);
    }

    @Test
    void bf16HandComputedPatterns() {
        int[] in = {0x3F800000, 0x3F808000, 0x3F818000, 0x3F808001, 0x7F7FFFFF, 0x00000001, 0x00008000, 0x00018000,
                0xFF800000, 0x80000000, 0xC0490FDB, 0x7F7F7FFF};
        int[] want = {0x3F80, 0x3F80, 0x3F82, 0x3F81, 0x7F80, 0x0000, 0x0000, 0x0002,
                0xFF80, 0x8000, 0xC049, 0x7F7F};
        for (int i = 0; i < in.length; i++) {
            assertEquals(want[i], HalfPrecision.floatToBF16(Float.intBitsToFloat(in[i])),
                    "index " + i + " bits 0x" + Integer.toHexString(in[i]));
        }
        int nan = HalfPrecision.floatToBF16(Float.intBitsToFloat(0xFF800001)); // NaN whose payload sits in the low half
        assertTrue((nan & 0x7F80) == 0x7F80 && (nan & 0x7F) != 0 && (nan & 0x8000) != 0, Integer.toHexString(nan));
    }

    @Test
    void decodingIsExactForEveryBitPattern() {
        for (int bits = 0; bits < 0x10000; bits++) {
            double f16 = f16Value(bits);
            float gotF16 = HalfPrecision.f16ToFloat(bits);
            boolean f16Inf = (bits & 0x7FFF) == 0x7C00;
            if (Double.isNaN(f16)) {
                assertTrue(Float.isNaN(gotF16), "f16 0x" + Integer.toHexString(bits));
            } else {
                assertEquals(f16Inf ? Math.copySign(Double.POSITIVE_INFINITY, f16) : f16, gotF16, 0.0,
                        "f16 0x" + Integer.toHexString(bits));
                assertEquals(bits, HalfPrecision.floatToF16(gotF16), "f16 re-encode 0x" + Integer.toHexString(bits));
            }
            double bf16 = bf16Value(bits);
            float gotBf16 = HalfPrecision.bf16ToFloat(bits);
            if (Double.isNaN(bf16)) {
                assertTrue(Float.isNaN(gotBf16), "bf16 0x" + Integer.toHexString(bits));
            } else {
                boolean inf = (bits & 0x7FFF) == 0x7F80;
                assertEquals(inf ? Math.copySign(Double.POSITIVE_INFINITY, bf16) : bf16, gotBf16, 0.0,
                        "bf16 0x" + Integer.toHexString(bits));
                assertEquals(bits, HalfPrecision.floatToBF16(gotBf16), "bf16 re-encode 0x" + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void encodingRoundsToNearestEvenOnRandomFloats() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < 300_000; i++) {
            // half the samples spread over every float, half over the binary16 range 2^-27 .. 2^17
            float f = i % 2 == 0 ? Float.intBitsToFloat(rnd.nextInt())
                    : (float) Math.scalb(rnd.nextDouble(1, 2), rnd.nextInt(-27, 17)) * (rnd.nextBoolean() ? 1 : -1);
            if (Float.isNaN(f)) continue;
            int gotF16 = HalfPrecision.floatToF16(f);
            int wantF16 = referenceF16(f);
            if (gotF16 != wantF16)
                fail("f16 of " + f + " (0x" + Integer.toHexString(Float.floatToRawIntBits(f)) + "): got 0x"
                        + Integer.toHexString(gotF16) + " want 0x" + Integer.toHexString(wantF16));
            int gotBf16 = HalfPrecision.floatToBF16(f);
            int wantBf16 = referenceBF16(f);
            if (gotBf16 != wantBf16)
                fail("bf16 of " + f + " (0x" + Integer.toHexString(Float.floatToRawIntBits(f)) + "): got 0x"
                        + Integer.toHexString(gotBf16) + " want 0x" + Integer.toHexString(wantBf16));
        }
    }

    @Test
    void dtypeNamesAndSizes() {
        String[] names = {"F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL"};
        int[] sizes = {8, 4, 2, 2, 8, 4, 2, 1, 1, 1};
        for (int i = 0; i < names.length; i++) {
            DType t = DType.fromName(names[i]);
            assertEquals(names[i], t.safetensorsName());
            assertEquals(sizes[i], t.bytes(), names[i]);
            assertEquals(i < 4, t.isFloatingPoint(), names[i]);
        }
        assertEquals(names.length, DType.values().length);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DType.fromName("f32"));
        assertTrue(e.getMessage().contains("unknown dtype 'f32'") && e.getMessage().contains("BF16"), e.getMessage());
    }
}
