package dev.strix.detection.infer;

import dev.strix.detection.data.DetectionDataset;
import dev.strix.detection.data.Detection;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs a {@link Detector} over every image of a dataset, decoding the next batch on a background thread while the
 * current one runs through the network.
 */
public final class DatasetInference {
    /** Told after each batch: images done so far, total, seconds since the start. */
    @FunctionalInterface
    public interface Progress {
        void update(int done, int total, double seconds);
    }

    private DatasetInference() {
    }

    /**
     * Detections of every image of {@code dataset}, with the dataset's image ids, image by image in dataset order.
     *
     * @param progress told after each batch, or null
     * @throws IOException naming the image, when one cannot be decoded
     */
    public static List<Detection> run(Detector detector, DetectionDataset dataset, int batchSize, Progress progress)
            throws IOException {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        int total = dataset.size();
        List<Detection> out = new ArrayList<>();
        long t0 = System.nanoTime();
        ExecutorService decoder = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "strix-eval-decode");
            t.setDaemon(true);
            return t;
        });
        try {
            CompletableFuture<List<BufferedImage>> next = decode(dataset, 0, Math.min(total, batchSize), decoder);
            for (int from = 0; from < total; from += batchSize) {
                int to = Math.min(total, from + batchSize);
                List<BufferedImage> images = await(next);
                if (to < total) next = decode(dataset, to, Math.min(total, to + batchSize), decoder);
                List<List<DetectedObject>> found = detector.detectAll(images);
                for (int i = from; i < to; i++) {
                    String id = dataset.annotation(i).imageId();
                    for (DetectedObject o : found.get(i - from)) out.add(o.toDetection(id));
                }
                if (progress != null) progress.update(to, total, (System.nanoTime() - t0) / 1e9);
            }
        } finally {
            decoder.shutdownNow();
        }
        return out;
    }

    private static CompletableFuture<List<BufferedImage>> decode(DetectionDataset dataset, int from, int to,
                                                                 ExecutorService executor) {
        return CompletableFuture.supplyAsync(() -> {
            List<BufferedImage> images = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) {
                try {
                    images.add(dataset.image(i));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return images;
        }, executor);
    }

    private static List<BufferedImage> await(CompletableFuture<List<BufferedImage>> f) throws IOException {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException u) throw u.getCause();
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }
}
