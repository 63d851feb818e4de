package dev.strix.detection.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Image files that are broken, hostile or unusual, all made here: every unreadable one fails with an
 * {@link IOException} naming the file and the problem, every decodable one arrives as exact 8-bit RGB.
 */
class BadImagesTest {
    @TempDir
    Path dir;

    /** A 40 x 30 picture with a different colour in every pixel. */
    private static BufferedImage pattern() {
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) for (int x = 0; x < 40; x++) img.setRGB(x, y, (x * 6) << 16 | (y * 8) << 8 | 100);
        return img;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    private static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), "a " + format + " writer");
        return out.toByteArray();
    }

    private static IOException refused(Path f, String... fragments) {
        IOException e = assertThrows(IOException.class, () -> ImageFiles.read(f, ReadOptions.DEFAULT_MAX_PIXELS));
        String m = e.getMessage();
        assertTrue(m.startsWith(f.toString() + ": "), "starts with the file: " + m);
        for (String s : fragments) assertTrue(m.contains(s), "expected '" + s + "' in: " + m);
        return e;
    }

    @Test
    void zeroByteFile() throws IOException {
        refused(write("empty.jpg", new byte[0]), "empty file (0 bytes)");
        IOException e = assertThrows(IOException.class, () -> ImageFiles.dimensions(dir.resolve("empty.jpg")));
        assertTrue(e.getMessage().contains("empty.jpg") && e.getMessage().contains("empty file"), e.getMessage());
    }

    @Test
    void truncatedPngAtEveryQuarter() throws IOException {
        byte[] png = encode(pattern(), "png");
        for (int keep : new int[] {8, 20, 40, png.length / 4, png.length / 2, png.length * 3 / 4}) {
            Path f = write("cut" + keep + ".png", Arrays.copyOf(png, keep));
            refused(f, "corrupt or truncated");
        }
    }

    @Test
    void truncatedJpegIsRefusedNotHalfGrey() throws IOException {
        byte[] jpg = encode(pattern(), "jpg");
        for (int keep : new int[] {2, 30, jpg.length / 3, jpg.length / 2, jpg.length - 40}) {
            Path f = write("cut" + keep + ".jpg", Arrays.copyOf(jpg, keep));
            refused(f, "corrupt or truncated");
        }
        // the whole file still decodes
        assertEquals(40, ImageFiles.read(write("whole.jpg", jpg), 10_000).getWidth());
    }

    @Test
    void corruptBytesInsidePngData() throws IOException {
        byte[] png = encode(pattern(), "png");
        int idat = indexOf(png, "IDAT".getBytes(StandardCharsets.US_ASCII));
        for (int i = idat + 6; i < idat + 30; i++) png[i] ^= 0x5A; // zlib header and data scrambled; CRC now wrong
        refused(write("scrambled.png", png), "corrupt or truncated");
    }

    @Test
    void unsupportedFormats() throws IOException {
        refused(write("text.png", "just some text, not pixels".getBytes(StandardCharsets.UTF_8)),
                "not a supported image format");
        byte[] webp = "RIFF\u0024\0\0\0WEBPVP8 \u0018\0\0\0".getBytes(StandardCharsets.ISO_8859_1);
        refused(write("photo.jpg", Arrays.copyOf(webp, 64)), "not a supported image format");
        assertTrue(ImageFiles.isImageFile(Path.of("a.JPEG")));
        assertTrue(!ImageFiles.isImageFile(Path.of("a.webp")) && !ImageFiles.isImageFile(Path.of("a.tiff")),
                "formats outside EXTENSIONS are not picked up from folders");
    }

    @Test
    void grayscaleJpegAndPngBecomeRgb() throws IOException {
        BufferedImage gray = new BufferedImage(8, 4, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 8; x++) for (int y = 0; y < 4; y++) gray.getRaster().setSample(x, y, 0, x * 30 + y);
        BufferedImage png = ImageFiles.read(write("gray.png", encode(gray, "png")), 100);
        assertEquals(BufferedImage.TYPE_INT_RGB, png.getType());
        for (int x = 0; x < 8; x++)
            for (int y = 0; y < 4; y++) {
                int g = x * 30 + y;
                assertEquals(g << 16 | g << 8 | g, png.getRGB(x, y) & 0xFFFFFF, "(" + x + ", " + y + ")");
            }
        // JPEG is lossy: equal channels (grey), each close to the source level
        BufferedImage jpg = ImageFiles.read(write("gray.jpg", encode(gray, "jpg")), 100);
        assertEquals(BufferedImage.TYPE_INT_RGB, jpg.getType());
        for (int x = 0; x < 8; x++)
            for (int y = 0; y < 4; y++) {
                int p = jpg.getRGB(x, y), r = p >> 16 & 255, g = p >> 8 & 255, b = p & 255;
                assertTrue(r == g && g == b, "grey pixel " + Integer.toHexString(p));
                assertEquals(x * 30 + y, r, 12, "(" + x + ", " + y + ")");
            }
    }

    @Test
    void sixteenBitRgbPngBecomesEightBit() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), new int[] {16, 16, 16},
                false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(5, 3);
        BufferedImage img = new BufferedImage(cm, raster, false, null);
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 5; x++)
                for (int c = 0; c < 3; c++) raster.setSample(x, y, c, level(x, y, c) * 257); // v * 257: exact in 8 bits
        BufferedImage rgb = ImageFiles.read(write("rgb16.png", encode(img, "png")), 100);
        assertEquals(BufferedImage.TYPE_INT_RGB, rgb.getType());
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 5; x++) {
                int want = level(x, y, 0) << 16 | level(x, y, 1) << 8 | level(x, y, 2);
                assertEquals(want, rgb.getRGB(x, y) & 0xFFFFFF, "(" + x + ", " + y + ")");
            }
    }

    private static int level(int x, int y, int c) {
        return (x * 50 + y * 20 + c * 70) % 256;
    }

    @Test
    void alphaPngKeepsTheStoredColour() throws IOException {
        BufferedImage argb = new BufferedImage(4, 1, BufferedImage.TYPE_INT_ARGB);
        int[] colours = {0x00123456, 0x40ABCDEF, 0xC0FF0000, 0xFF00FF00};
        for (int x = 0; x < 4; x++) argb.setRGB(x, 0, colours[x]);
        BufferedImage rgb = ImageFiles.read(write("alpha.png", encode(argb, "png")), 100);
        assertEquals(BufferedImage.TYPE_INT_RGB, rgb.getType());
        for (int x = 0; x < 4; x++) assertEquals(colours[x] & 0xFFFFFF, rgb.getRGB(x, 0) & 0xFFFFFF, "pixel " + x);
    }

    /** A 4-component JPEG (no Adobe marker), which readers take as CMYK. */
    private static byte[] cmykJpeg() throws IOException {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 16, 8, 4, null);
        for (int y = 0; y < 8; y++) for (int x = 0; x < 16; x++) raster.setPixel(x, y, new int[] {x * 10, y * 20, 30, 0});
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    @Test
    void cmykJpegIsRefusedWithAdvice() throws IOException {
        byte[] jpg = cmykJpeg();
        Path f = write("cmyk.jpg", jpg);
        assertArrayEquals(new int[] {16, 8}, ImageFiles.dimensions(f), "the header reads");
        refused(f, "CMYK", "convert the file to RGB");
    }

    /** A PNG signature and IHDR chunk (valid CRC) declaring {@code w x h} 8-bit RGB, then an empty IDAT and IEND. */
    private static byte[] pngHeader(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(b, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0).array());
        chunk(b, "IDAT", new byte[0]);
        chunk(b, "IEND", new byte[0]);
        return b.array();
    }

    private static void chunk(ByteBuffer b, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        b.putInt(data.length).put(t).put(data).putInt((int) crc.getValue());
    }

    @Test
    void decompressionBombIsRefusedFromTheHeader() throws IOException {
        Path f = write("bomb.png", pngHeader(100_000, 100_000));
        assertEquals(57, Files.size(f), "a 57-byte file");
        assertArrayEquals(new int[] {100_000, 100_000}, ImageFiles.dimensions(f));
        refused(f, "100000x100000", "10000000000 pixels", "exceeds the limit of 100000000 pixels");
        // the limit is the caller's (ReadOptions.maxPixels for the dataset readers)
        Path small = write("small.png", encode(pattern(), "png"));
        IOException e = assertThrows(IOException.class, () -> ImageFiles.read(small, 1199));
        assertTrue(e.getMessage().contains("40x30 = 1200 pixels exceeds the limit of 1199"), e.getMessage());
        assertEquals(40, ImageFiles.read(small, 1200).getWidth());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }
}
