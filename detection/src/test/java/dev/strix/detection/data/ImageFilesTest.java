package dev.strix.detection.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFilesTest {
    @TempDir
    Path dir;

    @Test
    void sixteenBitGrayBecomesRgbWithoutGammaShift() throws IOException {
        BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_USHORT_GRAY);
        gray.getRaster().setSample(0, 0, 0, 32896); // 32896 / 65535 * 255 = 128.0
        gray.getRaster().setSample(1, 0, 0, 65535);
        Path f = dir.resolve("g16.png");
        ImageIO.write(gray, "png", f.toFile());
        BufferedImage rgb = ImageFiles.read(f, 100);
        assertEquals(BufferedImage.TYPE_INT_RGB, rgb.getType());
        assertEquals(0x808080, rgb.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0xFFFFFF, rgb.getRGB(1, 0) & 0xFFFFFF);
        assertEquals(0, rgb.getRGB(2, 1) & 0xFFFFFF);
    }

    @Test
    void alphaIsDroppedKeepingColour() throws IOException {
        BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x80123456);
        argb.setRGB(1, 0, 0xFF00FF00);
        Path f = dir.resolve("a.png");
        ImageIO.write(argb, "png", f.toFile());
        BufferedImage rgb = ImageFiles.read(f, 100);
        assertEquals(0x123456, rgb.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x00FF00, rgb.getRGB(1, 0) & 0xFFFFFF);
    }

    @Test
    void pixelLimitIsCheckedBeforeDecoding() throws IOException {
        Path f = dir.resolve("big.png");
        TestImages.writePng(TestImages.solid(100, 60, 0), f);
        assertArrayEquals(new int[] {100, 60}, ImageFiles.dimensions(f));
        IOException e = assertThrows(IOException.class, () -> ImageFiles.read(f, 5999));
        assertTrue(e.getMessage().contains("big.png") && e.getMessage().contains("100x60")
                && e.getMessage().contains("exceeds the limit of 5999"), e.getMessage());
        assertEquals(100, ImageFiles.read(f, 6000).getWidth());
    }

    @Test
    void unreadableFilesAreNamed() throws IOException {
        Path junk = dir.resolve("junk.jpg");
        Files.writeString(junk, "not an image");
        IOException e = assertThrows(IOException.class, () -> ImageFiles.read(junk, 100));
        assertTrue(e.getMessage().contains("junk.jpg") && e.getMessage().contains("not a supported image format"), e.getMessage());
        IOException missing = assertThrows(IOException.class, () -> ImageFiles.read(dir.resolve("none.png"), 100));
        assertTrue(missing.getMessage().contains("none.png") && missing.getMessage().contains("not found"), missing.getMessage());
    }

    @Test
    void indexedAndBgrConvertExactly() {
        BufferedImage bgr = new BufferedImage(2, 2, BufferedImage.TYPE_3BYTE_BGR);
        bgr.setRGB(1, 1, 0xA1B2C3);
        assertEquals(0xA1B2C3, ImageFiles.toRgb(bgr).getRGB(1, 1) & 0xFFFFFF);
        BufferedImage gray8 = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray8.getRaster().setSample(0, 0, 0, 77);
        assertEquals(0x4D4D4D, ImageFiles.toRgb(gray8).getRGB(0, 0) & 0xFFFFFF);
    }
}
