package dev.strix.detection.mtl;

import dev.strix.kernels.Elementwise.Binary;
import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Gradient vectors as lists of tensors (one per parameter, the concatenation being the flat vector), with the
 * vector algebra the strategies need. Every operation runs on the tensors' device; scalar results are accumulated
 * in double precision.
 */
final class Gradients {
    private Gradients() {}

    /**
     * d(loss)/d(wrt) for each tensor of {@code wrt}; all zeros when the loss does not require grad.
     *
     * @param retainGraph keep the graph for further passes
     */
    static List<Tensor> of(Tensor loss, List<Tensor> wrt, boolean retainGraph) {
        if (!loss.requiresGrad()) {
            List<Tensor> zeros = new ArrayList<>(wrt.size());
            for (Tensor t : wrt) zeros.add(t.zerosLike());
            return zeros;
        }
        return Autograd.grad(loss, wrt, retainGraph);
    }

    /** The dot product of two gradient vectors of the same layout. */
    static double dot(List<Tensor> a, List<Tensor> b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) {
            Tensor x = a.get(i), y = b.get(i);
            Tensor prod = x.zerosLike();
            x.device().binary(Binary.MUL, prod, x, y);
            s += x.device().sum(prod);
        }
        return s;
    }

    /** The squared L2 norm. */
    static double sumSquares(List<Tensor> a) {
        double s = 0;
        for (Tensor t : a) s += t.device().sumSquares(t);
        return s;
    }

    /** A copy of every tensor. */
    static List<Tensor> copy(List<Tensor> a) {
        List<Tensor> out = new ArrayList<>(a.size());
        for (Tensor t : a) {
            Tensor c = t.zerosLike();
            t.device().copy(c, t);
            out.add(c);
        }
        return out;
    }

    /** y += alpha * x, elementwise over the lists. */
    static void axpy(List<Tensor> y, double alpha, List<Tensor> x) {
        for (int i = 0; i < y.size(); i++) y.get(i).device().axpy(y.get(i), (float) alpha, x.get(i));
    }

    /** param.grad += g (a private copy of g when the parameter had no gradient yet). */
    static void accumulate(Tensor param, Tensor g) {
        if (param.grad() == null) {
            Tensor own = g.zerosLike();
            g.device().copy(own, g);
            param.setGrad(own);
        } else param.device().axpy(param.grad(), 1f, g);
    }

    /** Cosine similarity from a dot product and two norms; 0 when either norm is 0. */
    static double cosine(double dot, double normA, double normB) {
        return normA == 0 || normB == 0 ? 0 : dot / (normA * normB);
    }
}
