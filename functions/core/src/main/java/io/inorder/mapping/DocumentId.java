package io.inorder.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Deterministic document ids from primary-key values, so retries and replays converge on the same documents.
 * Rockset's {@code ID_HASH} cannot be reproduced (its algorithm is unpublished), so these ids are our own and must not
 * be mixed with template-ingested documents (rockset-write-api.md §8).
 */
public final class DocumentId {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DocumentId() { }

    /**
     * The text of one key value: strings as they are, JSON numbers and booleans as written, nested values as compact
     * JSON. Returns {@code null} for SQL NULL, which is never a valid key.
     */
    public static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String s) {
            return s;
        }
        JsonNode n = (JsonNode) value;
        if (n.isNull() || n.isMissingNode()) {
            return null;
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        return n.isValueNode() ? n.asText() : n.toString();
    }

    /** The {@code _id} of the given key texts (none null): see {@link IdFormat}. */
    public static String of(List<String> keyTexts, IdFormat format) {
        String text;
        if (keyTexts.size() == 1) {
            text = keyTexts.get(0);
        } else {
            try {
                text = JSON.writeValueAsString(keyTexts);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a list of strings always serializes", e);
            }
        }
        return format == IdFormat.SHA256 ? sha256(text) : text;
    }

    private static String sha256(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
