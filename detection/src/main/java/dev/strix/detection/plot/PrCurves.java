package dev.strix.detection.plot;

import dev.strix.detection.eval.PrCurve;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Precision-recall curves, one line per class: the interpolated precision (the envelope the VOC area AP
 * integrates) against recall, each legend entry carrying the class's AP.
 */
public final class PrCurves {
    private PrCurves() {
    }

    /** Draws {@code curves} on a new image with recall and precision axes fixed to [0, 1]. */
    public static BufferedImage render(List<PrCurve> curves, String title, int width, int height) {
        LineChart chart = new LineChart(title, "recall", "precision").xRange(0, 1).yRange(0, 1.02).markers(false)
                .legend(curves.size() > 8 ? LegendPosition.OUTSIDE_RIGHT : LegendPosition.LOWER_LEFT);
        for (PrCurve curve : curves) {
            // start the step curve at recall 0 with the first envelope value, as the area AP does
            double[] envelope = curve.precisionEnvelope();
            double[] recall = curve.recall();
            double[] x = new double[recall.length + 1];
            double[] y = new double[recall.length + 1];
            x[0] = 0;
            y[0] = envelope.length > 0 ? envelope[0] : 0;
            System.arraycopy(recall, 0, x, 1, recall.length);
            System.arraycopy(envelope, 0, y, 1, envelope.length);
            chart.addSeries(String.format(Locale.ROOT, "%s (AP %.3f)", curve.className(), curve.ap()), x, y);
        }
        return chart.render(width, height);
    }

    /** Draws {@code curves} and writes the PNG to {@code file}. */
    public static void plot(List<PrCurve> curves, String title, Path file, int width, int height) throws IOException {
        ChartCanvas.writePng(render(curves, title, width, height), file);
    }
}
