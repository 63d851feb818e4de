package dev.strix.detection.data;

import org.w3c.dom.Document;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An XML parser hardened against external entities (XXE), entity expansion (billion laughs) and any other
 * document-type processing: a DOCTYPE declaration is refused outright, so no file or network resource is ever read
 * on behalf of a document.
 */
public final class SafeXml {
    /** Annotation files larger than this are refused (a VOC annotation is a few kilobytes). */
    public static final long MAX_BYTES = 16L << 20;

    private SafeXml() {
    }

    /** A factory with DOCTYPE, external entities, XInclude and entity expansion disabled. */
    public static DocumentBuilderFactory hardenedFactory() {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        try {
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the XML parser does not support the hardening features: " + e.getMessage(), e);
        }
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        f.setNamespaceAware(false);
        f.setValidating(false);
        return f;
    }

    /** Parses {@code file}; every problem becomes a {@link DatasetException} naming the file, line and column. */
    public static Document parse(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES)
                throw new DatasetException(file + ": XML file of " + size + " bytes exceeds the limit of " + MAX_BYTES);
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DatasetException(file + ": annotation file not found");
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
        try {
            DocumentBuilder builder = hardenedFactory().newDocumentBuilder();
            builder.setErrorHandler(SILENT);
            // Any entity resolution request is answered with nothing: no file or URL is opened.
            builder.setEntityResolver((publicId, systemId) -> new InputSource(new StringReader("")));
            InputSource source = new InputSource(new ByteArrayInputStream(bytes));
            source.setSystemId(file.toUri().toString());
            return builder.parse(source);
        } catch (SAXParseException e) {
            throw new DatasetException(file + ": malformed XML at line " + e.getLineNumber() + ", column "
                    + e.getColumnNumber() + ": " + e.getMessage(), e);
        } catch (SAXException | IOException e) {
            throw new DatasetException(file + ": malformed XML: " + e.getMessage(), e);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final ErrorHandler SILENT = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {
        }

        @Override
        public void error(SAXParseException e) throws SAXException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
            throw e;
        }
    };
}
