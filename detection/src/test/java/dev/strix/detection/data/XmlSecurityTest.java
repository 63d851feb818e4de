package dev.strix.detection.data;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile annotation files: each is refused (or parsed without effect) and neither the marker file's content nor a
 * connection to the local listener ever shows up.
 */
class XmlSecurityTest {
    private static final String SECRET = "MARKER-7f3a9c-SECRET";

    @TempDir
    Path dir;
    Path marker;
    ServerSocket listener;

    @BeforeEach
    void setUp() throws IOException {
        marker = dir.resolve("marker.txt");
        Files.writeString(marker, SECRET);
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        listener.setSoTimeout(200);
    }

    @AfterEach
    void tearDown() throws IOException {
        listener.close();
    }

    private String url() {
        return "http://127.0.0.1:" + listener.getLocalPort() + "/x.dtd";
    }

    private void assertNoConnection() throws IOException {
        try (Socket s = listener.accept()) {
            throw new AssertionError("the parser connected to the listener from " + s.getRemoteSocketAddress());
        } catch (SocketTimeoutException expected) {
            // nothing connected
        }
    }

    private DatasetException refused(String xml) throws IOException {
        Path f = dir.resolve("hostile.xml");
        Files.writeString(f, xml);
        DatasetException e = assertThrows(DatasetException.class, () -> VocAnnotationParser.parse(f));
        assertTrue(e.getMessage().contains("hostile.xml"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), "marker content leaked: " + e.getMessage());
        assertNoConnection();
        return e;
    }

    private static final String BODY = "<annotation><size><width>9</width><height>9</height></size><object><name>&x;</name>"
            + "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object></annotation>";

    @Test
    void externalFileEntityIsRefused() throws IOException {
        DatasetException e = refused("<?xml version=\"1.0\"?><!DOCTYPE annotation [<!ENTITY x SYSTEM \""
                + marker.toUri() + "\">]>" + BODY);
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
    }

    @Test
    void externalUrlEntityIsRefused() throws IOException {
        refused("<!DOCTYPE annotation [<!ENTITY x SYSTEM \"" + url() + "\">]>" + BODY);
    }

    @Test
    void externalDtdIsRefused() throws IOException {
        refused("<!DOCTYPE annotation SYSTEM \"" + url() + "\">" + BODY.replace("&x;", "dog"));
    }

    @Test
    void parameterEntityIsRefused() throws IOException {
        refused("<!DOCTYPE annotation [<!ENTITY % p SYSTEM \"" + url() + "\"> %p;]>" + BODY.replace("&x;", "dog"));
    }

    @Test
    void billionLaughsIsRefused() throws IOException {
        StringBuilder d = new StringBuilder("<!DOCTYPE annotation [<!ENTITY x0 \"lol\">");
        for (int k = 1; k <= 10; k++)
            d.append("<!ENTITY x").append(k).append(" \"").append(("&x" + (k - 1) + ";").repeat(10)).append("\">");
        d.append("<!ENTITY x \"&x10;\">]>");
        long start = System.nanoTime();
        DatasetException e = refused(d + BODY);
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "refusal took too long");
    }

    @Test
    void xincludeIsNotProcessed() throws IOException {
        String xml = "<annotation xmlns:xi=\"http://www.w3.org/2001/XInclude\"><object><name><xi:include href=\""
                + marker.toUri() + "\" parse=\"text\"/></name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax>"
                + "<ymax>2</ymax></bndbox></object></annotation>";
        DatasetException e = refused(xml);
        assertTrue(e.getMessage().contains("has no <name>"), e.getMessage());
    }
}
