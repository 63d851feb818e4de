package dev.strix.detection.mtl;

import dev.strix.nn.Tensor;

import java.util.List;

/**
 * Norms of per-task gradients on the shared trunk and the cosine similarity of every pair.
 *
 * @param norms   per task (strategy order), {@code ||g_t||}
 * @param cosines (T, T) symmetric, {@code g_a . g_b / (||g_a|| ||g_b||)}, 0 where a norm is 0, 1 on the diagonal
 */
record SharedGradientStats(double[] norms, double[][] cosines) {
    /** Stats of the per-task gradient vectors {@code grads} (each a list of tensors with one common layout). */
    static SharedGradientStats of(List<List<Tensor>> grads) {
        int n = grads.size();
        double[] norms = new double[n];
        for (int t = 0; t < n; t++) norms[t] = Math.sqrt(Gradients.sumSquares(grads.get(t)));
        double[][] cos = new double[n][n];
        for (int a = 0; a < n; a++) {
            cos[a][a] = 1;
            for (int b = a + 1; b < n; b++) {
                double c = Gradients.cosine(Gradients.dot(grads.get(a), grads.get(b)), norms[a], norms[b]);
                cos[a][b] = c;
                cos[b][a] = c;
            }
        }
        return new SharedGradientStats(norms, cos);
    }
}
