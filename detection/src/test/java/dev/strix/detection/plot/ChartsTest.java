package dev.strix.detection.plot;

import dev.strix.detection.eval.PrCurve;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Charts are written as PNG, decoded again, and checked for size, content and the series' colours. */
class ChartsTest {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    @TempDir
    Path dir;

    private static BufferedImage readBack(Path file, int width, int height) throws IOException {
        assertTrue(Files.size(file) > 0, file + " is empty");
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, file + " does not decode as an image");
        assertEquals(width, image.getWidth(), "width of " + file);
        assertEquals(height, image.getHeight(), "height of " + file);
        return image;
    }

    private static Set<Integer> colours(BufferedImage image) {
        Set<Integer> out = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++)
            for (int x = 0; x < image.getWidth(); x++) out.add(image.getRGB(x, y) & 0xffffff);
        return out;
    }

    private static int countPixels(BufferedImage image, Color c) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++)
            for (int x = 0; x < image.getWidth(); x++) if ((image.getRGB(x, y) & 0xffffff) == (c.getRGB() & 0xffffff)) n++;
        return n;
    }

    /**
     * Columns holding at least one coloured (not grey: text, grid and frame are grey) pixel closer to {@code c} than to
     * white (antialiased lines are partly blended with the background).
     */
    private static boolean[] columnsWith(BufferedImage image, Color c) {
        boolean[] out = new boolean[image.getWidth()];
        for (int x = 0; x < image.getWidth(); x++)
            for (int y = 0; y < image.getHeight(); y++) {
                Color p = new Color(image.getRGB(x, y));
                int chroma = Math.max(p.getRed(), Math.max(p.getGreen(), p.getBlue()))
                        - Math.min(p.getRed(), Math.min(p.getGreen(), p.getBlue()));
                if (chroma > 40 && distance(p, c) < distance(p, Color.WHITE)) out[x] = true;
            }
        return out;
    }

    private static double distance(Color a, Color b) {
        return Math.hypot(Math.hypot(a.getRed() - b.getRed(), a.getGreen() - b.getGreen()), a.getBlue() - b.getBlue());
    }

    private static void assertNotBlank(BufferedImage image, int minColours) {
        int n = colours(image).size();
        assertTrue(n >= minColours, "only " + n + " distinct colours (expected >= " + minColours + ")");
    }

    @Test
    void lineChartWithSeveralSeriesLogScaleAndGaps() throws IOException {
        int n = 37;
        double[] a = new double[n];
        double[] b = new double[n];
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = 3 * Math.exp(-i / 9.0);
            b[i] = 0.5 + 0.1 * Math.sin(i);
            c[i] = i % 5 == 0 ? Double.NaN : 0.02 * (i + 1);
        }
        b[3] = 0; // not drawable on a log axis: a gap
        b[4] = -1;
        Path file = dir.resolve("plots/losses.png");
        new LineChart("Loss per task", "epoch", "loss").logY(true).addSeries("cls", a).addSeries("box", b)
                .addSeries("ctr", c).writePng(file, 900, 600);
        BufferedImage image = readBack(file, 900, 600);
        assertNotBlank(image, 20);
        for (int s = 0; s < 3; s++)
            assertTrue(countPixels(image, Palette.color(s)) > 200, "series " + s + " colour barely present");
    }

    @Test
    void nanLeavesAGapInTheLine() {
        double[] x = new double[101];
        double[] y = new double[101];
        for (int i = 0; i <= 100; i++) {
            x[i] = i;
            y[i] = 0.5;
        }
        double[] gappy = y.clone();
        for (int i = 40; i <= 60; i++) gappy[i] = Double.NaN;
        Color colour = Palette.color(0);
        boolean[] full = columnsWith(new LineChart("", "", "").addSeries("s", x, y).xRange(0, 100).yRange(0, 1)
                .legend(LegendPosition.NONE).render(600, 400), colour);
        boolean[] gap = columnsWith(new LineChart("", "", "").addSeries("s", x, gappy).xRange(0, 100).yRange(0, 1)
                .legend(LegendPosition.NONE).render(600, 400), colour);
        int first = -1;
        int last = -1;
        for (int i = 0; i < full.length; i++)
            if (full[i]) {
                if (first < 0) first = i;
                last = i;
            }
        assertTrue(last - first > 400, "the unbroken line spans the plot: columns " + first + ".." + last);
        int longestGap = 0;
        int run = 0;
        for (int i = first; i <= last; i++) {
            run = gap[i] ? 0 : run + 1;
            longestGap = Math.max(longestGap, run);
            assertTrue(full[i], "unbroken line missing at column " + i);
        }
        // 20 of 100 x units are missing (x 40..60 NaN, segments end at 39 and restart at 61): ~22% of the width
        assertTrue(longestGap > 0.18 * (last - first), "gap of " + longestGap + " columns over " + (last - first));
    }

    @Test
    void lineChartSurvivesEmptyAndAllNaNSeries() {
        BufferedImage image = new LineChart("nothing yet", "epoch", "mAP").addSeries("mAP", new double[] {Double.NaN})
                .addSeries("none", new double[0]).render(300, 200);
        assertEquals(300, image.getWidth());
        assertNotBlank(image, 4); // title, axes and grid still drawn
        assertThrows(IllegalArgumentException.class, () -> new LineChart("", "", "").addSeries("bad", new double[2], new double[3]));
        assertThrows(IllegalArgumentException.class, () -> new LineChart("", "", "").render(10, 600));
        assertThrows(IllegalArgumentException.class, () -> new LineChart("", "", "").logY(true).yRange(0, 1));
    }

    @Test
    void groupedBarChartWithReferenceLineAndNegativeValues() throws IOException {
        List<String> categories = List.of("gemm", "conv forward", "conv backward", "train step", "inference");
        Path file = dir.resolve("bench.png");
        new BarChart("Strix / PyTorch", "ratio", categories)
                .addSeries("cpu", new double[] {0.93, 1.31, 1.12, 1.27, Double.NaN})
                .addSeries("gpu", new double[] {1.05, 0.88, -0.2, 1.02, 1.4})
                .referenceLine(1.0, "parity").writePng(file, 900, 600);
        BufferedImage image = readBack(file, 900, 600);
        assertNotBlank(image, 20);
        assertTrue(countPixels(image, Palette.color(0)) > 5000, "cpu bars");
        assertTrue(countPixels(image, Palette.color(1)) > 5000, "gpu bars");
        assertThrows(IllegalArgumentException.class, () -> new BarChart("", "", categories).addSeries("x", new double[2]));
    }

    @Test
    void barChartWithManyLongCategoriesSlantsLabels() throws IOException {
        String[] names = {"aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
                "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor"};
        double[] ap = new double[names.length];
        for (int i = 0; i < ap.length; i++) ap[i] = (i * 37 % 19) / 19.0;
        ap[4] = Double.NaN; // class without ground truth: no bar
        Path file = dir.resolve("per_class.png");
        new BarChart("AP50 per class", "AP50", Arrays.asList(names)).yRange(0, 1).addSeries("VOC", ap).writePng(file, 900, 600);
        BufferedImage image = readBack(file, 900, 600);
        assertNotBlank(image, 10);
        assertTrue(countPixels(image, Palette.color(0)) > 10000);
    }

    @Test
    void precisionRecallCurvesPerClass() throws IOException {
        PrCurve a = new PrCurve("circle", new double[] {0.25, 0.5, 0.5, 0.75, 1.0}, new double[] {1, 1, 2 / 3.0, 0.75, 0.8}, 0.9);
        PrCurve b = new PrCurve("square", new double[] {0, 0.5, 0.5, 1.0}, new double[] {0, 0.5, 1 / 3.0, 0.5}, 0.5);
        Path file = dir.resolve("pr.png");
        PrCurves.plot(List.of(a, b), "Precision-recall", file, 900, 600);
        BufferedImage image = readBack(file, 900, 600);
        assertNotBlank(image, 20);
        assertTrue(countPixels(image, Palette.color(0)) > 300, "circle curve");
        assertTrue(countPixels(image, Palette.color(1)) > 300, "square curve");
    }

    @Test
    void paletteStartsWithTab10AndStaysDistinct() {
        assertEquals(new Color(0x1f77b4), Palette.color(0));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 30; i++) seen.add(Palette.color(i).getRGB());
        assertEquals(30, seen.size());
    }

    @Test
    void axisTicksAreNiceNumbers() {
        Axis linear = Axis.linear(0.03, 0.97, 6, true);
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0}, linear.ticks, 1e-12);
        assertArrayEquals(new String[] {"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}, linear.labels);
        assertEquals(0.0, linear.min);
        assertEquals(1.0, linear.max);
        Axis log = Axis.logarithmic(0.05, 300);
        assertArrayEquals(new double[] {0.01, 0.1, 1, 10, 100, 1000}, log.ticks, 1e-12);
        assertEquals("0.01", log.labels[0]);
        assertEquals("1000", log.labels[5]);
        assertEquals(0.5, log.fraction(Math.pow(10, 0.5)), 1e-12);
        Axis flat = Axis.linear(2, 2, 5, true); // a constant series still gets a usable range
        assertTrue(flat.min < 2 && flat.max > 2);
    }
}
