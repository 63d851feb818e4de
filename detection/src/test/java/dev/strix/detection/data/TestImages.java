package dev.strix.detection.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Small images and pixel comparisons for the data tests. */
public final class TestImages {
    private TestImages() {
    }

    public static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, rgb);
        return img;
    }

    public static void writePng(BufferedImage img, Path file) throws IOException {
        if (!ImageIO.write(img, "png", file.toFile())) throw new IOException("no png writer");
    }

    public static void assertSamePixels(BufferedImage want, BufferedImage got) {
        assertEquals(want.getWidth(), got.getWidth(), "width");
        assertEquals(want.getHeight(), got.getHeight(), "height");
        for (int y = 0; y < want.getHeight(); y++)
            for (int x = 0; x < want.getWidth(); x++)
                if ((want.getRGB(x, y) & 0xFFFFFF) != (got.getRGB(x, y) & 0xFFFFFF))
                    fail("pixel (" + x + ", " + y + "): want " + Integer.toHexString(want.getRGB(x, y) & 0xFFFFFF)
                            + " got " + Integer.toHexString(got.getRGB(x, y) & 0xFFFFFF));
    }
}
