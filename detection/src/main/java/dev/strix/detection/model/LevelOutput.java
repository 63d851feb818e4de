package dev.strix.detection.model;

import dev.strix.nn.Tensor;

/**
 * The head outputs of one pyramid level.
 *
 * @param cls    classification logits (N, C, h, w)
 * @param box    distances (l, t, r, b) from each location to the box sides, in input pixels, >= 0 (N, 4, h, w)
 * @param ctr    centerness logit (N, 1, h, w)
 * @param stride input pixels per output location (8, 16 or 32); h = H / stride, w = W / stride
 */
public record LevelOutput(Tensor cls, Tensor box, Tensor ctr, int stride) {}
