package dev.strix.detection.data.augment;

/**
 * Settings of the training augmentation.
 *
 * @param size               the square output side S
 * @param flipProbability    probability of a horizontal flip
 * @param scaleMin           smallest factor on the letterbox scale {@code S / max(w, h)} (log-uniform draw)
 * @param scaleMax           largest factor; above 1 the image is cropped, below 1 padded
 * @param randomPlacement    true: the image lands at a random offset (random crop/pad); false: centred
 * @param color              photometric jitter
 * @param mosaicProbability  probability of a 4-image mosaic instead of a single image
 * @param minBoxSide         boxes with a side below this many output pixels after clipping are dropped
 * @param minVisibleFraction boxes keeping less than this fraction of their area after clipping are dropped
 */
public record AugmentConfig(int size, double flipProbability, double scaleMin, double scaleMax, boolean randomPlacement,
                            ColorJitter color, double mosaicProbability, float minBoxSide, float minVisibleFraction) {
    public AugmentConfig {
        if (size < 8) throw new IllegalArgumentException("size must be >= 8, got " + size);
        if (!(scaleMin > 0) || scaleMax < scaleMin) throw new IllegalArgumentException("need 0 < scaleMin <= scaleMax, got "
                + scaleMin + ", " + scaleMax);
        if (flipProbability < 0 || flipProbability > 1 || mosaicProbability < 0 || mosaicProbability > 1)
            throw new IllegalArgumentException("probabilities must lie in [0, 1]");
        if (minBoxSide < 0 || minVisibleFraction < 0 || minVisibleFraction > 1)
            throw new IllegalArgumentException("minBoxSide >= 0 and minVisibleFraction in [0, 1] required");
    }

    /**
     * Training defaults: flip 0.5, scale 0.6-1.4 with random placement, colour jitter (brightness 0.3, contrast 0.3,
     * saturation 0.5, hue 10 degrees), no mosaic, boxes below 2 px or 25% visible dropped.
     */
    public static AugmentConfig training(int size) {
        return new AugmentConfig(size, 0.5, 0.6, 1.4, true, new ColorJitter(0.3, 0.3, 0.5, 10), 0, 2f, 0.25f);
    }

    /** No randomness: the centred letterbox of {@link Letterbox}, for evaluation. */
    public static AugmentConfig none(int size) {
        return new AugmentConfig(size, 0, 1, 1, false, ColorJitter.NONE, 0, 0f, 0f);
    }

    public AugmentConfig withMosaic(double probability) {
        return new AugmentConfig(size, flipProbability, scaleMin, scaleMax, randomPlacement, color, probability, minBoxSide,
                minVisibleFraction);
    }

    public AugmentConfig withFlip(double probability) {
        return new AugmentConfig(size, probability, scaleMin, scaleMax, randomPlacement, color, mosaicProbability, minBoxSide,
                minVisibleFraction);
    }

    public AugmentConfig withScale(double min, double max) {
        return new AugmentConfig(size, flipProbability, min, max, randomPlacement, color, mosaicProbability, minBoxSide,
                minVisibleFraction);
    }

    public AugmentConfig withColor(ColorJitter jitter) {
        return new AugmentConfig(size, flipProbability, scaleMin, scaleMax, randomPlacement, jitter, mosaicProbability,
                minBoxSide, minVisibleFraction);
    }
}
