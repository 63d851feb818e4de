package dev.strix.detection.data;

import dev.strix.detection.data.augment.Augmenter;
import dev.strix.detection.data.augment.TrainSample;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Decodes and augments batches ahead of the training step on daemon worker threads, and hands them out in order.
 *
 * <p>The order of an epoch is a seeded shuffle of all indices (or the identity), and sample {@code i} of epoch
 * {@code e} is augmented with seed {@link #sampleSeed(long, int, int) sampleSeed(seed, e, i)}, so batches are identical
 * whatever the number of workers. At most {@code prefetchBatches} batches are claimed ahead of the consumer. A
 * sample that cannot be read is skipped and counted with a warning, or, in strict mode, ends the epoch with a
 * {@link DatasetException} naming the image. Starting a new epoch abandons the previous one; {@link #close()} stops
 * the workers.
 */
public final class DataLoader implements AutoCloseable {
    /**
     * @param batchSize       samples per batch B
     * @param workers         worker threads
     * @param prefetchBatches batches prepared ahead of the consumer
     * @param shuffle         shuffle the order each epoch
     * @param dropLast        drop a final partial batch
     * @param strict          rethrow the first unreadable sample instead of skipping it
     * @param seed            base seed of orders and augmentations
     */
    public record Options(int batchSize, int workers, int prefetchBatches, boolean shuffle, boolean dropLast, boolean strict, long seed) {
        public Options {
            if (batchSize < 1 || workers < 1 || prefetchBatches < 1)
                throw new IllegalArgumentException("batchSize, workers and prefetchBatches must be >= 1, got " + batchSize
                        + ", " + workers + ", " + prefetchBatches);
        }

        /** Shuffled, partial last batch kept, lenient, {@code 2 * workers} batches ahead. */
        public static Options of(int batchSize, int workers, long seed) {
            return new Options(batchSize, workers, Math.max(2, 2 * workers), true, false, false, seed);
        }
    }

    /** Warnings kept in memory; further ones are only counted. */
    public static final int MAX_WARNINGS = 1000;

    private final DetectionDataset dataset;
    private final Augmenter augmenter;
    private final Options options;
    private final ExecutorService pool;
    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger skipped = new AtomicInteger();
    private EpochRun current;
    private volatile boolean closed;

    public DataLoader(DetectionDataset dataset, Augmenter augmenter, Options options) {
        if (dataset.size() == 0) throw new IllegalArgumentException("empty dataset: " + dataset.describe());
        this.dataset = dataset;
        this.augmenter = augmenter;
        this.options = options;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(options.workers(), r -> {
            Thread t = new Thread(r, "strix-data-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    /** The augmentation seed of dataset index {@code index} in epoch {@code epoch}. */
    public static long sampleSeed(long seed, int epoch, int index) {
        return SeededRandom.mix(seed, epoch, index);
    }

    /** The dataset indices of epoch {@code epoch}, in the order they are served. */
    public int[] order(int epoch) {
        int[] order = new int[dataset.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        if (options.shuffle()) new SeededRandom(SeededRandom.mix(options.seed(), epoch, -1)).shuffle(order);
        return order;
    }

    public int batchesPerEpoch() {
        int n = dataset.size(), b = options.batchSize();
        return options.dropLast() ? n / b : (n + b - 1) / b;
    }

    /** Starts epoch {@code epoch} (abandoning any unfinished one) and returns its batches in order. */
    public synchronized Iterator<Batch> epoch(int epoch) {
        if (closed) throw new IllegalStateException("data loader is closed");
        if (current != null) current.cancel();
        current = new EpochRun(epoch, order(epoch));
        for (int w = 0; w < options.workers(); w++) pool.execute(current::work);
        return current;
    }

    /** Warnings about skipped samples (at most {@link #MAX_WARNINGS}). */
    public List<String> warnings() {
        synchronized (warnings) {
            return List.copyOf(warnings);
        }
    }

    /** Samples skipped since the loader was created. */
    public int skippedCount() {
        return skipped.get();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (current != null) current.cancel();
        pool.shutdownNow();
    }

    private record Result(Batch batch, RuntimeException error) {}

    /** One epoch: workers claim batch numbers, the consumer takes them in order. */
    private final class EpochRun implements Iterator<Batch> {
        final int epoch;
        final int[] order;
        final int batches;
        final AtomicInteger nextClaim = new AtomicInteger();
        final Semaphore ahead = new Semaphore(options.prefetchBatches());
        final Map<Integer, Result> done = new ConcurrentHashMap<>();
        final ReentrantLock lock = new ReentrantLock();
        final Condition arrived = lock.newCondition();
        volatile boolean cancelled;
        int cursor;
        Batch pending;

        EpochRun(int epoch, int[] order) {
            this.epoch = epoch;
            this.order = order;
            this.batches = batchesPerEpoch();
        }

        void cancel() {
            cancelled = true;
            ahead.release(options.workers() + batches + 1);
            lock.lock();
            try {
                arrived.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void work() {
            try {
                while (!cancelled) {
                    ahead.acquire();
                    if (cancelled) return;
                    int b = nextClaim.getAndIncrement();
                    if (b >= batches) return;
                    Result r;
                    try {
                        r = new Result(build(b), null);
                    } catch (RuntimeException e) {
                        r = new Result(null, e);
                    } catch (Error e) {
                        r = new Result(null, new IllegalStateException("data worker failed on batch " + b + ": " + e, e));
                    }
                    lock.lock();
                    try {
                        done.put(b, r);
                        arrived.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        Batch build(int b) {
            int size = augmenter.config().size(), frame = 3 * size * size;
            int from = b * options.batchSize(), to = Math.min(order.length, from + options.batchSize());
            List<TrainSample> samples = new ArrayList<>(to - from);
            for (int p = from; p < to && !cancelled; p++) {
                int index = order[p];
                try {
                    samples.add(augmenter.apply(dataset, index, sampleSeed(options.seed(), epoch, index)));
                } catch (Exception | OutOfMemoryError e) {
                    String msg = "sample " + index + " (" + describe(index) + "): " + e.getMessage();
                    if (options.strict()) throw new DatasetException(msg, e);
                    skipped.incrementAndGet();
                    synchronized (warnings) {
                        if (warnings.size() < MAX_WARNINGS) warnings.add("skipped " + msg);
                    }
                }
            }
            float[] images = new float[samples.size() * frame];
            List<List<ObjectAnnotation>> targets = new ArrayList<>(samples.size());
            List<TrainSample> meta = new ArrayList<>(samples.size());
            for (int k = 0; k < samples.size(); k++) {
                TrainSample s = samples.get(k);
                System.arraycopy(s.chw(), 0, images, k * frame, frame);
                targets.add(s.objects());
                meta.add(s.withoutPixels());
            }
            return new Batch(images, size, targets, meta);
        }

        private String describe(int index) {
            try {
                ImageAnnotation a = dataset.annotation(index);
                return "image " + a.imageId() + (a.imagePath() == null ? "" : " at " + a.imagePath());
            } catch (RuntimeException e) {
                return "index " + index;
            }
        }

        @Override
        public boolean hasNext() {
            while (pending == null && cursor < batches) {
                if (cancelled) throw abandoned();
                Result r = await(cursor++);
                ahead.release();
                if (r.error != null) {
                    cancel();
                    throw r.error;
                }
                if (r.batch.count() > 0) pending = r.batch;
            }
            return pending != null;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("epoch " + epoch + " has no more batches");
            Batch b = pending;
            pending = null;
            return b;
        }

        private IllegalStateException abandoned() {
            return new IllegalStateException("epoch " + epoch + " was abandoned (a newer epoch started or the loader closed)");
        }

        private Result await(int b) {
            lock.lock();
            try {
                Result r;
                while ((r = done.remove(b)) == null) {
                    if (cancelled) throw abandoned();
                    arrived.awaitUninterruptibly();
                }
                return r;
            } finally {
                lock.unlock();
            }
        }
    }
}
