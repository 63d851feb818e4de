package dev.strix.detection.data.augment;

import dev.strix.detection.data.ImageAnnotation;
import dev.strix.detection.data.ObjectAnnotation;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;

/**
 * The deterministic letterbox used for inference and evaluation: scale the image by {@code S / max(w, h)} and centre
 * it in an {@code S x S} frame (pads rounded down to whole pixels) filled with gray {@link #FILL}.
 */
public final class Letterbox {
    /** The 8-bit gray value of padding, in every channel. */
    public static final int FILL = 114;

    private Letterbox() {
    }

    /** The centred transform for a {@code width x height} image into an {@code size x size} frame. */
    public static LetterboxTransform transform(int width, int height, int size) {
        float scale = (float) size / Math.max(width, height);
        float padX = (float) Math.floor((size - width * scale) / 2), padY = (float) Math.floor((size - height * scale) / 2);
        return new LetterboxTransform(scale, Math.max(0, padX), Math.max(0, padY), false, width, height);
    }

    /** {@code image} letterboxed to {@code size}; no objects, image id "image". */
    public static TrainSample apply(BufferedImage image, int size) {
        return apply(image, size, "image");
    }

    public static TrainSample apply(BufferedImage image, int size, String imageId) {
        return apply(image, new ImageAnnotation(imageId, null, image.getWidth(), image.getHeight(), List.of()), size);
    }

    /** {@code image} letterboxed with its annotation's objects carried into the frame (none dropped). */
    public static TrainSample apply(BufferedImage image, ImageAnnotation annotation, int size) {
        LetterboxTransform t = transform(image.getWidth(), image.getHeight(), size);
        float[] chw = blankFrame(size);
        render(image, t, chw, size, new int[] {0, 0, size, size});
        List<ObjectAnnotation> objects = BoxMapping.map(annotation.objects(), t, new int[] {0, 0, size, size}, 0f, 0f);
        return new TrainSample(chw, size, objects, annotation.imageId(), image.getWidth(), image.getHeight(), t);
    }

    /** A {@code (3, size, size)} frame filled with {@link #FILL} / 255. */
    static float[] blankFrame(int size) {
        float[] chw = new float[3 * size * size];
        Arrays.fill(chw, FILL / 255f);
        return chw;
    }

    /** Draws {@code image} through {@code t} into {@code region} of the frame. */
    static void render(BufferedImage image, LetterboxTransform t, float[] chw, int size, int[] region) {
        int w = image.getWidth(), h = image.getHeight();
        int[] src = image.getRGB(0, 0, w, h, null, 0, w);
        Resampler.render(src, w, h, t, chw, size, region);
    }
}
