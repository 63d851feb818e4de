package dev.strix.detection.infer;

import dev.strix.detection.model.DetNet;
import dev.strix.nn.CpuDevice;
import dev.strix.nn.Device;
import dev.strix.nn.cuda.Devices;

import java.util.List;

/**
 * How a {@link Detector} is loaded and run. Start from {@link #defaults()} and change what you need:
 * {@code DetectorOptions.defaults().withInputSize(384).withScoreThreshold(0.3f)}.
 *
 * @param device         where the model runs (default the CPU; {@link #withDevice(String)} takes {@code cpu},
 *                       {@code cuda}, {@code cuda:N} or {@code auto})
 * @param inputSize      side S of the square letterbox frame the image is scaled into, a positive multiple of 32;
 *                       0 means: the checkpoint's {@value CheckpointMetadata#INPUT_SIZE} metadata when present, else
 *                       {@value #DEFAULT_INPUT_SIZE}
 * @param scoreThreshold detections with a score at or below this are dropped, in [0, 1) (default 0.05, DetNet's
 *                       evaluation threshold; raise it to about 0.3 for display)
 * @param maxDetections  at most this many detections per image (default 100)
 * @param classNames     class names in class-index order, or null to take them from the checkpoint (see
 *                       {@link CheckpointMetadata#classNames})
 * @param batchSize      {@link Detector#detectAll} runs the network on at most this many images at a time (default 8)
 */
public record DetectorOptions(Device device, int inputSize, float scoreThreshold, int maxDetections,
                              List<String> classNames, int batchSize) {
    /** Frame side used when neither the options nor the checkpoint give one. */
    public static final int DEFAULT_INPUT_SIZE = 512;

    public DetectorOptions {
        if (device == null) throw new IllegalArgumentException("device must not be null");
        if (inputSize != 0 && (inputSize < DetNet.SIZE_MULTIPLE || inputSize % DetNet.SIZE_MULTIPLE != 0))
            throw new IllegalArgumentException("input size must be a positive multiple of " + DetNet.SIZE_MULTIPLE
                    + ", got " + inputSize);
        if (!(scoreThreshold >= 0f && scoreThreshold < 1f))
            throw new IllegalArgumentException("score threshold must lie in [0, 1), got " + scoreThreshold);
        if (maxDetections <= 0)
            throw new IllegalArgumentException("max detections must be positive, got " + maxDetections);
        if (classNames != null) classNames = List.copyOf(classNames);
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }

    /** CPU, input size from the checkpoint (else 512), threshold 0.05, 100 detections, class names from the checkpoint, batches of 8. */
    public static DetectorOptions defaults() {
        return new DetectorOptions(CpuDevice.INSTANCE, 0, 0.05f, 100, null, 8);
    }

    public DetectorOptions withDevice(Device d) {
        return new DetectorOptions(d, inputSize, scoreThreshold, maxDetections, classNames, batchSize);
    }

    /**
     * The device named the way {@code --device} names it: {@code cpu}, {@code cuda} (= {@code cuda:0}),
     * {@code cuda:N}, or {@code auto} (CUDA device 0 when CUDA is usable, else the CPU; see
     * {@link Devices#choose} for the reason of the choice).
     *
     * @throws IllegalArgumentException for an unknown spelling or a CUDA index that is not present
     * @throws IllegalStateException    for {@code cuda...} when CUDA is not usable here, with the reason
     */
    public DetectorOptions withDevice(String spec) {
        return withDevice(Devices.parse(spec));
    }

    public DetectorOptions withInputSize(int size) {
        return new DetectorOptions(device, size, scoreThreshold, maxDetections, classNames, batchSize);
    }

    public DetectorOptions withScoreThreshold(float t) {
        return new DetectorOptions(device, inputSize, t, maxDetections, classNames, batchSize);
    }

    public DetectorOptions withMaxDetections(int m) {
        return new DetectorOptions(device, inputSize, scoreThreshold, m, classNames, batchSize);
    }

    public DetectorOptions withClassNames(List<String> names) {
        return new DetectorOptions(device, inputSize, scoreThreshold, maxDetections, names, batchSize);
    }

    public DetectorOptions withBatchSize(int b) {
        return new DetectorOptions(device, inputSize, scoreThreshold, maxDetections, classNames, b);
    }
}
