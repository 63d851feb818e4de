package dev.strix.detection.train;

import dev.strix.nn.Tensor;

import java.util.Map;

/**
 * A transformation of each step's task losses before they are checked and back-propagated: used to inject faults
 * (e.g. a NaN loss from some step on) when testing the trainer's handling of non-finite steps, or to add extra terms.
 */
@FunctionalInterface
public interface LossHook {
    /**
     * @param step   the global optimizer step about to run (0-based, counting skipped steps)
     * @param losses the task losses (cls, box, ctr), each a one-element tensor
     * @return the losses to use
     */
    Map<String, Tensor> apply(long step, Map<String, Tensor> losses);
}
