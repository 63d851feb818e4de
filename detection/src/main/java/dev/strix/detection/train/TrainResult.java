package dev.strix.detection.train;

import dev.strix.detection.eval.EvalResult;

import java.nio.file.Path;

/**
 * What a finished {@link Trainer#train()} reports.
 *
 * @param runDir        the run folder
 * @param epochs        the last completed epoch
 * @param steps         optimizer steps taken (including skipped ones), over all sessions of the run
 * @param skippedSteps  steps skipped for a non-finite loss or gradient, over all sessions
 * @param skippedSamples unreadable samples the data loader skipped (with a warning), over all sessions
 * @param seconds       wall time of this session
 * @param lastEval      the latest validation result, or null when none ran
 * @param bestEpoch     the epoch saved as best.safetensors (0 when none)
 * @param bestMetric    its validation VOC mAP50, or its negated training loss without validation
 */
public record TrainResult(Path runDir, int epochs, long steps, long skippedSteps, long skippedSamples, double seconds, EvalResult lastEval,
                          int bestEpoch, double bestMetric) {}
