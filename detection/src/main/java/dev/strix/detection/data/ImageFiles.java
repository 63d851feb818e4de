package dev.strix.detection.data;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Image decoding through ImageIO with a pixel limit checked on the header before any pixel is decoded, and
 * conversion of every decodable type (grayscale, 16-bit, indexed, with alpha) to {@code TYPE_INT_RGB}.
 */
public final class ImageFiles {
    /** File name extensions recognised as images, lower case, without the dot. */
    public static final List<String> EXTENSIONS = List.of("jpg", "jpeg", "png", "bmp", "gif");

    private ImageFiles() {
    }

    /** True when the file name ends in one of {@link #EXTENSIONS} (any case). */
    public static boolean isImageFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1));
    }

    /** Width and height from the file header, without decoding pixels. */
    public static int[] dimensions(Path file) throws IOException {
        try (ImageInputStream in = open(file)) {
            ImageReader reader = readerFor(in, file);
            try {
                reader.setInput(in, true, true);
                return size(reader, file);
            } finally {
                reader.dispose();
            }
        }
    }

    /**
     * Decodes {@code file} to a {@code TYPE_INT_RGB} image.
     *
     * @throws IOException naming the file: missing, empty, unsupported format, more than {@code maxPixels} pixels,
     *                     CMYK JPEG, or corrupt or truncated data
     */
    public static BufferedImage read(Path file, long maxPixels) throws IOException {
        try (ImageInputStream in = open(file)) {
            ImageReader reader = readerFor(in, file);
            try {
                reader.setInput(in, true, true);
                int[] size = size(reader, file);
                int w = size[0], h = size[1];
                if ((long) w * h > maxPixels)
                    throw new IOException(file + ": image of " + w + "x" + h + " = " + (long) w * h
                            + " pixels exceeds the limit of " + maxPixels + " pixels (decompression-bomb guard)");
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage image;
                try {
                    image = reader.read(0);
                } catch (IIOException e) {
                    String msg = String.valueOf(e.getMessage());
                    if (msg.contains("Unsupported Image Type") || msg.contains("Unsupported JPEG process"))
                        throw new IOException(file + ": unsupported colour encoding (" + msg
                                + "); CMYK/YCCK JPEG images cannot be decoded to RGB reliably, convert the file to RGB", e);
                    throw new IOException(file + ": corrupt or truncated image data: " + describe(e), e);
                } catch (IOException | RuntimeException e) {
                    throw new IOException(file + ": corrupt or truncated image data: " + describe(e), e);
                }
                // the JPEG decoder fills a truncated image with grey and only warns
                for (String warning : warnings)
                    if (warning.toLowerCase(Locale.ROOT).contains("premature end"))
                        throw new IOException(file + ": corrupt or truncated image data: " + warning);
                int space = image.getColorModel().getColorSpace().getType();
                if (space == ColorSpace.TYPE_CMYK || space == ColorSpace.TYPE_4CLR)
                    throw new IOException(file + ": CMYK/YCCK JPEG images cannot be decoded to RGB reliably (the ink "
                            + "conversion depends on the profile), convert the file to RGB");
                return toRgb(image);
            } finally {
                reader.dispose();
            }
        }
    }

    /** The header's width and height, checked positive; an unreadable header is reported as corrupt. */
    private static int[] size(ImageReader reader, Path file) throws IOException {
        int w, h;
        try {
            w = reader.getWidth(0);
            h = reader.getHeight(0);
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": corrupt or truncated image header: " + describe(e), e);
        }
        if (w <= 0 || h <= 0) throw new IOException(file + ": invalid image size " + w + "x" + h);
        return new int[] {w, h};
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        String text = m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
        Throwable cause = e.getCause();
        return cause != null && cause != e && cause.getMessage() != null && !text.contains(cause.getMessage())
                ? text + " (" + cause.getMessage() + ")" : text;
    }

    private static ImageInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": image file not found");
        if (Files.size(file) == 0) throw new IOException(file + ": empty file (0 bytes), not an image");
        ImageInputStream in = ImageIO.createImageInputStream(file.toFile());
        if (in == null) throw new IOException(file + ": cannot open image file");
        return in;
    }

    private static ImageReader readerFor(ImageInputStream in, Path file) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            in.close();
            throw new IOException(file + ": not a supported image format (supported: " + EXTENSIONS + ")");
        }
        return readers.next();
    }

    /**
     * {@code image} as {@code TYPE_INT_RGB} (returned as is when it already is). Gray levels of any bit depth are
     * scaled to 8 bits and replicated; alpha is dropped (the stored colour is kept, as most tools do).
     */
    public static BufferedImage toRgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) return image;
        int w = image.getWidth(), h = image.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        ColorSpace cs = image.getColorModel().getColorSpace();
        Raster raster = image.getRaster();
        boolean gray = cs.getType() == ColorSpace.TYPE_GRAY && raster.getNumBands() <= 2;
        if (gray) {
            double scale = 255.0 / ((1L << image.getColorModel().getComponentSize(0)) - 1);
            int[] samples = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, samples);
                for (int x = 0; x < w; x++) {
                    int g = (int) Math.round(samples[x] * scale);
                    row[x] = g << 16 | g << 8 | g;
                }
                out.setRGB(0, y, w, 1, row, 0, w);
            }
        } else {
            for (int y = 0; y < h; y++) {
                image.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) row[x] &= 0xFFFFFF;
                out.setRGB(0, y, w, 1, row, 0, w);
            }
        }
        return out;
    }
}
