package dev.strix.detection.cli;

import dev.strix.detection.infer.Detector;
import dev.strix.detection.infer.DetectorOptions;
import dev.strix.detection.model.DetNet;

import java.io.IOException;
import java.nio.file.Path;

/** The options {@code strix detect} and {@code strix eval} share: input size, score threshold, loading weights. */
final class InferenceArgs {
    private InferenceArgs() {
    }

    /** {@code --size S}: a positive multiple of 32, or 0 when absent (the detector then picks). */
    static int size(OptionSpec spec, ParsedArgs a) {
        int size = a.intValue("size", 0, DetNet.SIZE_MULTIPLE);
        if (size % DetNet.SIZE_MULTIPLE != 0)
            throw spec.usage("option --size must be a multiple of " + DetNet.SIZE_MULTIPLE + ", got " + size);
        return size;
    }

    /** {@code --score T}: a number in [0, 1). */
    static float score(OptionSpec spec, ParsedArgs a, float fallback) {
        String v = a.get("score", null);
        if (v == null) return fallback;
        float t;
        try {
            t = Float.parseFloat(v.trim());
        } catch (NumberFormatException e) {
            throw spec.usage("option --score needs a number, got '" + v + "'");
        }
        if (!(t >= 0f && t < 1f)) throw spec.usage("option --score must lie in [0, 1), got " + v);
        return t;
    }

    /** Loads a detector, turning read and format errors into one-line failures that name the file. */
    static Detector loadDetector(Path weights, DetectorOptions options) {
        try {
            return Detector.load(weights, options);
        } catch (IOException e) {
            throw new CliException("cannot read weights " + weights + ": " + message(e), e);
        } catch (IllegalArgumentException e) {
            throw new CliException("cannot use weights: " + message(e), e);
        }
    }

    static String message(Throwable e) {
        return e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage() : e.getClass().getSimpleName();
    }
}
