package io.inorder.pipeline;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inorder.arcion.BadRecord;
import io.inorder.arcion.Origin;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The quarantine as S3 objects: NDJSON chunks of at most {@link #CHUNK_RECORDS} records and about
 * {@link #CHUNK_BYTES} bytes each, at keys derived from their origins ({@code <prefix>s3/<key>/<first>-<last>.ndjson}
 * or {@code <prefix>kafka/<topic>/<partition>/<first>-<last>.ndjson}). A window's records are cut into chunks by
 * their count and their own sizes only (never the time or anything else that differs between attempts), so a
 * redelivered window writes the same chunks at the same keys, overwriting them instead of adding copies, and no
 * object held in memory while it is written exceeds a chunk however many records the window rejected. Each line
 * holds the origin, the reason (in full: it may quote row data), the raw bytes (base64, and as text when they are
 * valid UTF-8) and the time. This class owns the format: it writes it ({@link #put}), reads it back ({@link #forEach}, {@link #find}) and rewrites it ({@link #rewrite}).
 *
 * <p>Reading streams object by object: at most one object's records are held at a time. Rewriting is conditional on
 * the object's entity tag, so a window quarantined again while a replay ran is never overwritten by the replay's
 * rewrite. Thread-safe.
 */
public final class S3Quarantine implements Quarantine {

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SUFFIX = ".ndjson";

    /** Most records in one quarantine object. */
    public static final int CHUNK_RECORDS = 2_000;

    /**
     * Most bytes of raw records and reasons in one quarantine object (a single larger record gets an object of its
     * own); its NDJSON, with base64 and text copies of the bytes, is about three times as large.
     */
    public static final long CHUNK_BYTES = 2L * 1024 * 1024;

    /** How a {@link #rewrite} ended. */
    public enum Rewrite {
        /** Lines were removed or updated; others remain. */
        REWRITTEN,
        /** Every line was removed, so the object was deleted. */
        DELETED,
        /** The object changed (or vanished) since it was read: nothing was written; read it again. */
        CHANGED,
        /** Nothing to remove or update. */
        UNCHANGED
    }

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

    /** {@code s3://bucket/prefix}: where this quarantine lives, for messages. */
    public String location() {
        return "s3://" + bucket + "/" + prefix;
    }

    /**
     * Writes the records chunk by chunk ({@link #CHUNK_RECORDS}, {@link #CHUNK_BYTES}), each chunk an object of its
     * own; returns the first object's location, and how many more there are.
     */
    @Override
    public String put(List<BadRecord> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("nothing to quarantine");
        }
        String now = clock.instant().toString();
        String first = null;
        int objects = 0;
        int from = 0;
        while (from < records.size()) {
            int to = from;
            long bytes = 0;
            while (to < records.size() && to - from < CHUNK_RECORDS && (to == from || bytes < CHUNK_BYTES)) {
                bytes += size(records.get(to));
                to++;
            }
            String key = putChunk(records.subList(from, to), now);
            if (first == null) {
                first = "s3://" + bucket + "/" + key;
            }
            objects++;
            from = to;
        }
        return objects == 1 ? first : first + " and " + (objects - 1) + " more object" + (objects == 2 ? "" : "s");
    }

    /** What a record adds to a chunk: its bytes and reason (the rest of a line is small and fixed). */
    static long size(BadRecord r) {
        return r.raw().length + r.reason().length();
    }

    private String putChunk(List<BadRecord> chunk, String now) {
        String key = keyFor(chunk);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 * chunk.size());
        try (JsonGenerator g = generator(out)) {
            for (BadRecord r : chunk) {
                writeLine(g, r.origin(), r.reason(), now, r.raw());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        s3.putObject(p -> p.bucket(bucket).key(key).contentType("application/x-ndjson"),
                RequestBody.fromBytes(out.toByteArray()));
        return key;
    }

    /** The object key of a chunk of bad records: stable for the same origins. */
    String keyFor(List<BadRecord> records) {
        Origin first = records.get(0).origin();
        long last = records.get(records.size() - 1).origin().position();
        String place = first.kind() == Origin.Kind.KAFKA
                ? "kafka/" + first.source() + "/" + first.partition()
                : "s3/" + first.source();
        return prefix + place + "/" + String.format("%020d-%020d", first.position(), last) + SUFFIX;
    }

    /**
     * Every quarantined record, object by object in key order (so a source's records come in their original order),
     * each object's lines in order. With {@code source} (an S3 key, a topic, or {@code topic/partition}) only that
     * source's records; {@code null} for all.
     */
    public void forEach(String source, Consumer<QuarantinedRecord> action) {
        List<String> places = source == null ? List.of(prefix)
                : List.of(prefix + "s3/" + source + "/", prefix + "kafka/" + source + "/");
        for (String place : places) {
            for (S3Object o : s3.listObjectsV2Paginator(l -> l.bucket(bucket).prefix(place)).contents()) {
                if (!o.key().endsWith(SUFFIX)) {
                    continue;
                }
                for (QuarantinedRecord r : readObject(o.key())) {
                    if (source == null || matches(r.origin(), source)) {
                        action.accept(r);
                    }
                }
            }
        }
    }

    private static boolean matches(Origin origin, String source) {
        return origin.source().equals(source)
                || (origin.kind() == Origin.Kind.KAFKA && (origin.source() + "/" + origin.partition()).equals(source));
    }

    /** The record an {@link QuarantinedRecord#id} names, read now; empty when it is no longer quarantined. */
    public Optional<QuarantinedRecord> find(String id) {
        int hash = id.lastIndexOf('#');
        if (hash <= 0 || !id.substring(0, hash).endsWith(SUFFIX)) {
            throw new IllegalArgumentException("'" + id + "' is not a quarantine id (<object>.ndjson#<position>, as "
                    + "'quarantine list' prints them)");
        }
        for (QuarantinedRecord r : readObject(prefix + id.substring(0, hash))) {
            if (r.id().equals(id)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** The records of one object (empty when it does not exist), with its entity tag. */
    public List<QuarantinedRecord> readObject(String objectKey) {
        List<QuarantinedRecord> records = new ArrayList<>();
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(g -> g.bucket(bucket).key(objectKey))) {
            String eTag = in.response().eTag();
            Map<Long, Integer> seen = new HashMap<>();
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            int lineNo = 0;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                records.add(parse(objectKey, eTag, lineNo, line, seen));
            }
        } catch (NoSuchKeyException gone) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("reading s3://" + bucket + "/" + objectKey + ": " + e.getMessage(), e);
        }
        return records;
    }

    /**
     * Rewrites one object without the lines {@code remove} names and with the reasons {@code reasons} gives, if and
     * only if it still has entity tag {@code eTag}; deletes it when no line remains. Lines not named are kept byte
     * for byte.
     */
    public Rewrite rewrite(String objectKey, String eTag, Set<String> remove, Map<String, String> reasons) {
        List<QuarantinedRecord> current;
        List<String> raw = new ArrayList<>();
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(g -> g.bucket(bucket).key(objectKey)
                .ifMatch(eTag))) {
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (!line.isBlank()) {
                    raw.add(line);
                }
            }
            current = new ArrayList<>();
            Map<Long, Integer> seen = new HashMap<>();
            for (int i = 0; i < raw.size(); i++) {
                current.add(parse(objectKey, eTag, i + 1, raw.get(i), seen));
            }
        } catch (NoSuchKeyException gone) {
            return Rewrite.CHANGED;
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                return Rewrite.CHANGED;
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading s3://" + bucket + "/" + objectKey + ": " + e.getMessage(), e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean changed = false;
        int kept = 0;
        try (JsonGenerator g = generator(out)) {
            for (int i = 0; i < current.size(); i++) {
                QuarantinedRecord r = current.get(i);
                if (remove.contains(r.id())) {
                    changed = true;
                } else if (reasons.containsKey(r.id()) && !reasons.get(r.id()).equals(r.reason())) {
                    changed = true;
                    kept++;
                    writeLine(g, r.origin(), reasons.get(r.id()),
                            r.quarantinedAt() == null ? clock.instant().toString() : r.quarantinedAt().toString(),
                            r.raw());
                } else {
                    kept++;
                    g.writeRaw(raw.get(i));
                    g.writeRaw('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!changed) {
            return Rewrite.UNCHANGED;
        }
        try {
            if (kept == 0) {
                s3.deleteObject(d -> d.bucket(bucket).key(objectKey).ifMatch(eTag));
                return Rewrite.DELETED;
            }
            s3.putObject(p -> p.bucket(bucket).key(objectKey).contentType("application/x-ndjson").ifMatch(eTag),
                    RequestBody.fromBytes(out.toByteArray()));
            return Rewrite.REWRITTEN;
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                return Rewrite.CHANGED;
            }
            throw e;
        }
    }

    private QuarantinedRecord parse(String objectKey, String eTag, int lineNo, String line, Map<Long, Integer> seen) {
        String where = "s3://" + bucket + "/" + objectKey + " line " + lineNo;
        JsonNode n;
        try {
            n = MAPPER.readTree(line);
        } catch (IOException e) {
            throw new IllegalStateException(where + " is not a quarantine line (not JSON: " + e.getMessage()
                    + "); the quarantine holds only what Inorder wrote: move other objects out of its prefix", e);
        }
        JsonNode o = n.path("origin");
        String kind = o.path("kind").asText("");
        Origin origin;
        if (kind.equals("kafka") && o.hasNonNull("offset")) {
            origin = Origin.kafka(o.path("source").asText(), o.path("partition").asInt(), o.path("offset").asLong());
        } else if (kind.equals("file") && o.hasNonNull("record")) {
            origin = Origin.fileRecord(o.path("source").asText(), o.path("record").asLong(),
                    o.path("byteOffset").asLong(-1));
        } else {
            throw new IllegalStateException(where + " has no valid origin (kind file with record, or kafka with "
                    + "partition and offset); the quarantine holds only what Inorder wrote");
        }
        byte[] raw;
        try {
            raw = n.hasNonNull("raw") ? n.get("raw").binaryValue() : new byte[0];
        } catch (IOException e) {
            throw new IllegalStateException(where + ": \"raw\" is not base64: " + e.getMessage(), e);
        }
        Instant at = null;
        if (n.hasNonNull("quarantinedAt")) {
            try {
                at = Instant.parse(n.get("quarantinedAt").asText());
            } catch (DateTimeParseException e) {
                at = null;
            }
        }
        int repeat = seen.merge(origin.position(), 1, Integer::sum);
        String id = objectKey.substring(prefix.length()) + "#" + origin.position() + (repeat > 1 ? "~" + repeat : "");
        return new QuarantinedRecord(id, objectKey, eTag, origin, n.path("reason").asText(""), at, raw);
    }

    private static JsonGenerator generator(ByteArrayOutputStream out) throws IOException {
        JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8);
        g.setRootValueSeparator(null);
        return g;
    }

    private static void writeLine(JsonGenerator g, Origin o, String reason, String at, byte[] raw)
            throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("origin");
        g.writeStringField("kind", o.kind().name().toLowerCase(Locale.ROOT));
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
        g.writeStringField("reason", reason);
        g.writeStringField("quarantinedAt", at);
        g.writeFieldName("raw");
        g.writeBinary(raw);
        String text = QuarantinedRecord.strictUtf8(raw);
        if (text != null) {
            g.writeStringField("rawText", text);
        }
        g.writeEndObject();
        g.writeRaw('\n');
    }
}
