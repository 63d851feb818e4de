package dev.strix.detection.train;

import dev.strix.detection.data.Box;
import dev.strix.detection.data.Detection;
import dev.strix.detection.plot.Palette;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Drawing detections: boxes land where the detection is, enlarged, in the class colour; low scores are left out. */
class DetectionImagesTest {
    @Test
    void boxesAreDrawnInTheirClassColourAtTheScaledPosition() {
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB); // black
        List<Detection> dets = List.of(new Detection("a", new Box(10, 12, 30, 26), 2, 0.9f),
                new Detection("a", new Box(2, 2, 8, 8), 1, 0.1f));
        BufferedImage out = DetectionImages.draw(img, null, dets, List.of("x", "y", "z"), 0.5f, 3);
        assertEquals(120, out.getWidth());
        assertEquals(90, out.getHeight());
        int expected = Palette.color(2).getRGB() & 0xFFFFFF;
        // left edge of the box at x = 10 * 3, halfway down it (y = 19 * 3), below the label tag
        assertEquals(expected, out.getRGB(30, 57) & 0xFFFFFF);
        assertEquals(expected, out.getRGB(90, 57) & 0xFFFFFF, "right edge at x = 30 * 3");
        assertEquals(0, out.getRGB(60, 57) & 0xFFFFFF, "inside the box stays the image");
        assertEquals(0, out.getRGB(6, 15) & 0xFFFFFF, "the 0.1 detection is below the threshold");
    }

    @Test
    void gridPlacesImagesInRows() {
        BufferedImage a = new BufferedImage(10, 8, BufferedImage.TYPE_INT_RGB);
        BufferedImage g = DetectionImages.grid(List.of(a, a, a), 2, 4);
        assertEquals(2 * 10 + 3 * 4, g.getWidth());
        assertEquals(2 * 8 + 3 * 4, g.getHeight());
        assertEquals(0xFFFFFF, g.getRGB(0, 0) & 0xFFFFFF, "white gap");
        assertEquals(0, g.getRGB(4, 4) & 0xFFFFFF, "first image at the gap offset");
    }
}
