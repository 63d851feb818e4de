package dev.strix.detection.cli;

import dev.strix.detection.eval.EvalResult;
import dev.strix.detection.train.Demo;
import dev.strix.detection.train.Trainer;
import dev.strix.nn.Device;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code strix demo}: the embedded default. Trains DetNet on synthetic scenes within a time budget, evaluates it on
 * held-out scenes and writes a Markdown report with pictures. The last line of stdout is the metrics as JSON.
 */
final class DemoCommand implements Command {
    private static final String DESCRIPTION = "Trains DetNet on generated scenes of " + Demo.CLASSES + " shape classes ("
            + Demo.TRAIN_SCENES + " training scenes, " + Demo.SIZE + " px), evaluates it on " + Demo.VAL_SCENES
            + " held-out scenes and writes DIR/report.md with the metrics, per-class AP, plots and pictures of the "
            + "detections, next to a full run folder (config.json, metrics.csv, checkpoints). The number of epochs is "
            + "chosen to fit the time budget on this machine.";

    static OptionSpec spec() {
        return new OptionSpec("demo")
                .optional("out", "DIR", "folder for the run and the report (default strix-demo, or strix-demo-2, ... "
                        + "when it holds a run)")
                .optional("device", "cpu|cuda|cuda:N|auto", "where to train (default cpu)")
                .optional("minutes", "M", "time budget in minutes (default 9)")
                .optional("workers", "N", "data loader threads (default 2)");
    }

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "train and evaluate DetNet on synthetic scenes, write a report";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        OptionSpec spec = spec();
        ParsedArgs a = spec.parse(args);
        if (a.helpRequested()) {
            out.print(spec.help(DESCRIPTION));
            return 0;
        }
        double minutes = TrainCommand.doubleValue(spec, a, "minutes", 9);
        if (!(minutes > 0)) throw spec.usage("option --minutes must be positive, got " + a.get("minutes", ""));
        int workers = a.intValue("workers", 2, 1);
        Path dir = a.has("out") ? a.path("out") : freeFolder(Path.of("strix-demo"));
        if (Files.exists(dir.resolve(Trainer.CONFIG)))
            throw spec.usage("--out " + dir + " already holds a run; choose another folder");
        Device device = Devices.resolve(DeviceSelection.spec(a, "cpu"), err);
        boolean tty = err == System.err && System.console() != null && System.console().isTerminal();
        Demo.Result r;
        try {
            r = Demo.run(new Demo.Options(dir, device, minutes, workers), err, tty);
        } catch (IOException | UncheckedIOException e) {
            throw CliException.failure("strix demo: " + e.getMessage());
        }
        EvalResult e = r.eval();
        out.println(String.format(Locale.ROOT, "demo: VOC mAP50 %.3f, VOC07 mAP50 %.3f, COCO AP %.3f, AP50 %.3f on %d held-out "
                        + "scenes after %d epochs (%.1f min in all)", e.vocMap50(), e.voc07Map50(), e.cocoAp(), e.ap50(),
                e.numImages(), r.epochs(), r.totalSeconds() / 60));
        out.print(e.formatTable());
        out.println("report: " + r.report());
        out.println(Demo.summaryJson(r));
        return 0;
    }

    /** {@code base}, or the first of {@code base-2, base-3, ...} that holds no run. */
    private static Path freeFolder(Path base) {
        Path p = base;
        for (int k = 2; Files.exists(p.resolve(Trainer.CONFIG)); k++) p = Path.of(base + "-" + k);
        return p;
    }
}
