package dev.strix.detection.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Strix's version, from the jar manifest or the Maven properties packaged with the classes. */
final class Version {
    private static final String POM_PROPERTIES = "/META-INF/maven/dev.strix/strix-detection/pom.properties";

    private Version() {}

    /** E.g. {@code "strix 0.1.0-SNAPSHOT"}; {@code "strix (development build)"} when run from the classes folder. */
    static String string() {
        return "strix " + number();
    }

    static String number() {
        String v = Version.class.getPackage().getImplementationVersion();
        if (v != null) return v;
        try (InputStream in = Version.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String fromPom = p.getProperty("version");
                if (fromPom != null) return fromPom;
            }
        } catch (IOException ignored) {
            // fall through to the development label
        }
        return "(development build)";
    }
}
