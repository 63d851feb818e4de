package dev.strix.detection.infer;

import dev.strix.detection.data.Detection;
import dev.strix.detection.data.augment.Letterbox;
import dev.strix.detection.data.augment.LetterboxTransform;
import dev.strix.detection.data.augment.TrainSample;
import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.DetNetConfig;
import dev.strix.detection.postprocess.HostLevel;
import dev.strix.detection.postprocess.PostProcessConfig;
import dev.strix.detection.postprocess.PostProcessor;
import dev.strix.nn.Autograd;
import dev.strix.nn.Device;
import dev.strix.nn.Tensor;
import dev.strix.nn.io.SafeTensors;
import dev.strix.nn.io.SafeTensorsFile;
import dev.strix.nn.io.TensorData;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;


/**
 * A DetNet detector for embedding: load it once, call it on {@link BufferedImage}s, get boxes, labels and scores in
 * the images' own pixel coordinates.
 *
 * <pre>{@code
 * try (Detector detector = Detector.load(Path.of("run/best.safetensors"))) {
 *     for (DetectedObject o : detector.detect(ImageIO.read(new File("street.jpg"))))
 *         System.out.println(o.label() + " " + o.score() + " " + o.box());
 * }
 * }</pre>
 *
 * <p>Each image is letterboxed into an {@code S x S} frame ({@link Letterbox}: scaled by {@code S / max(w, h)},
 * centred, padded with gray), run through the network in evaluation mode, decoded with DetNet's recipe
 * ({@link PostProcessor}: score {@code sqrt(sigmoid(cls) * sigmoid(ctr))}, threshold, top 1,000 per level,
 * class-wise NMS at IoU 0.6) and mapped back to the original image, clipped to it.
 *
 * <p>Thread safety: a detector may be called from any number of threads at once. The model is shared read-only:
 * it is in evaluation mode (batch norm uses its running statistics and updates nothing), every call runs under its
 * own {@link Autograd#noGrad()} scope (thread-local), and all per-call data is allocated by the call. Results do not
 * depend on how calls interleave.
 */
public final class Detector implements AutoCloseable {
    private volatile InferenceModel model;
    private final DetNetConfig config;
    private final String description;
    private final List<String> classNames;
    private final int inputSize;
    private final int batchSize;
    private final Device device;
    private final PostProcessor postProcessor;

    private Detector(InferenceModel model, List<String> classNames, int inputSize, DetectorOptions options) {
        if (classNames.size() != model.numClasses())
            throw new IllegalArgumentException(classNames.size() + " class names for a DetNet with "
                    + model.numClasses() + " classes");
        model.prepare(options.device());
        this.model = model;
        this.config = model.config();
        this.description = model.describe();
        this.classNames = List.copyOf(classNames);
        this.inputSize = inputSize;
        this.batchSize = options.batchSize();
        this.device = options.device();
        this.postProcessor = new PostProcessor(PostProcessConfig.defaults()
                .withScoreThreshold(options.scoreThreshold()).withMaxDetections(options.maxDetections()));
    }

    /** {@link #load(Path, DetectorOptions)} with {@link DetectorOptions#defaults()}. */
    public static Detector load(Path weights) throws IOException {
        return load(weights, DetectorOptions.defaults());
    }

    /**
     * Loads DetNet weights (a safetensors state dict with PyTorch's names, as {@code strix train} writes and
     * {@code torch.save}/{@code safetensors} produce). The architecture (classes, width, FPN channels, tower depth) is
     * read off the tensor shapes; class names and the input size come from the options, else from the checkpoint
     * (see {@link CheckpointMetadata}).
     *
     * @throws IOException              when the file cannot be read or is not valid safetensors
     * @throws IllegalArgumentException naming the file, when it is not a DetNet state dict, its tensors do not fit,
     *                                  or the class names do not match the number of classes
     */
    public static Detector load(Path weights, DetectorOptions options) throws IOException {
        SafeTensorsFile file = SafeTensors.read(weights);
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (TensorData td : file.tensors().values()) {
            int[] shape = td.intShape();
            state.put(td.name(), td.dtype().isFloatingPoint() ? Tensor.of(td.toFloatArray(), shape)
                    : Tensor.ofLongs(td.toLongArray(), shape));
        }
        Map<String, String> metadata = file.metadata();
        InferenceModel model;
        List<String> names;
        int size;
        try {
            model = InferenceModel.fromStateDict(state, metadata);
            names = options.classNames() != null ? options.classNames()
                    : CheckpointMetadata.classNames(metadata, weights, model.numClasses());
            size = options.inputSize() != 0 ? options.inputSize() : CheckpointMetadata.inputSize(metadata);
            if (size == 0) size = DetectorOptions.DEFAULT_INPUT_SIZE;
            if (size % DetNet.SIZE_MULTIPLE != 0)
                throw new IllegalArgumentException("the training input size " + size + " in the metadata is not a "
                        + "multiple of " + DetNet.SIZE_MULTIPLE + "; give an input size");
            return new Detector(model, names, size, options);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(weights + ": " + e.getMessage(), e);
        }
    }

    /**
     * A detector around a model already in memory (for example one being trained). The model is moved to the
     * options' device and put in evaluation mode; the caller must not change it while the detector is in use.
     *
     * @param classNames one name per class of the model
     * @param options    the input size must be given (not 0)
     */
    public static Detector wrap(DetNet model, List<String> classNames, DetectorOptions options) {
        if (options.inputSize() == 0) throw new IllegalArgumentException("wrap needs an explicit input size");
        return new Detector(InferenceModel.of(model), classNames, options.inputSize(), options);
    }

    /**
     * Objects in one image.
     *
     * @param image any size and type; it is only read
     * @return its detections by decreasing score, boxes in the image's pixel coordinates
     * @throws IllegalStateException after {@link #close()}
     */
    public List<DetectedObject> detect(BufferedImage image) {
        return run(List.of(image)).getFirst();
    }

    /**
     * Objects in each of several images, run through the network in batches (of {@link DetectorOptions#batchSize()}).
     *
     * @return one list per image, in the order given
     * @throws IllegalStateException after {@link #close()}
     */
    public List<List<DetectedObject>> detectAll(List<BufferedImage> images) {
        List<List<DetectedObject>> out = new ArrayList<>(images.size());
        for (int from = 0; from < images.size(); from += batchSize)
            out.addAll(run(images.subList(from, Math.min(images.size(), from + batchSize))));
        return out;
    }

    /**
     * Runs {@code passes} forward passes over a full batch of gray frames and discards them. On the CPU the JIT
     * compiles the kernels during the first passes, on the cores that will serve, so a service calls this once
     * before it takes requests: at batch 8 x 256 on 2 cores the first ~20 passes are up to a third slower than
     * the steady state. Changes nothing the detector computes.
     *
     * @param passes forward passes (>= 0)
     * @return this detector
     * @throws IllegalStateException after {@link #close()}
     */
    public Detector warmUp(int passes) {
        if (passes < 0) throw new IllegalArgumentException("warm-up passes must be >= 0, got " + passes);
        InferenceModel m = model;
        if (m == null) throw new IllegalStateException("the detector is closed");
        float[] pixels = new float[batchSize * 3 * inputSize * inputSize];
        java.util.Arrays.fill(pixels, 0.5f);
        for (int i = 0; i < passes; i++) {
            try (var noGrad = Autograd.noGrad()) {
                m.forward(Tensor.from(device, pixels, batchSize, 3, inputSize, inputSize));
            }
        }
        return this;
    }

    /** One forward pass over {@code images} (at most a batch): letterbox, forward, decode, map back. */
    private List<List<DetectedObject>> run(List<BufferedImage> images) {
        InferenceModel m = model;
        if (m == null) throw new IllegalStateException("the detector is closed");
        if (images.isEmpty()) return List.of();
        int n = images.size(), frame = 3 * inputSize * inputSize;
        float[] pixels = new float[n * frame];
        List<String> ids = new ArrayList<>(n);
        List<UnaryOperator<dev.strix.detection.data.Box>> maps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            BufferedImage image = images.get(i);
            if (image == null) throw new IllegalArgumentException("image " + i + " is null");
            TrainSample s = Letterbox.apply(image, inputSize);
            System.arraycopy(s.chw(), 0, pixels, i * frame, frame);
            LetterboxTransform t = s.transform();
            maps.add(t::toOriginal);
            ids.add(Integer.toString(i));
        }
        List<HostLevel> levels;
        try (var noGrad = Autograd.noGrad()) {
            levels = m.forward(Tensor.from(device, pixels, n, 3, inputSize, inputSize));
        }
        List<List<Detection>> found = postProcessor.processHost(levels, inputSize, inputSize, ids, maps);
        List<List<DetectedObject>> out = new ArrayList<>(n);
        for (List<Detection> image : found) {
            List<DetectedObject> objects = new ArrayList<>(image.size());
            for (Detection d : image)
                if (d.box().isValid())
                    objects.add(new DetectedObject(d.box(), d.classIndex(), classNames.get(d.classIndex()), d.score()));
            out.add(List.copyOf(objects));
        }
        return out;
    }

    /** Class names in class-index order. */
    public List<String> classNames() {
        return classNames;
    }

    /** Number of object classes. */
    public int numClasses() {
        return classNames.size();
    }

    /** One line naming the network, e.g. {@code DetNet(C=20 w=16 F=64 D=2)}. */
    public String describe() {
        return description;
    }

    /** The side S of the square frame images are letterboxed into. */
    public int inputSize() {
        return inputSize;
    }

    /** The model's configuration (with a softmax classifier, its class count includes the background). */
    public DetNetConfig config() {
        return config;
    }

    /** Where the model runs. */
    public Device device() {
        return device;
    }

    /** The score threshold and the other decoding settings. */
    public PostProcessConfig postProcessConfig() {
        return postProcessor.config();
    }

    /** Drops the model; later calls throw {@link IllegalStateException}. Calls already running finish normally. */
    @Override
    public void close() {
        model = null;
    }
}
