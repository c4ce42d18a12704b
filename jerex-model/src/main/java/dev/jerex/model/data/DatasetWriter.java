package dev.jerex.model.data;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Writes documents and types back in SpERT's JSON format (UTF-8, no byte-order mark), so that
 * {@code DatasetReader.readDocuments(DatasetWriter.writeDocuments(docs))} gives the same documents.
 *
 * <p>{@code orig_id} is written as a JSON integer when its text is a canonical integer
 * ({@code "5123"}) and as a string otherwise ({@code "1-0-0"}), which reproduces both CoNLL04's
 * integer ids and DiaKG's string ids. {@code orig_id == null} writes no field.
 */
public final class DatasetWriter {

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final Pattern CANONICAL_INTEGER = Pattern.compile("0|-?[1-9][0-9]*");

    private DatasetWriter() {
    }

    public static void writeDocuments(Path file, List<Document> documents) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            writeDocuments(out, documents);
        }
    }

    /** Writes a JSON array of documents; the stream is flushed, not closed. */
    public static void writeDocuments(OutputStream out, List<Document> documents) throws IOException {
        try (JsonGenerator json = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.writeStartArray();
            for (Document document : documents) {
                writeDocument(json, document);
            }
            json.writeEndArray();
        }
    }

    private static void writeDocument(JsonGenerator json, Document document) throws IOException {
        json.writeStartObject();
        json.writeArrayFieldStart("tokens");
        for (String token : document.tokens()) {
            json.writeString(token);
        }
        json.writeEndArray();
        json.writeArrayFieldStart("entities");
        for (Entity entity : document.entities()) {
            json.writeStartObject();
            json.writeStringField("type", entity.type().name());
            json.writeNumberField("start", entity.start());
            json.writeNumberField("end", entity.end());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeArrayFieldStart("relations");
        for (Relation relation : document.relations()) {
            json.writeStartObject();
            json.writeStringField("type", relation.type().name());
            json.writeNumberField("head", relation.head());
            json.writeNumberField("tail", relation.tail());
            json.writeEndObject();
        }
        json.writeEndArray();
        if (document.origId() != null) {
            json.writeFieldName("orig_id");
            if (CANONICAL_INTEGER.matcher(document.origId()).matches()) {
                json.writeNumber(new BigInteger(document.origId()));
            } else {
                json.writeString(document.origId());
            }
        }
        json.writeEndObject();
    }

    public static void writeTypes(Path file, Types types) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            writeTypes(out, types);
        }
    }

    /** Writes a types file; the {@code None} entity type is implicit and not written. */
    public static void writeTypes(OutputStream out, Types types) throws IOException {
        try (JsonGenerator json = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.writeStartObject();
            json.writeObjectFieldStart("entities");
            for (EntityType type : types.entityTypes()) {
                if (type.isNone()) {
                    continue;
                }
                json.writeObjectFieldStart(type.name());
                json.writeStringField("short", type.shortName());
                json.writeStringField("verbose", type.verbose());
                json.writeEndObject();
            }
            json.writeEndObject();
            json.writeObjectFieldStart("relations");
            for (RelationType type : types.relationTypes()) {
                json.writeObjectFieldStart(type.name());
                json.writeStringField("short", type.shortName());
                json.writeStringField("verbose", type.verbose());
                json.writeBooleanField("symmetric", type.symmetric());
                json.writeEndObject();
            }
            json.writeEndObject();
            json.writeEndObject();
        }
    }
}
