package dev.strix.detection.data.augment;

import dev.strix.detection.data.Box;

/**
 * The geometric map from an original image to a square training or inference frame: optionally mirror
 * horizontally ({@code x -> originalWidth - x}), then scale by {@code scale} and shift by {@code (padX, padY)}:
 * {@code x' = x * scale + padX}, {@code y' = y * scale + padY}. A negative pad means the image was cropped on that
 * side. All coordinates are continuous pixel coordinates as in {@link Box}.
 */
public record LetterboxTransform(float scale, float padX, float padY, boolean flipped, int originalWidth, int originalHeight) {
    public LetterboxTransform {
        if (!(scale > 0) || !Float.isFinite(scale)) throw new IllegalArgumentException("scale must be positive, got " + scale);
        if (originalWidth <= 0 || originalHeight <= 0)
            throw new IllegalArgumentException("original size must be positive, got " + originalWidth + "x" + originalHeight);
    }

    /** {@code box} from original coordinates into the frame (not clipped). */
    public Box toLetterbox(Box box) {
        Box b = flipped ? new Box(originalWidth - box.x2(), box.y1(), originalWidth - box.x1(), box.y2()) : box;
        return b.scaleShift(scale, scale, padX, padY);
    }

    /** {@code box} from frame coordinates back to the original image, clipped to it. */
    public Box toOriginal(Box box) {
        float inv = 1f / scale;
        Box b = new Box((box.x1() - padX) * inv, (box.y1() - padY) * inv, (box.x2() - padX) * inv, (box.y2() - padY) * inv);
        if (flipped) b = new Box(originalWidth - b.x2(), b.y1(), originalWidth - b.x1(), b.y2());
        return b.clip(originalWidth, originalHeight);
    }
}
