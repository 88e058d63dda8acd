package io.inorder.pipeline;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.inorder.arcion.BadRecord;
import io.inorder.arcion.Origin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The quarantine as S3 objects: one NDJSON object per window of bad records, at a key derived from their origins
 * ({@code <prefix>s3/<bucket/key>/<first>-<last>.ndjson} or {@code <prefix>kafka/<topic>/<partition>/<first>-<last>
 * .ndjson}), so a redelivered window overwrites its own object instead of adding a copy. Each line holds the origin,
 * the reason, the raw bytes (base64, and as text when they are valid UTF-8) and the time. Thread-safe.
 */
public final class S3Quarantine implements Quarantine {

    private static final JsonFactory JSON = new JsonFactory();

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final Clock clock;

    public S3Quarantine(S3Client s3, String bucket, String prefix, Clock clock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.clock = clock;
    }

    @Override
    public String put(List<BadRecord> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("nothing to quarantine");
        }
        String key = keyFor(records);
        s3.putObject(p -> p.bucket(bucket).key(key).contentType("application/x-ndjson"),
                RequestBody.fromBytes(lines(records)));
        return "s3://" + bucket + "/" + key;
    }

    /** The object key of a window's bad records: stable for the same origins. */
    String keyFor(List<BadRecord> records) {
        Origin first = records.get(0).origin();
        long last = records.get(records.size() - 1).origin().position();
        String place = first.kind() == Origin.Kind.KAFKA
                ? "kafka/" + first.source() + "/" + first.partition()
                : "s3/" + first.source();
        return prefix + place + "/" + String.format("%020d-%020d", first.position(), last) + ".ndjson";
    }

    private byte[] lines(List<BadRecord> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 * records.size());
        String now = clock.instant().toString();
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.setRootValueSeparator(null);
            for (BadRecord r : records) {
                Origin o = r.origin();
                g.writeStartObject();
                g.writeObjectFieldStart("origin");
                g.writeStringField("kind", o.kind().name().toLowerCase(java.util.Locale.ROOT));
                g.writeStringField("source", o.source());
                if (o.kind() == Origin.Kind.KAFKA) {
                    g.writeNumberField("partition", o.partition());
                    g.writeNumberField("offset", o.position());
                } else {
                    g.writeNumberField("record", o.position());
                    if (o.byteOffset() >= 0) {
                        g.writeNumberField("byteOffset", o.byteOffset());
                    }
                }
                g.writeEndObject();
                g.writeStringField("reason", r.reason());
                g.writeStringField("quarantinedAt", now);
                g.writeFieldName("raw");
                g.writeBinary(r.raw());
                String text = utf8(r.raw());
                if (text != null) {
                    g.writeStringField("rawText", text);
                }
                g.writeEndObject();
                g.writeRaw('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String utf8(byte[] raw) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
