package dev.strix.detection.data;

import dev.strix.nn.io.Json;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes any {@link DetectionDataset} in the VOCdevkit layout or as a COCO instances file, images included. */
public final class DatasetWriter {
    private DatasetWriter() {
    }

    /**
     * Writes {@code Annotations/<id>.xml}, {@code JPEGImages/<id>.<ext>} and {@code ImageSets/Main/<split>.txt} under
     * {@code root}; boxes are written in the devkit's 1-based inclusive convention.
     *
     * @param imageFormat "png" or "jpg"
     */
    public static void writeVoc(DetectionDataset ds, Path root, String split, String imageFormat) throws IOException {
        String ext = extension(imageFormat);
        Path ann = Files.createDirectories(root.resolve("Annotations"));
        Path img = Files.createDirectories(root.resolve("JPEGImages"));
        Path sets = Files.createDirectories(root.resolve("ImageSets").resolve("Main"));
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < ds.size(); i++) {
            ImageAnnotation a = ds.annotation(i);
            writeImage(ds.image(i), ext, img.resolve(a.imageId() + "." + ext));
            Files.writeString(ann.resolve(a.imageId() + ".xml"), vocXml(a, ds.classNames(), ext), StandardCharsets.UTF_8);
            ids.append(a.imageId()).append('\n');
        }
        Files.writeString(sets.resolve(split + ".txt"), ids, StandardCharsets.UTF_8);
    }

    /**
     * Writes a COCO instances file: image ids are 1-based positions, category ids 1-based class indices, and the
     * non-standard fields {@code difficult} and {@code truncated} (0/1) are added to each annotation.
     */
    public static void writeCoco(DetectionDataset ds, Path jsonFile, Path imageDir, String imageFormat) throws IOException {
        String ext = extension(imageFormat);
        Files.createDirectories(imageDir);
        if (jsonFile.toAbsolutePath().getParent() != null) Files.createDirectories(jsonFile.toAbsolutePath().getParent());
        List<Object> images = new ArrayList<>(), annotations = new ArrayList<>(), categories = new ArrayList<>();
        for (int k = 0; k < ds.classNames().size(); k++) categories.add(Map.of("id", k + 1, "name", ds.classNames().get(k)));
        long annId = 1;
        for (int i = 0; i < ds.size(); i++) {
            ImageAnnotation a = ds.annotation(i);
            String file = a.imageId() + "." + ext;
            writeImage(ds.image(i), ext, imageDir.resolve(file));
            Map<String, Object> im = new LinkedHashMap<>();
            im.put("id", i + 1);
            im.put("file_name", file);
            im.put("width", a.width());
            im.put("height", a.height());
            images.add(im);
            for (ObjectAnnotation o : a.objects()) {
                Map<String, Object> an = new LinkedHashMap<>();
                an.put("id", annId++);
                an.put("image_id", i + 1);
                an.put("category_id", o.classIndex() + 1);
                an.put("bbox", o.box().toXywh());
                an.put("area", o.box().area());
                an.put("iscrowd", o.crowd() ? 1 : 0);
                an.put("difficult", o.difficult() ? 1 : 0);
                an.put("truncated", o.truncated() ? 1 : 0);
                annotations.add(an);
            }
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("images", images);
        doc.put("annotations", annotations);
        doc.put("categories", categories);
        Files.writeString(jsonFile, Json.writePretty(doc, 1), StandardCharsets.UTF_8);
    }

    static String vocXml(ImageAnnotation a, List<String> classNames, String ext) {
        StringBuilder x = new StringBuilder("<annotation>\n");
        x.append("  <filename>").append(escape(a.imageId() + "." + ext)).append("</filename>\n");
        x.append("  <size><width>").append(a.width()).append("</width><height>").append(a.height())
                .append("</height><depth>3</depth></size>\n");
        for (ObjectAnnotation o : a.objects()) {
            Box b = o.box();
            x.append("  <object>\n    <name>").append(escape(classNames.get(o.classIndex()))).append("</name>\n");
            x.append("    <truncated>").append(o.truncated() ? 1 : 0).append("</truncated>\n");
            x.append("    <difficult>").append(o.difficult() ? 1 : 0).append("</difficult>\n");
            x.append("    <bndbox><xmin>").append(num(b.x1() + 1)).append("</xmin><ymin>").append(num(b.y1() + 1))
                    .append("</ymin><xmax>").append(num(b.x2())).append("</xmax><ymax>").append(num(b.y2()))
                    .append("</ymax></bndbox>\n  </object>\n");
        }
        return x.append("</annotation>\n").toString();
    }

    private static String num(float v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Float.toString(v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String extension(String format) {
        return switch (format.toLowerCase(java.util.Locale.ROOT)) {
            case "png" -> "png";
            case "jpg", "jpeg" -> "jpg";
            default -> throw new IllegalArgumentException("image format must be png or jpg, got '" + format + "'");
        };
    }

    private static void writeImage(BufferedImage image, String ext, Path file) throws IOException {
        BufferedImage rgb = ImageFiles.toRgb(image);
        if (!ImageIO.write(rgb, ext.equals("jpg") ? "jpeg" : "png", file.toFile()))
            throw new IOException(file + ": no ImageIO writer for " + ext);
    }
}
