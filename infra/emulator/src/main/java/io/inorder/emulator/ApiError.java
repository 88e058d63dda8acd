package io.inorder.emulator;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;

/**
 * An error the emulator answers with: an HTTP status and Rockset's ErrorModel. The body always carries every observed
 * key ({@code message, message_key, type, line, column, trace_id, error_id, query_id, internal_errors}), unused ones
 * as explicit {@code null}, as recorded in {@code rockset-write-api.md} §5. {@code message_key} is filled only where
 * a real key was recorded; elsewhere it is {@code null} rather than an invented value.
 */
final class ApiError extends RuntimeException {

    private final int status;
    private final String type;
    private final String messageKey;

    ApiError(int status, String type, String messageKey, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.messageKey = messageKey;
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    String messageKey() {
        return messageKey;
    }

    ObjectNode body() {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("message", getMessage());
        if (messageKey == null) {
            body.putNull("message_key");
        } else {
            body.put("message_key", messageKey);
        }
        body.put("type", type);
        body.putNull("line");
        body.putNull("column");
        body.put("trace_id", UUID.randomUUID().toString());
        body.putNull("error_id");
        body.putNull("query_id");
        body.putNull("internal_errors");
        return body;
    }

    static ApiError collectionNotFound(String workspace, String collection) {
        return new ApiError(404, "NOTFOUND", "COLLECTION_DOES_NOT_EXIST",
                "Collection \"" + collection + "\" does not exist in workspace \"" + workspace + "\"");
    }

    static ApiError workspaceNotFound(String workspace) {
        return new ApiError(404, "NOTFOUND", "WORKSPACE_NOT_FOUND",
                "Workspace \"" + workspace + "\" does not exist");
    }

    /**
     * A write to a collection that is not READY yet. Not recorded (rockset-write-api.md §4: "Writes to a CREATED
     * collection: unknown"; the recorded client waited for READY before writing): this is the closest documented
     * answer, the spec's 503 for every endpoint ("not ready") with the ErrorModel type {@code NOT_READY}; the message
     * is the emulator's, and no {@code message_key} is invented.
     */
    static ApiError notReady(String workspace, String collection, String status) {
        return new ApiError(503, "NOT_READY", null, "Collection \"" + collection + "\" in workspace \"" + workspace
                + "\" is not ready to accept writes: its status is " + status + " (a new collection turns READY about "
                + "a minute after it is created). Retry later.");
    }

    static ApiError invalidInput(String message) {
        return new ApiError(400, "INVALIDINPUT", null, message);
    }

    static ApiError tooManyDocuments(int limit) {
        return new ApiError(400, "INVALIDINPUT", "RECEIVER_REQUEST_MAX_DOCUMENT_LIMIT",
                "The number of documents specified in this request exceeds the maximum allowed limit of "
                        + String.format(java.util.Locale.ROOT, "%,d", limit) + " documents.");
    }

    static ApiError payloadTooLarge(long limit) {
        return new ApiError(413, "CONTENTTOOLARGE", null,
                "Payload size exceeds limit of " + String.format(java.util.Locale.ROOT, "%,d", limit) + " bytes");
    }

    static ApiError unauthorized() {
        return new ApiError(401, "AUTHEXCEPTION", null,
                "Authentication failed: send the header 'Authorization: ApiKey <key>' with a valid API key.");
    }

    static ApiError requestsPerSecondLimit() {
        return new ApiError(429, "RATELIMITEXCEEDED", null,
                "Your account is configured with a maximum write requests per second limit and you have reached this limit.");
    }

    static ApiError writeRateLimit() {
        return new ApiError(429, "RESOURCEEXCEEDED", null,
                "Your account is configured with a maximum write rate limit and you have reached this limit.");
    }
}
