package dev.strix.detection.cli;

import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.DetNetConfig;
import dev.strix.detection.model.LevelOutput;
import dev.strix.nn.Autograd;
import dev.strix.nn.CpuDevice;
import dev.strix.nn.Device;
import dev.strix.nn.Tensor;
import dev.strix.nn.io.DType;
import dev.strix.nn.io.StateDicts;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code strix forward}: loads DetNet weights, runs one evaluation-mode forward pass on the tensor {@code input}
 * (N, 3, H, W) of a safetensors file and writes {@code level<i>.cls}, {@code level<i>.box}, {@code level<i>.ctr}
 * (i = 0, 1, 2 for strides 8, 16, 32) to another safetensors file.
 */
final class ForwardCommand implements Command {
    /** Name of the tensor read from the input file. */
    static final String INPUT_TENSOR = "input";

    private static final String DESCRIPTION = "Runs DetNet (evaluation mode) on the tensor '" + INPUT_TENSOR
            + "' (N, 3, H, W; H and W multiples of 32) of a safetensors file and writes the outputs of the three "
            + "levels (level0 = stride 8, level1 = 16, level2 = 32) as level<i>.cls (N, C, h, w), level<i>.box "
            + "(N, 4, h, w) and level<i>.ctr (N, 1, h, w) in float32. The model configuration is read from the "
            + "weights' shapes unless given.";

    private static OptionSpec spec() {
        return new OptionSpec("forward")
                .required("weights", "W.safetensors", "DetNet state dict (names and shapes as PyTorch's)")
                .required("input", "X.safetensors", "file holding the tensor '" + INPUT_TENSOR + "' (N, 3, H, W)")
                .required("output", "Y.safetensors", "file to write the outputs to (replaced atomically)")
                .optional("device", "cpu|cuda|cuda:N|auto", "where to run (default cpu)")
                .optional("classes", "C", "number of classes (default: from cls_out.weight)")
                .optional("width", "W", "backbone width (default: from stem.0.weight)")
                .optional("fpn", "F", "FPN channels (default: from lat.0.weight)")
                .optional("depth", "D", "head tower depth (default: from the cls_tower entries)");
    }

    @Override
    public String name() {
        return "forward";
    }

    @Override
    public String summary() {
        return "run DetNet on a tensor from a safetensors file";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        OptionSpec spec = spec();
        ParsedArgs a = spec.parse(args);
        if (a.helpRequested()) {
            out.print(spec.help(DESCRIPTION));
            return 0;
        }
        Path weights = a.existingFile("weights"), input = a.existingFile("input"), output = a.path("output");
        Path outDir = output.toAbsolutePath().getParent();
        if (outDir != null && !Files.isDirectory(outDir))
            throw spec.usage("--output " + output + ": folder " + outDir + " does not exist");
        String deviceChoice = DeviceSelection.spec(a, "cpu");
        int classes = a.intValue("classes", -1, 1), width = a.intValue("width", -1, 1);
        int fpn = a.intValue("fpn", -1, 1), depth = a.intValue("depth", -1, 0);
        Device device = Devices.resolve(deviceChoice, err);

        Map<String, Tensor> state = read(weights, "weights");
        DetNetConfig inferred;
        try {
            inferred = DetNetConfig.inferFrom(state);
        } catch (IllegalArgumentException e) {
            if (classes < 0 || width < 0 || fpn < 0 || depth < 0)
                throw CliException.failure("weights " + weights + ": " + e.getMessage()
                        + "; give --classes, --width, --fpn and --depth or use a DetNet checkpoint");
            inferred = null;
        }
        DetNetConfig config = new DetNetConfig(
                classes >= 0 ? classes : inferred.numClasses(), width >= 0 ? width : inferred.width(),
                fpn >= 0 ? fpn : inferred.fpnChannels(), depth >= 0 ? depth : inferred.towerDepth());
        DetNet model = new DetNet(config);
        try {
            model.loadStateDict(state, true);
        } catch (IllegalArgumentException e) {
            throw CliException.failure("weights " + weights + " do not fit DetNet(" + config.summary() + "): "
                    + e.getMessage());
        }
        model.to(device);
        model.eval();

        Tensor x = inputTensor(read(input, "input"), input);
        try {
            DetNet.checkInput(x);
        } catch (IllegalArgumentException e) {
            throw CliException.failure("input " + input + ": " + e.getMessage());
        }

        long t0 = System.nanoTime();
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        try (var noGrad = Autograd.noGrad()) {
            List<LevelOutput> levels = model.forward(x.to(device));
            for (int i = 0; i < levels.size(); i++) {
                LevelOutput l = levels.get(i);
                outputs.put("level" + i + ".cls", l.cls().to(CpuDevice.INSTANCE));
                outputs.put("level" + i + ".box", l.box().to(CpuDevice.INSTANCE));
                outputs.put("level" + i + ".ctr", l.ctr().to(CpuDevice.INSTANCE));
            }
        }
        double ms = (System.nanoTime() - t0) / 1e6;

        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("model", "DetNet");
        metadata.put("num_classes", Integer.toString(config.numClasses()));
        metadata.put("w", Integer.toString(config.width()));
        metadata.put("fpn", Integer.toString(config.fpnChannels()));
        metadata.put("depth", Integer.toString(config.towerDepth()));
        metadata.put("mode", "eval");
        metadata.put("weights", weights.getFileName().toString());
        metadata.put("input", input.getFileName().toString());
        metadata.put("producer", Version.string());
        try {
            StateDicts.save(output, outputs, metadata);
        } catch (Exception e) {
            throw new CliException("cannot write " + output + ": " + message(e), e);
        }
        out.println(summary(config, x, outputs, ms, device, output));
        return 0;
    }

    private static Map<String, Tensor> read(Path file, String what) {
        try {
            return StateDicts.read(file);
        } catch (Exception e) {
            throw new CliException("cannot read " + what + " file " + file + ": " + message(e), e);
        }
    }

    private static Tensor inputTensor(Map<String, Tensor> tensors, Path file) {
        Tensor x = tensors.get(INPUT_TENSOR);
        if (x == null)
            throw CliException.failure("input " + file + " has no tensor named '" + INPUT_TENSOR + "' (it has: "
                    + (tensors.isEmpty() ? "nothing" : String.join(", ", tensors.keySet())) + ")");
        if (x.dtype() != DType.F32)
            throw CliException.failure("input " + file + ": tensor '" + INPUT_TENSOR + "' is " + x.dtype()
                    + ", expected F32");
        return x;
    }

    private static String message(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** One line: configuration, input and output shapes, time, device and where the result went. */
    private static String summary(DetNetConfig config, Tensor x, Map<String, Tensor> outputs, double ms,
                                  Device device, Path output) {
        StringBuilder sb = new StringBuilder("forward DetNet(").append(config.summary()).append(") input ")
                .append(Arrays.toString(x.shape())).append(" ->");
        for (int i = 0; i < DetNet.STRIDES.length; i++) {
            sb.append(i == 0 ? " " : "; ").append("level").append(i).append(" (stride ").append(DetNet.STRIDES[i])
                    .append(")");
            for (String head : new String[] {"cls", "box", "ctr"})
                sb.append(' ').append(head).append(Arrays.toString(outputs.get("level" + i + "." + head).shape()));
        }
        return sb.append(String.format(Locale.ROOT, " in %.1f ms on %s; wrote %s", ms, device.name(), output))
                .toString();
    }
}
