package dev.strix.detection.cli;

import dev.strix.detection.data.DatasetException;
import dev.strix.detection.data.Detection;
import dev.strix.detection.eval.CocoResults;
import dev.strix.detection.eval.EvalResult;
import dev.strix.detection.eval.Evaluator;
import dev.strix.detection.infer.CheckpointMetadata;
import dev.strix.detection.infer.DatasetInference;
import dev.strix.detection.infer.DatasetSource;
import dev.strix.detection.infer.Detector;
import dev.strix.detection.infer.DetectorOptions;
import dev.strix.nn.cuda.DeviceOutOfMemoryException;
import dev.strix.detection.data.ImageAnnotation;
import dev.strix.detection.plot.PrCurves;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/**
 * {@code strix eval}: scores DetNet weights, or a COCO results file from any framework, on a dataset split. Prints the
 * metrics and the per-class AP table, then the metrics as one JSON object on the last stdout line.
 */
final class EvalCommand implements Command {
    /** PR curves file written into {@code --out}. */
    static final String PR_CURVES_FILE = "pr_curves.png";

    private static final String DESCRIPTION = "Evaluates detections on a dataset split: VOC07 11-point mAP50, VOC area "
            + "mAP50 (difficult objects ignored), COCO AP@[.5:.95], AP50, AP75, AP small/medium/large, AR@100 and a "
            + "per-class AP table. Give --weights to run DetNet over the images, or --predictions with a COCO results "
            + "file ([{\"image_id\", \"category_id\", \"bbox\": [x, y, w, h], \"score\"}], original pixels; for VOC, YOLO "
            + "and synthetic data image_id is the file stem string and category_id the 1-based class index, for COCO "
            + "data the dataset's own ids). The last line of stdout is the metrics as one JSON object with the keys "
            + "voc07_map50, voc_map50, coco_ap, ap50, ap75, ap_small, ap_medium, ap_large, ar100, per_class, "
            + "num_images, num_detections (null where no ground truth counts). Synthetic data: --data "
            + "'seed=S,count=N,size=P,classes=C' (any subset; 'default' for all defaults).";

    private static OptionSpec spec() {
        return new OptionSpec("eval")
                .optional("weights", "W.safetensors", "DetNet weights to run over the images")
                .optional("predictions", "PREDS.json", "detections to score instead (COCO results format)")
                .required("data", "DIR", "the dataset (a folder; a COCO JSON file; synthetic settings)")
                .required("format", String.join("|", DatasetSource.FORMATS), "dataset format")
                .optional("split", "NAME", "split to evaluate (default val)")
                .optional("classes", "LIST|FILE", "class list (comma-separated, JSON array, or a file with one name "
                        + "per line); default: the weights' class names, else the dataset's")
                .optional("size", "S", "input frame side, a multiple of 32 (default: the training size in the "
                        + "weights' metadata, else " + DetectorOptions.DEFAULT_INPUT_SIZE + ")")
                .optional("score", "T", "score threshold of the detections (default 0.05)")
                .optional("batch", "B", "images per forward pass (default 8)")
                .optional("device", "cpu|cuda|cuda:N|auto", "where to run (default cpu)")
                .optional("json", "FILE", "also write the metrics JSON object to FILE")
                .optional("out", "DIR", "write " + PR_CURVES_FILE + " (and, with --weights, "
                        + DetectCommand.RESULTS_FILE + ") to DIR");
    }

    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "evaluate weights or a COCO results file on a dataset (mAP, COCO AP)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        OptionSpec spec = spec();
        ParsedArgs a = spec.parse(args);
        if (a.helpRequested()) {
            out.print(spec.help(DESCRIPTION));
            return 0;
        }
        boolean withWeights = a.has("weights");
        if (withWeights == a.has("predictions"))
            throw spec.usage("give exactly one of --weights and --predictions");
        Path source = withWeights ? a.existingFile("weights") : a.existingFile("predictions");
        String format = a.choice("format", null, DatasetSource.FORMATS);
        String split = a.get("split", "val");
        String data = a.get("data", "");
        if (!format.equals("synthetic") && !Files.exists(Path.of(data)))
            throw spec.usage("--data " + data + ": no such file or folder");
        List<String> explicitClasses = a.has("classes") ? classList(spec, a.get("classes", "")) : null;
        int size = InferenceArgs.size(spec, a);
        float score = InferenceArgs.score(spec, a, 0.05f);
        int batch = a.intValue("batch", 8, 1);
        String deviceChoice = DeviceSelection.spec(a, "cpu");
        Path jsonFile = a.has("json") ? a.path("json") : null;
        Path outDir = a.has("out") ? a.path("out") : null;

        EvalResult result;
        List<Detection> detections;
        DatasetSource ds;
        if (withWeights) {
            DetectorOptions options = DetectorOptions.defaults().withDevice(Devices.resolve(deviceChoice, err))
                    .withInputSize(size).withScoreThreshold(score).withBatchSize(batch).withClassNames(explicitClasses);
            try (Detector detector = InferenceArgs.loadDetector(source, options)) {
                boolean namedClasses = explicitClasses != null
                        || !detector.classNames().equals(CheckpointMetadata.placeholders(detector.numClasses()));
                ds = openDataset(format, data, split, namedClasses && !format.equals("synthetic")
                        ? detector.classNames() : explicitClasses);
                checkClasses(ds, detector, source, err);
                err.println("eval: " + ds.dataset().describe() + "; " + detector.describe() + ", input "
                        + detector.inputSize() + ", score > " + score + ", on " + detector.device().name());
                detections = infer(detector, ds, batch, err);
            } catch (DeviceOutOfMemoryException e) {
                throw Devices.outOfMemory("eval", e, batch, size, options.device().name());
            }
        } else {
            ds = openDataset(format, data, split, explicitClasses);
            err.println("eval: " + ds.dataset().describe() + "; predictions " + source);
            try {
                detections = CocoResults.read(source, ds.categories(), new HashSet<>(ds.imageIds()));
            } catch (IOException e) {
                throw new CliException("cannot use predictions: " + InferenceArgs.message(e), e);
            }
        }
        List<ImageAnnotation> truth = new ArrayList<>(ds.dataset().size());
        for (int i = 0; i < ds.dataset().size(); i++) truth.add(ds.dataset().annotation(i));
        try {
            result = Evaluator.evaluate(truth, ds.dataset().classNames(), detections);
        } catch (IllegalArgumentException e) {
            throw CliException.failure("cannot evaluate: " + InferenceArgs.message(e));
        }
        String json = result.toJson();
        if (jsonFile != null) write(jsonFile, json + "\n");
        if (outDir != null) writeOutputs(outDir, result, withWeights ? detections : null, ds, err);
        out.print(result.formatTable());
        out.println(json);
        return 0;
    }

    private static DatasetSource openDataset(String format, String data, String split, List<String> classNames) {
        try {
            return DatasetSource.open(format, data, split, classNames);
        } catch (DatasetException e) {
            throw CliException.failure("cannot read the dataset: " + InferenceArgs.message(e));
        } catch (IllegalArgumentException e) {
            throw new UsageException("strix eval: " + InferenceArgs.message(e) + " (see 'strix eval --help')");
        }
    }

    /** Refuses weights whose class count differs from the dataset's; warns when the names differ. */
    private static void checkClasses(DatasetSource ds, Detector detector, Path weights, PrintStream err) {
        List<String> dataClasses = ds.dataset().classNames();
        if (dataClasses.size() != detector.numClasses())
            throw CliException.failure("class count mismatch: weights " + weights + " have " + detector.numClasses()
                    + " classes " + detector.classNames() + " but the dataset " + ds.dataset().describe() + " has "
                    + dataClasses.size() + " " + dataClasses);
        if (!dataClasses.equals(detector.classNames())
                && !detector.classNames().equals(CheckpointMetadata.placeholders(detector.numClasses())))
            err.println("eval: warning: the weights' class names " + detector.classNames()
                    + " differ from the dataset's " + dataClasses + "; classes are matched by index");
    }

    private static List<Detection> infer(Detector detector, DatasetSource ds, int batch, PrintStream err) {
        long[] lastReport = {System.nanoTime()};
        try {
            return DatasetInference.run(detector, ds.dataset(), batch, (done, total, seconds) -> {
                long now = System.nanoTime();
                if (done == total || now - lastReport[0] > 5_000_000_000L) {
                    lastReport[0] = now;
                    double rate = done / Math.max(seconds, 1e-9);
                    err.println(String.format(Locale.ROOT, "eval: %d/%d images, %.1f img/s, ETA %.0f s", done, total,
                            rate, (total - done) / Math.max(rate, 1e-9)));
                }
            });
        } catch (IOException e) {
            throw new CliException("cannot read an image of the dataset: " + InferenceArgs.message(e), e);
        }
    }

    private static void writeOutputs(Path outDir, EvalResult result, List<Detection> detections, DatasetSource ds,
                                     PrintStream err) {
        Path curves = outDir.resolve(PR_CURVES_FILE);
        try {
            Files.createDirectories(outDir);
            PrCurves.plot(result.prCurves(), String.format(Locale.ROOT, "PR curves at IoU 0.5 (VOC mAP50 %.3f)",
                    Double.isNaN(result.vocMap50()) ? 0.0 : result.vocMap50()), curves, 960, 640);
            if (detections != null)
                CocoResults.write(outDir.resolve(DetectCommand.RESULTS_FILE), detections, ds.categories(),
                        ds.imageIdStyle());
        } catch (IOException e) {
            throw new CliException("cannot write to " + outDir + ": " + InferenceArgs.message(e), e);
        }
        err.println("eval: wrote " + curves + (detections != null ? " and " + outDir.resolve(DetectCommand.RESULTS_FILE) : ""));
    }

    /** {@code --classes}: a file with one name per line, else a comma-separated list or JSON array. */
    private static List<String> classList(OptionSpec spec, String value) {
        try {
            Path p = Path.of(value);
            if (Files.isRegularFile(p)) {
                List<String> names = new ArrayList<>();
                for (String line : Files.readAllLines(p, StandardCharsets.UTF_8))
                    if (!line.isBlank()) names.add(line.strip());
                if (names.isEmpty()) throw spec.usage("--classes " + value + ": the file lists no class names");
                return names;
            }
        } catch (java.nio.file.InvalidPathException e) {
            // not a path: a list
        } catch (IOException e) {
            throw new CliException("cannot read --classes " + value + ": " + InferenceArgs.message(e), e);
        }
        try {
            return CheckpointMetadata.parseList(value, "--classes");
        } catch (IllegalArgumentException e) {
            throw spec.usage(e.getMessage());
        }
    }

    private static void write(Path file, String text) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException("cannot write " + file + ": " + InferenceArgs.message(e), e);
        }
    }
}
