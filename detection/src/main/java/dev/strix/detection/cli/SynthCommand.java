package dev.strix.detection.cli;

import dev.strix.detection.data.SyntheticScenes;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code strix synth}: writes the synthetic scene generator's training and validation scenes to disk in the
 * VOCdevkit or COCO layout, so that they can be inspected, shared, or read back by any tool (including
 * {@code strix train --format voc|coco}). The scenes are the ones {@code --format synthetic} trains on with the
 * same seed, count, size and classes: training scenes from {@code --seed}, validation scenes from {@code --seed + 1}.
 */
final class SynthCommand implements Command {
    static OptionSpec spec() {
        return new OptionSpec("synth")
                .required("out", "DIR", "folder to write (must not exist, or be empty)")
                .optional("format", "voc|coco", "layout (default voc)")
                .optional("count", "N", "training scenes (default 2000)")
                .optional("val-count", "M", "validation scenes (default 200; 0 for none)")
                .optional("size", "S", "longest image side in pixels (default 128)")
                .optional("classes", "C", "shape classes, 1.." + SyntheticScenes.MAX_CLASSES + " (default 8)")
                .optional("seed", "SEED", "training scenes' seed; validation uses SEED + 1 (default 2024)")
                .optional("image-format", "png|jpg", "image files (default png, lossless)");
    }

    @Override
    public String name() {
        return "synth";
    }

    @Override
    public String summary() {
        return "write synthetic scenes to disk as a VOC or COCO dataset";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        OptionSpec spec = spec();
        ParsedArgs a = spec.parse(args);
        if (a.helpRequested()) {
            out.print(spec.help("Writes the seeded synthetic scenes (objects of several shape classes at many scales, "
                    + "overlapping, truncated at the borders, on textured backgrounds) as a dataset. voc: DIR/Annotations, "
                    + "DIR/JPEGImages and DIR/ImageSets/Main/{train,val}.txt (boxes 1-based inclusive, as the devkit). "
                    + "coco: DIR/annotations/instances_{train,val}.json and DIR/images/{train,val}/. Read it back with "
                    + "strix train --data DIR --format voc|coco --split train --val-split val."));
            return 0;
        }
        String format = a.choice("format", "voc", List.of("voc", "coco"));
        String imageFormat = a.choice("image-format", "png", List.of("png", "jpg"));
        int count = a.intValue("count", 2000, 1);
        int valCount = a.intValue("val-count", 200, 0);
        int size = a.intValue("size", 128, 32);
        int classes = a.intValue("classes", 8, 1);
        if (classes > SyntheticScenes.MAX_CLASSES)
            throw spec.usage("--classes must be at most " + SyntheticScenes.MAX_CLASSES + ", got " + classes);
        long seed;
        try {
            seed = Long.parseLong(a.get("seed", "2024").trim());
        } catch (NumberFormatException e) {
            throw spec.usage("--seed must be an integer, got '" + a.get("seed", "") + "'");
        }
        Path dir = a.path("out");
        try {
            if (Files.exists(dir) && (!Files.isDirectory(dir) || hasEntries(dir)))
                throw CliException.failure("strix synth: " + dir + " exists and is not an empty folder; nothing written");
            write(new SyntheticScenes(seed, count, size, classes), dir, "train", format, imageFormat);
            if (valCount > 0) write(new SyntheticScenes(seed + 1, valCount, size, classes), dir, "val", format, imageFormat);
        } catch (IOException | UncheckedIOException e) {
            throw CliException.failure("strix synth: cannot write " + dir + ": " + e.getMessage());
        }
        out.println("wrote " + count + " training" + (valCount > 0 ? " and " + valCount + " validation" : "")
                + " scenes (" + classes + " classes, up to " + size + " px, seed " + seed + ") to " + dir + " in the "
                + format + " layout");
        return 0;
    }

    private static boolean hasEntries(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }

    private static void write(SyntheticScenes scenes, Path dir, String split, String format, String imageFormat)
            throws IOException {
        if (format.equals("voc")) scenes.writeVoc(dir, split, imageFormat);
        else scenes.writeCoco(dir.resolve("annotations").resolve("instances_" + split + ".json"),
                dir.resolve("images").resolve(split), imageFormat);
    }
}
