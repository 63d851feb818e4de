package dev.strix.detection.train;

import dev.strix.detection.data.DetectionDataset;
import dev.strix.detection.data.ImageAnnotation;
import dev.strix.detection.eval.ClassMetrics;
import dev.strix.detection.eval.EvalResult;
import dev.strix.detection.plot.PrCurves;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The demo's {@code report.md}: metrics, per-class AP, plots and pictures of detections on held-out scenes. */
final class DemoReport {
    /** Detections drawn in the pictures score at least this. */
    static final float DRAW_SCORE = 0.4f;
    /** Held-out scenes shown. */
    static final int SHOWN = 8;

    private DemoReport() {}

    static Path write(Path dir, TrainConfig config, Trainer trainer, Validation.Outcome outcome, TrainResult trained,
                      double secondsSoFar) throws IOException {
        EvalResult e = outcome.result();
        PrCurves.plot(e.prCurves(), "Precision-recall at IoU 0.5 (held-out scenes)", dir.resolve("pr_curves.png"), 900, 600);
        DetectionDataset val = trainer.data().validation();
        List<BufferedImage> pictures = new ArrayList<>();
        for (int i = 0; i < Math.min(SHOWN, val.size()); i++) {
            ImageAnnotation a = val.annotation(i);
            pictures.add(DetectionImages.draw(val.image(i), a, Demo.of(outcome.detections(), a.imageId()),
                    trainer.classNames(), DRAW_SCORE, 3));
        }
        ImageIO.write(DetectionImages.grid(pictures, 4, 8), "png", dir.resolve("detections.png").toFile());

        StringBuilder s = new StringBuilder();
        s.append("# Strix demo: DetNet on synthetic scenes\n\n");
        s.append(String.format(Locale.ROOT, "**VOC mAP50 %.3f** on %d held-out scenes after %d epochs (%.1f min of training, "
                        + "%.1f min in all) on %d CPU cores, Java %s.%n%n", e.vocMap50(), e.numImages(), trained.epochs(),
                trained.seconds() / 60, secondsSoFar / 60, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version")));
        s.append("![detections on held-out scenes](detections.png)\n\n");
        s.append(String.format(Locale.ROOT, "Detections scoring at least %.1f in their class colour; ground truth dashed white.%n%n",
                DRAW_SCORE));
        s.append("## Metrics\n\n| metric | value |\n| --- | ---: |\n");
        row(s, "VOC mAP50 (area)", e.vocMap50());
        row(s, "VOC07 mAP50 (11-point)", e.voc07Map50());
        row(s, "COCO AP@[.5:.95]", e.cocoAp());
        row(s, "COCO AP50", e.ap50());
        row(s, "COCO AP75", e.ap75());
        row(s, "COCO AP small", e.apSmall());
        row(s, "COCO AP medium", e.apMedium());
        row(s, "COCO AP large", e.apLarge());
        row(s, "COCO AR@100", e.ar100());
        s.append("\n## Per class\n\n| class | objects | detections | VOC AP50 | COCO AP |\n| --- | ---: | ---: | ---: | ---: |\n");
        for (ClassMetrics c : e.perClass())
            s.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %s |%n", c.name(), c.numGroundTruth(), c.numDetections(),
                    fmt(c.vocAp50()), fmt(c.cocoAp())));
        s.append("\n## Training\n\n");
        s.append("![validation mAP per epoch](map.png)\n\n![training loss per task](losses.png)\n\n");
        s.append("![precision-recall curves](pr_curves.png)\n\n");
        s.append("![gradient conflict between tasks on the shared trunk](gradient_conflict.png)\n\n");
        TrainConfig.Optim o = config.optim();
        s.append(String.format(Locale.ROOT, "Recipe: %d training scenes and %d held-out scenes of %d px with %d classes; DetNet %s "
                        + "(%,d parameters); batch %d, %s lr %.0e, weight decay %s, %d epochs with warm-up and cosine decay, "
                        + "EMA %s; loss %s + %s, strategy %s. %d steps, %d skipped.%n%n",
                config.data().syntheticCount(), config.data().syntheticValCount(), config.run().size(), trainer.classNames().size(),
                trainer.model().config().summary(), trainer.model().parameterCount(), config.run().batch(), o.optimizer(), o.lr(),
                o.weightDecay(), config.run().epochs(), o.ema() ? o.emaDecay() : "off", config.loss().cls(), config.loss().box(),
                config.loss().strategy(), trained.steps(), trained.skippedSteps()));
        s.append("Files: `config.json`, `metrics.csv`, `eval.json`, `last.safetensors` / `best.safetensors` (DetNet weights, "
                + "loadable by `strix detect` and PyTorch), `last.state.safetensors` (training state).\n");
        Path file = dir.resolve("report.md");
        Checkpoints.writeAtomically(file, s.toString());
        return file;
    }

    private static void row(StringBuilder s, String name, double v) {
        s.append("| ").append(name).append(" | ").append(fmt(v)).append(" |\n");
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

}
