package dev.strix.detection.bench;

/**
 * The SplitMix64 generator (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", 2014):
 * a 64-bit state advanced by the golden-ratio increment and scrambled by two multiply-xorshift rounds.
 * It is spelled out here (rather than {@link java.util.SplittableRandom}) so that the PyTorch benchmark script
 * can produce the very same synthetic targets from the same seed with a dozen lines of Python.
 */
final class SplitMix64 {
    private long state;

    SplitMix64(long seed) {
        state = seed;
    }

    /** The next 64 random bits. */
    long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) from the top 53 bits. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform integer in [0, bound), bound >= 1 (floor of a uniform double: the same in Python). */
    int nextInt(int bound) {
        return (int) Math.floor(nextDouble() * bound);
    }
}
