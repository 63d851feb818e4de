package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one float species every SIMD kernel uses, chosen once at start-up.
 *
 * <p>System property {@code strix.simd.bits}: unset or {@code preferred} takes the machine's preferred
 * width; {@code 128}, {@code 256} or {@code 512} pins a width; {@code 0} turns SIMD off so that every kernel
 * runs its scalar path (which is how the scalar path itself is tested).
 */
public final class Simd {
    /** Property that pins the vector width in bits (0 = scalar only). */
    public static final String PROPERTY = "strix.simd.bits";

    /** Species used by all kernels; meaningless when {@link #ENABLED} is false. */
    public static final VectorSpecies<Float> F;
    /** False when SIMD is switched off: kernels then take their scalar loops. */
    public static final boolean ENABLED;
    /** Lanes of {@link #F}, or 1 when SIMD is off. */
    public static final int LANES;

    static {
        String v = System.getProperty(PROPERTY, "preferred").trim();
        VectorSpecies<Float> s;
        boolean on = true;
        switch (v) {
            case "preferred", "" -> s = FloatVector.SPECIES_PREFERRED;
            case "0", "scalar" -> { s = FloatVector.SPECIES_PREFERRED; on = false; }
            case "128" -> s = FloatVector.SPECIES_128;
            case "256" -> s = FloatVector.SPECIES_256;
            case "512" -> s = FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException(
                    PROPERTY + "=" + v + " is not one of 0, 128, 256, 512, preferred");
        }
        if (on && s.vectorBitSize() > FloatVector.SPECIES_PREFERRED.vectorBitSize()) {
            // a width the CPU lacks would run, but emulated and very slowly: take the widest real one
            s = FloatVector.SPECIES_PREFERRED;
        }
        F = s;
        ENABLED = on;
        LANES = on ? s.length() : 1;
    }

    private Simd() {}

    /** Human-readable description, e.g. {@code "256-bit (8 lanes)"} or {@code "scalar"}. */
    public static String describe() {
        return ENABLED ? F.vectorBitSize() + "-bit (" + F.length() + " float lanes)" : "scalar (SIMD off)";
    }
}
