package dev.strix.detection.cli;

import dev.strix.detection.data.Detection;
import dev.strix.detection.data.ImageFiles;
import dev.strix.detection.data.ReadOptions;
import dev.strix.detection.eval.CategoryMapping;
import dev.strix.detection.eval.CocoResults;
import dev.strix.detection.infer.DetectedObject;
import dev.strix.detection.infer.DetectionPainter;
import dev.strix.detection.infer.Detector;
import dev.strix.detection.infer.DetectorOptions;
import dev.strix.nn.cuda.DeviceOutOfMemoryException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code strix detect}: runs DetNet weights on image files and writes {@code detections.json} (COCO results format,
 * original pixel coordinates) and one annotated copy of each image into the output folder.
 */
final class DetectCommand implements Command {
    /** The results file written into the output folder. */
    static final String RESULTS_FILE = "detections.json";

    private static final String DESCRIPTION = "Finds objects in images (" + String.join(", ", ImageFiles.EXTENSIONS)
            + "; folders are read non-recursively unless --recursive) and writes OUT/" + RESULTS_FILE + " in the COCO "
            + "results format ([{\"image_id\": file stem, \"category_id\": 1-based class index, \"bbox\": [x, y, w, h], "
            + "\"score\"}], original pixel coordinates) and OUT/<stem>.jpg (or .png) with the boxes drawn. Images that "
            + "cannot be read are reported and skipped; the exit code is then 1. Class names come from the weights' "
            + "metadata (strix.class_names) or a classes.txt next to them.";

    /** Options that take a value (to tell positional words from option values). */
    private static final List<String> VALUED = List.of("weights", "out", "size", "score", "batch", "device");

    private static OptionSpec spec() {
        return new OptionSpec("detect")
                .positional("IMAGE_OR_DIR...")
                .required("weights", "W.safetensors", "DetNet weights (e.g. RUN_DIR/best.safetensors)")
                .required("out", "DIR", "folder for " + RESULTS_FILE + " and the annotated images (created)")
                .optional("size", "S", "input frame side, a multiple of 32 (default: the training size in the "
                        + "weights' metadata, else " + DetectorOptions.DEFAULT_INPUT_SIZE + ")")
                .optional("score", "T", "keep detections scoring above T (default 0.25; use 0.05 for evaluation)")
                .optional("batch", "B", "images per forward pass (default 4)")
                .optional("device", "cpu|cuda|cuda:N|auto", "where to run (default cpu)")
                .flag("recursive", "also read images in subfolders of the folders given");
    }

    @Override
    public String name() {
        return "detect";
    }

    @Override
    public String summary() {
        return "detect objects in images: JSON results and annotated pictures";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        OptionSpec spec = spec();
        List<String> inputs = new ArrayList<>();
        ParsedArgs a = spec.parse(splitPositionals(args, inputs));
        if (a.helpRequested()) {
            out.print(spec.help(DESCRIPTION));
            return 0;
        }
        if (inputs.isEmpty()) throw spec.usage("no images given (IMAGE_OR_DIR...)");
        Path weights = a.existingFile("weights"), outDir = a.path("out");
        int size = InferenceArgs.size(spec, a);
        float score = InferenceArgs.score(spec, a, 0.25f);
        int batch = a.intValue("batch", 4, 1);
        String deviceChoice = DeviceSelection.spec(a, "cpu");
        List<Path> images = collectImages(spec, inputs, a.has("recursive"));
        if (images.isEmpty()) throw spec.usage("no image files (" + String.join(", ", ImageFiles.EXTENSIONS)
                + ") in " + String.join(", ", inputs));
        Map<Path, String> outputs = outputNames(spec, images, outDir);

        DetectorOptions options = DetectorOptions.defaults().withDevice(Devices.resolve(deviceChoice, err))
                .withInputSize(size).withScoreThreshold(score).withBatchSize(batch);
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new CliException("cannot create output folder " + outDir + ": " + InferenceArgs.message(e), e);
        }
        List<Detection> results = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        long t0 = System.nanoTime();
        try (Detector detector = InferenceArgs.loadDetector(weights, options)) {
            err.println("detect: " + images.size() + " image(s), " + detector.describe() + ", input "
                    + detector.inputSize() + "x" + detector.inputSize() + ", score > " + score + ", on "
                    + detector.device().name());
            for (int from = 0; from < images.size(); from += batch) {
                List<Path> files = images.subList(from, Math.min(images.size(), from + batch));
                List<Path> decodedFiles = new ArrayList<>();
                List<BufferedImage> decoded = new ArrayList<>();
                for (Path f : files) {
                    try {
                        decoded.add(ImageFiles.read(f, ReadOptions.DEFAULT_MAX_PIXELS));
                        decodedFiles.add(f);
                    } catch (IOException | RuntimeException e) {
                        failures.add(f.toString());
                        err.println("detect: skipped " + f + ": " + InferenceArgs.message(e));
                    }
                }
                List<List<DetectedObject>> found = detector.detectAll(decoded);
                for (int i = 0; i < decoded.size(); i++) {
                    Path f = decodedFiles.get(i);
                    String id = stem(f);
                    for (DetectedObject o : found.get(i)) results.add(o.toDetection(id));
                    writeAnnotated(DetectionPainter.paint(decoded.get(i), found.get(i)), outDir.resolve(outputs.get(f)));
                    out.println(String.format(Locale.ROOT, "%s: %d object(s)%s", f, found.get(i).size(),
                            describe(found.get(i))));
                }
            }
            Path json = outDir.resolve(RESULTS_FILE);
            try {
                CocoResults.write(json, results, CategoryMapping.oneBased(detector.numClasses()),
                        CocoResults.ImageIdStyle.STRING);
            } catch (IOException e) {
                throw new CliException("cannot write " + json + ": " + InferenceArgs.message(e), e);
            }
        } catch (DeviceOutOfMemoryException e) {
            throw Devices.outOfMemory("detect", e, batch, size, options.device().name());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        int done = images.size() - failures.size();
        err.println(String.format(Locale.ROOT, "detect: %d image(s) in %.1f s, %d detection(s); wrote %s and %d "
                + "annotated image(s)", done, seconds, results.size(), outDir.resolve(RESULTS_FILE), done));
        if (!failures.isEmpty())
            throw CliException.failure("strix detect: " + failures.size() + " of " + images.size()
                    + " image(s) could not be read and were skipped");
        return 0;
    }

    /** The top three detections as {@code " (label 0.93, ...)"}. */
    private static String describe(List<DetectedObject> objects) {
        if (objects.isEmpty()) return "";
        StringBuilder sb = new StringBuilder(" (");
        for (int i = 0; i < Math.min(3, objects.size()); i++)
            sb.append(i == 0 ? "" : ", ").append(objects.get(i).label())
                    .append(String.format(Locale.ROOT, " %.2f", objects.get(i).score()));
        return sb.append(objects.size() > 3 ? ", ...)" : ")").toString();
    }

    /**
     * Moves the bare words of {@code args} into {@code positional} and returns the rest; the word after an option
     * that takes a value (given as {@code --name value}) stays with it. Everything after {@code --} is positional.
     */
    static List<String> splitPositionals(List<String> args, List<String> positional) {
        List<String> options = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String w = args.get(i);
            if (w.equals("--")) {
                positional.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (!w.startsWith("--")) {
                positional.add(w);
                continue;
            }
            options.add(w);
            if (!w.contains("=") && VALUED.contains(w.substring(2)) && i + 1 < args.size()
                    && !args.get(i + 1).startsWith("--"))
                options.add(args.get(++i));
        }
        return options;
    }

    /** The image files named by {@code inputs}: files as given, folders listed (sorted). */
    private static List<Path> collectImages(OptionSpec spec, List<String> inputs, boolean recursive) {
        List<Path> files = new ArrayList<>();
        for (String input : inputs) {
            Path p = Path.of(input);
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = recursive ? Files.walk(p) : Files.list(p)) {
                    s.filter(Files::isRegularFile).filter(ImageFiles::isImageFile).sorted().forEach(files::add);
                } catch (IOException e) {
                    throw CliException.failure("cannot list folder " + p + ": " + InferenceArgs.message(e));
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw spec.usage(input + ": no such file or folder");
            }
        }
        return files;
    }

    /**
     * The annotated image's file name for each input: {@code <stem>.jpg} for JPEG inputs, {@code <stem>.png} otherwise.
     * Two inputs with the same stem (their image ids would clash) or an output that would replace an input are
     * refused.
     */
    private static Map<Path, String> outputNames(OptionSpec spec, List<Path> images, Path outDir) {
        Map<String, Path> byStem = new HashMap<>();
        Map<Path, String> names = new HashMap<>();
        for (Path f : images) {
            String stem = stem(f);
            Path other = byStem.put(stem, f);
            if (other != null && !other.equals(f))
                throw spec.usage("images " + other + " and " + f + " have the same image id '" + stem
                        + "' (file stem); rename one or run them separately");
            String lower = f.getFileName().toString().toLowerCase(Locale.ROOT);
            String name = stem + (lower.endsWith(".jpg") || lower.endsWith(".jpeg") ? ".jpg" : ".png");
            Path target = outDir.resolve(name).toAbsolutePath().normalize();
            if (target.equals(f.toAbsolutePath().normalize()))
                throw spec.usage("--out " + outDir + " would overwrite the input image " + f + "; choose another folder");
            names.put(f, name);
        }
        return names;
    }

    static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static void writeAnnotated(BufferedImage image, Path file) {
        String format = file.getFileName().toString().endsWith(".jpg") ? "jpg" : "png";
        try {
            if (!ImageIO.write(image, format, file.toFile()))
                throw CliException.failure("no " + format + " writer available for " + file);
        } catch (IOException e) {
            throw new CliException("cannot write " + file + ": " + InferenceArgs.message(e), e);
        }
    }
}
