package io.inorder.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamWriteFeature;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Baseline (a), the ceiling for any JSON→JSON transform: Jackson's streaming parser reads every token of the input and
 * a streaming generator writes every token back out ({@code copyCurrentEvent}), with no decisions in between. Its
 * output is the input re-encoded (same tokens, compact).
 */
final class StreamingCopyBaseline {

    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();

    /** Returns the records (top-level objects) copied. */
    long run(byte[] input, OutputStream out) throws IOException {
        long records = 0;
        try (JsonParser p = JSON.createParser(input); JsonGenerator g = JSON.createGenerator(out)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                g.copyCurrentEvent(p);
                if (t == JsonToken.END_OBJECT && p.getParsingContext().inRoot()) {
                    records++;
                }
            }
        }
        return records;
    }
}
