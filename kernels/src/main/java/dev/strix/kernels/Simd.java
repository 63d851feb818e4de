package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one float species every SIMD kernel uses, chosen once at start-up.
 *
 * <p>System property {@code strix.simd.bits}: unset or {@code preferred} takes the machine's preferred
 * width; {@code 128}, {@code 256} or {@code 512} pins a width; {@code 0} turns SIMD off so that every kernel
 * runs its scalar path (which is how the scalar path itself is tested).
 *
 * <p>It also holds the lane reductions and the exponential that kernels use instead of
 * {@code reduceLanes(ADD)} and {@code lanewise(EXP)}: the JDK leaves the order of a float lane reduction
 * unspecified and computes {@code EXP} differently in interpreted and compiled code, so results could change
 * in the last bit with the moment the JIT compiled a loop. {@link #sum} and {@link #exp} are built from lanewise
 * IEEE operations in a fixed order, so a computation gives the same bits in every run.
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

    /** Shuffles that rotate the lanes by L/2, L/4, L/8 and L/16 (null where that step is below one lane). */
    private static final VectorShuffle<Float> FOLD_1, FOLD_2, FOLD_3, FOLD_4;

    static {
        VectorShuffle<Float>[] folds = new VectorShuffle[4];
        int lanes = F.length();
        for (int k = 0, step = lanes / 2; k < 4; k++, step /= 2) {
            int st = step;
            folds[k] = st >= 1 ? VectorShuffle.fromOp(F, i -> (i + st) & (lanes - 1)) : null;
        }
        FOLD_1 = folds[0];
        FOLD_2 = folds[1];
        FOLD_3 = folds[2];
        FOLD_4 = folds[3];
    }

    private Simd() {}

    /**
     * Sum of the lanes of {@code v} (species {@link #F}) by a fixed pairwise tree: lane i is added to lane
     * i + L/2, then i + L/4, ..., so the rounding is the same whether the code runs interpreted or compiled.
     */
    public static float sum(FloatVector v) {
        if (FOLD_1 != null) v = v.add(v.rearrange(FOLD_1));
        if (FOLD_2 != null) v = v.add(v.rearrange(FOLD_2));
        if (FOLD_3 != null) v = v.add(v.rearrange(FOLD_3));
        if (FOLD_4 != null) v = v.add(v.rearrange(FOLD_4));
        return v.lane(0);
    }

    /** A float function applied lane by lane. */
    @FunctionalInterface
    public interface FloatOp {
        float apply(float x);
    }

    /**
     * {@code f} applied to each lane through scalar code: for the functions without a fixed-order vector form
     * here (log, tanh, atan), whose {@code lanewise} forms differ between interpreted and compiled code.
     */
    public static FloatVector map(FloatVector v, FloatOp f) {
        float[] a = v.toArray();
        for (int i = 0; i < a.length; i++) a[i] = f.apply(a[i]);
        return FloatVector.fromArray(v.species(), a, 0);
    }

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to the nearest integer. */
    private static final float ROUND = 12582912f;

    /**
     * e^x lane by lane (species {@link #F}), within 2 ulp of {@link Math#exp} over the float range, NaN for NaN,
     * +inf above about 88.72, 0 (through the subnormals) below about -103.9. Range reduction
     * {@code x = k ln2 + r} with {@code |r| <= ln2/2}, a degree-6 polynomial for e^r (Cephes' expf), then
     * scaling by 2^k in two halves so that k down to -252 stays exact. Only lanewise IEEE operations, hence the
     * same bits interpreted and compiled.
     */
    public static FloatVector exp(FloatVector x) {
        VectorMask<Float> nan = x.test(VectorOperators.IS_NAN);
        FloatVector xc = x.max(-104f).min(89f);
        FloatVector k = xc.fma(LOG2E, ROUND).sub(ROUND);
        FloatVector r = k.fma(FloatVector.broadcast(F, -LN2_HI), xc);
        r = k.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        p = p.fma(r, FloatVector.broadcast(F, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(F, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(F, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(F, 5.0000001201e-1f));
        FloatVector r2 = r.mul(r);
        FloatVector y = p.fma(r2, r).add(1f);
        IntVector ki = (IntVector) k.convert(VectorOperators.F2I, 0);
        IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
        IntVector k2 = ki.sub(k1);
        FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(s1).mul(s2).blend(x, nan);
    }

    /** Human-readable description, e.g. {@code "256-bit (8 lanes)"} or {@code "scalar"}. */
    public static String describe() {
        return ENABLED ? F.vectorBitSize() + "-bit (" + F.length() + " float lanes)" : "scalar (SIMD off)";
    }
}
