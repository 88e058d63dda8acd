package io.inorder.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP surface: Rockset's routes under {@code /v1/orgs/self} and the unauthenticated inspection routes under
 * {@code /_emulator}. Bodies follow {@code rockset-write-api.md} §2-5 key for key, with explicit nulls.
 *
 * <p>Order of checks on a document write: route (404) → method (405) → auth (401) → injected fault → requests-per-second
 * limit (429) → body size (413) → request latency → collection (404) → collection READY (503) → JSON (400) → document
 * count (400) → item structure (400) → per-item statuses (200). The commit endpoint skips the rate limit, the READY
 * check and the count.
 */
final class Routes implements HttpHandler {

    private static final String NAME = "([A-Za-z0-9_-]+)";
    private static final String V1 = "/v1/orgs/self/ws";
    private static final Pattern WORKSPACES = Pattern.compile(V1);
    private static final Pattern WORKSPACE = Pattern.compile(V1 + "/" + NAME);
    private static final Pattern COLLECTIONS = Pattern.compile(V1 + "/" + NAME + "/collections");
    private static final Pattern COLLECTION = Pattern.compile(V1 + "/" + NAME + "/collections/" + NAME);
    private static final Pattern DOCS = Pattern.compile(V1 + "/" + NAME + "/collections/" + NAME + "/docs");
    private static final Pattern COMMIT = Pattern.compile(V1 + "/" + NAME + "/collections/" + NAME + "/offsets/commit");
    private static final Pattern INSPECT_DOCUMENTS = Pattern.compile("/_emulator/ws/" + NAME + "/collections/" + NAME + "/documents");
    private static final Pattern INSPECT_APPLY_LOG = Pattern.compile("/_emulator/ws/" + NAME + "/collections/" + NAME + "/apply-log");

    private static final String GATEWAY_PAGE = "<html>\r\n<head><title>%1$d %2$s</title></head>\r\n<body>\r\n"
            + "<center><h1>%1$d %2$s</h1></center>\r\n<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n";

    private final Emulator emulator;
    private final EmulatorSettings settings;
    private final Catalog catalog;
    private final ObjectMapper mapper;

    Routes(Emulator emulator, Catalog catalog, ObjectMapper mapper) {
        this.emulator = emulator;
        this.settings = emulator.settings();
        this.catalog = catalog;
        this.mapper = mapper;
    }

    /** What the request log records about one exchange; filled in as the request is served. */
    private static final class Call {
        final String method;
        final String path;
        final Instant time;
        int status;
        long bodyBytes;
        int documents;
        Duration latency = Duration.ZERO;
        boolean inspection;
        boolean logged;

        Call(String method, String path, Instant time) {
            this.method = method;
            this.path = path;
            this.time = time;
        }
    }

    @Override
    public void handle(HttpExchange exchange) {
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String path = exchange.getRequestURI().getRawPath();
        Call call = new Call(method, path, settings.clock().instant());
        boolean inspection = path.startsWith("/_emulator/") || path.equals("/_emulator");
        call.inspection = inspection;
        try {
            if (inspection) {
                inspect(exchange, call);
            } else {
                serve(exchange, call);
            }
        } catch (ApiError error) {
            respondQuietly(exchange, call, error);
        } catch (IOException clientWentAway) {
            // Nothing to answer: the client closed the connection (typically after its own timeout).
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException bug) {
            respondQuietly(exchange, call, new ApiError(500, "INTERNALERROR", null,
                    "The emulator failed on this request: " + bug));
        } finally {
            log(call);
            exchange.close();
        }
    }

    /**
     * Records the exchange in the request log, once, before its response is written: a client that has read the
     * response must find the request in the log (tests read the log right after a call).
     */
    private void log(Call call) {
        if (!call.inspection && !call.logged) {
            call.logged = true;
            emulator.requests().record(new RequestLog.Entry(call.method, call.path, call.status, call.bodyBytes,
                    call.documents, call.time, call.latency));
        }
    }

    private void serve(HttpExchange exchange, Call call) throws IOException, InterruptedException {
        String path = call.path;
        String method = call.method;
        Matcher m;
        if ((m = DOCS.matcher(path)).matches()) {
            allow(exchange, method, "POST", "PATCH", "DELETE");
            authenticate(exchange);
            if (!injectFault(exchange, call)) {
                return;
            }
            if (!emulator.rateLimit().tryAdmit()) {
                drain(exchange.getRequestBody());
                throw ApiError.requestsPerSecondLimit();
            }
            write(exchange, call, m.group(1), m.group(2));
        } else if ((m = COMMIT.matcher(path)).matches()) {
            allow(exchange, method, "POST");
            authenticate(exchange);
            if (!injectFault(exchange, call)) {
                return;
            }
            commit(exchange, call, m.group(1), m.group(2));
        } else if ((m = COLLECTION.matcher(path)).matches()) {
            allow(exchange, method, "GET", "DELETE");
            authenticate(exchange);
            drain(exchange.getRequestBody());
            CollectionState collection = method.equals("GET")
                    ? catalog.collection(m.group(1), m.group(2))
                    : catalog.deleteCollection(m.group(1), m.group(2));
            respond(exchange, call, 200, data(collectionJson(collection, method.equals("GET")
                    ? collection.status(settings.clock().instant()) : "DELETED")));
        } else if ((m = COLLECTIONS.matcher(path)).matches()) {
            allow(exchange, method, "GET", "POST");
            authenticate(exchange);
            String workspace = m.group(1);
            if (method.equals("GET")) {
                drain(exchange.getRequestBody());
                ArrayNode list = JsonNodeFactory.instance.arrayNode();
                Instant now = settings.clock().instant();
                catalog.collections(workspace).forEach(c -> list.add(collectionJson(c, c.status(now))));
                respond(exchange, call, 200, data(list));
            } else {
                JsonNode body = parse(readBody(exchange, call));
                String name = requiredName(body, "collection");
                Instant now = settings.clock().instant();
                CollectionState collection = catalog.createCollection(workspace, name, now,
                        now.plus(settings.readyDelay()));
                // The recorded create answers CREATED; GET reports READY once the ready delay has passed.
                respond(exchange, call, 200, data(collectionJson(collection, "CREATED")));
            }
        } else if ((m = WORKSPACE.matcher(path)).matches()) {
            allow(exchange, method, "GET", "DELETE");
            authenticate(exchange);
            drain(exchange.getRequestBody());
            Catalog.Workspace workspace = method.equals("GET")
                    ? catalog.workspace(m.group(1))
                    : catalog.deleteWorkspace(m.group(1));
            respond(exchange, call, 200, data(workspaceJson(workspace)));
        } else if (WORKSPACES.matcher(path).matches()) {
            allow(exchange, method, "GET", "POST");
            authenticate(exchange);
            if (method.equals("GET")) {
                drain(exchange.getRequestBody());
                ArrayNode list = JsonNodeFactory.instance.arrayNode();
                catalog.workspaces().forEach(w -> list.add(workspaceJson(w)));
                respond(exchange, call, 200, data(list));
            } else {
                JsonNode body = parse(readBody(exchange, call));
                String name = requiredName(body, "workspace");
                JsonNode description = body.get("description");
                Catalog.Workspace workspace = catalog.createWorkspace(name,
                        description == null || description.isNull() ? null : description.asText(),
                        settings.clock().instant());
                respond(exchange, call, 200, data(workspaceJson(workspace)));
            }
        } else {
            drain(exchange.getRequestBody());
            throw new ApiError(404, "NOTFOUND", null, "No route for " + method + " " + path
                    + "; the emulator serves /v1/orgs/self/ws/... and /_emulator/...");
        }
    }

    // ---- document writes ------------------------------------------------------------------------------------------

    private void write(HttpExchange exchange, Call call, String workspace, String collectionName)
            throws IOException, InterruptedException {
        Body raw = readBody(exchange, call);
        takeServiceTime(call);
        CollectionState collection = catalog.collection(workspace, collectionName);
        collection.requireReady(settings.clock().instant());
        JsonNode body = parse(raw);
        JsonNode data = body.get("data");
        if (data == null || !data.isArray()) {
            throw ApiError.invalidInput("The request body must be a JSON object with a \"data\" array.");
        }
        call.documents = data.size();
        if (data.size() > settings.maxDocuments()) {
            throw ApiError.tooManyDocuments(settings.maxDocuments());
        }
        String errorField = emulator.faults().errorFieldRule();
        List<CollectionState.Intent> intents = switch (call.method) {
            case "POST" -> addIntents(data, errorField);
            case "PATCH" -> patchIntents(data, errorField);
            default -> deleteIntents(data, errorField);
        };
        CollectionState.WriteResult result = collection.accept(intents);
        ArrayNode statuses = JsonNodeFactory.instance.arrayNode(result.items().size());
        for (CollectionState.ItemResult item : result.items()) {
            ObjectNode status = statuses.addObject();
            status.put("_collection", collectionName);
            if (item.error() == null) {
                status.putNull("error");
            } else {
                status.set("error", item.error().body());
            }
            if (item.id() == null) {
                status.putNull("_id");
            } else {
                status.put("_id", item.id());
            }
            status.put("status", item.status());
            if (item.patchId() == null) {
                status.putNull("patch_id");
            } else {
                status.put("patch_id", item.patchId());
            }
        }
        ObjectNode response = JsonNodeFactory.instance.objectNode();
        response.set("data", statuses);
        response.put("last_offset", result.lastOffset());
        respond(exchange, call, 200, response);
    }

    private static List<CollectionState.Intent> addIntents(JsonNode data, String errorField) {
        List<CollectionState.Intent> intents = new ArrayList<>(data.size());
        // Observed server ids are "<uuid>-1" for one-document requests; the suffix is the item's 1-based position here.
        String generatedPrefix = UUID.randomUUID().toString();
        for (int i = 0; i < data.size(); i++) {
            JsonNode item = data.get(i);
            if (!item.isObject()) {
                throw ApiError.invalidInput("data[" + i + "] must be a JSON object (a document), got " + item.getNodeType());
            }
            JsonNode id = item.get("_id");
            if (id != null && !id.isNull() && !id.isTextual()) {
                intents.add(new CollectionState.RejectedIntent(null, ApiError.invalidInput(
                        "data[" + i + "]: _id must be a string, got " + id)));
                continue;
            }
            String documentId = id == null || id.isNull() ? generatedPrefix + "-" + (i + 1) : id.asText();
            if (errorField != null && item.has(errorField)) {
                intents.add(new CollectionState.RejectedIntent(documentId, markedError(errorField, i)));
                continue;
            }
            ObjectNode document = JsonNodeFactory.instance.objectNode();
            document.put("_id", documentId);
            item.properties().forEach(field -> {
                if (!field.getKey().equals("_id")) {
                    document.set(field.getKey(), field.getValue());
                }
            });
            intents.add(new CollectionState.AddIntent(documentId, document));
        }
        return intents;
    }

    private static List<CollectionState.Intent> patchIntents(JsonNode data, String errorField) {
        List<CollectionState.Intent> intents = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            JsonNode item = data.get(i);
            String id = requiredId(item, i);
            JsonNode patch = item.get("patch");
            if (patch == null || !patch.isArray()) {
                throw ApiError.invalidInput("data[" + i + "] (_id \"" + id + "\"): \"patch\" must be an array of operations");
            }
            boolean marked = errorField != null && item.has(errorField);
            for (int j = 0; j < patch.size(); j++) {
                JsonNode operation = patch.get(j);
                JsonNode op = operation.get("op");
                JsonNode path = operation.get("path");
                if (!operation.isObject() || op == null || !op.isTextual()
                        || !DocumentPatch.OPERATIONS.contains(op.asText().toUpperCase(Locale.ROOT))) {
                    throw ApiError.invalidInput("data[" + i + "].patch[" + j + "]: \"op\" must be one of "
                            + String.join(", ", DocumentPatch.OPERATIONS) + " (any case)");
                }
                if (path == null || !path.isTextual()) {
                    throw ApiError.invalidInput("data[" + i + "].patch[" + j + "]: \"path\" must be a JSON Pointer string");
                }
                JsonNode value = operation.get("value");
                if (errorField != null && (path.asText().equals("/" + errorField)
                        || (value != null && value.isObject() && value.has(errorField)))) {
                    marked = true;
                }
            }
            if (marked) {
                intents.add(new CollectionState.RejectedIntent(id, markedError(errorField, i)));
            } else {
                intents.add(new CollectionState.PatchIntent(id, (ArrayNode) patch));
            }
        }
        return intents;
    }

    private static List<CollectionState.Intent> deleteIntents(JsonNode data, String errorField) {
        List<CollectionState.Intent> intents = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            JsonNode item = data.get(i);
            String id = requiredId(item, i);
            if (errorField != null && item.has(errorField)) {
                intents.add(new CollectionState.RejectedIntent(id, markedError(errorField, i)));
            } else {
                intents.add(new CollectionState.DeleteIntent(id));
            }
        }
        return intents;
    }

    private static String requiredId(JsonNode item, int index) {
        if (!item.isObject()) {
            throw ApiError.invalidInput("data[" + index + "] must be a JSON object with a string \"_id\"");
        }
        JsonNode id = item.get("_id");
        if (id == null || !id.isTextual()) {
            throw ApiError.invalidInput("data[" + index + "] needs a string \"_id\", got " + (id == null ? "none" : id));
        }
        return id.asText();
    }

    private static ApiError markedError(String field, int index) {
        return ApiError.invalidInput("data[" + index + "] was rejected by the emulator's error-field rule (field \""
                + field + "\").");
    }

    // ---- commit ---------------------------------------------------------------------------------------------------

    private void commit(HttpExchange exchange, Call call, String workspace, String collectionName)
            throws IOException, InterruptedException {
        Body raw = readBody(exchange, call);
        takeServiceTime(call);
        CollectionState collection = catalog.collection(workspace, collectionName);
        JsonNode body = parse(raw);
        JsonNode names = body.get("name");
        // The fence is the per-partition maximum of the offsets passed, in the version they were passed (§3: the spec
        // example's f1 offsets come back as f1); no offsets at all is the empty fence, which has passed.
        Offsets fence = null;
        // A missing or null list is an empty one: clients with omitempty-style serialization leave it out.
        if (names != null && !names.isNull()) {
            if (!names.isArray()) {
                throw ApiError.invalidInput("\"name\" must be an array of offset strings (each a last_offset).");
            }
            for (JsonNode name : names) {
                if (!name.isTextual()) {
                    throw ApiError.invalidInput("\"name\" must hold offset strings, got " + name);
                }
                try {
                    Offsets offsets = Offsets.parse(name.asText(), collection.partitions());
                    fence = fence == null ? offsets : fence.merge(offsets);
                } catch (IllegalArgumentException malformed) {
                    throw ApiError.invalidInput(malformed.getMessage());
                }
            }
        }
        if (fence == null) {
            fence = Offsets.none(collection.partitions());
        }
        Offsets commit = collection.commit();
        ObjectNode response = JsonNodeFactory.instance.objectNode();
        ObjectNode data = response.putObject("data");
        data.put("fence", fence.encode());
        data.put("passed", fence.reachedBy(commit));
        response.putObject("offsets").put("commit", commit.encode());
        respond(exchange, call, 200, response);
    }

    /**
     * Spends the request's latency (the fixed part plus the part for its body) before it is processed, so a write is
     * accepted, and its apply lag starts, as its answer leaves. Recorded in the request log.
     */
    private void takeServiceTime(Call call) throws InterruptedException {
        call.latency = settings.latencyFor(call.bodyBytes);
        if (!call.latency.isZero()) {
            Thread.sleep(call.latency.toMillis(), (int) (call.latency.toNanos() % 1_000_000));
        }
    }

    // ---- faults and limits ----------------------------------------------------------------------------------------

    /** Applies the next fault step; false when the request has been answered (or dropped) by the fault. */
    private boolean injectFault(HttpExchange exchange, Call call) throws IOException, InterruptedException {
        Faults faults = emulator.faults();
        FaultSpec.Step step = faults.next();
        switch (step.kind()) {
            case PASS:
                return true;
            case SLOW:
                Thread.sleep(faults.slowDelay().toMillis());
                return true;
            case TIMEOUT:
                boolean drops = faults.timeoutDrops();
                Thread.sleep(faults.timeoutHold().toMillis());
                if (!drops) {
                    return true;
                }
                call.bodyBytes = drain(exchange.getRequestBody());
                return false;
            case DROP:
                call.bodyBytes = drain(exchange.getRequestBody());
                return false;
            default:
                call.bodyBytes = drain(exchange.getRequestBody());
                int status = step.status();
                switch (status) {
                    case 429 -> throw ApiError.writeRateLimit();
                    case 500 -> throw new ApiError(500, "INTERNALERROR", null, "Internal server error (injected fault).");
                    case 503 -> throw new ApiError(503, "SERVICEUNAVAILABLE", null,
                            "The service is temporarily unavailable (injected fault); retry with backoff.");
                    default -> {
                        String reason = status == 502 ? "Bad Gateway" : "Gateway Time-out";
                        byte[] page = String.format(Locale.ROOT, GATEWAY_PAGE, status, reason)
                                .getBytes(StandardCharsets.UTF_8);
                        exchange.getResponseHeaders().set("Content-Type", "text/html");
                        exchange.getResponseHeaders().set("Server", "openresty");
                        call.status = status;
                        log(call);
                        exchange.sendResponseHeaders(status, page.length);
                        try (OutputStream out = exchange.getResponseBody()) {
                            out.write(page);
                        }
                        return false;
                    }
                }
        }
    }

    private void authenticate(HttpExchange exchange) throws IOException {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header != null) {
            String[] parts = header.trim().split("\\s+", 2);
            if (parts.length == 2 && parts[0].equalsIgnoreCase("ApiKey") && parts[1].trim().equals(emulator.apiKey())) {
                return;
            }
        }
        drain(exchange.getRequestBody());
        throw ApiError.unauthorized();
    }

    private static void allow(HttpExchange exchange, String method, String... allowed) {
        for (String candidate : allowed) {
            if (candidate.equals(method)) {
                return;
            }
        }
        exchange.getResponseHeaders().set("Allow", String.join(", ", allowed));
        throw new ApiError(405, "METHODNOTALLOWED", null,
                "Method " + method + " is not allowed here; use " + String.join(" or ", allowed));
    }

    // ---- bodies ---------------------------------------------------------------------------------------------------

    /** A request body as read: the bytes up to their count, parsed without another copy. */
    private static final class Body extends ByteArrayOutputStream {
        Body(int initialCapacity) {
            super(initialCapacity);
        }

        boolean isEmpty() {
            return count == 0;
        }

        JsonNode readTree(ObjectMapper mapper) throws IOException {
            return mapper.readTree(buf, 0, count);
        }

        String text() {
            return new String(buf, 0, count, StandardCharsets.UTF_8);
        }
    }

    /** Reads the body, buffering at most the limit + 1 bytes; a larger body is drained unbuffered and answered 413. */
    private Body readBody(HttpExchange exchange, Call call) throws IOException {
        long limit = settings.maxBodyBytes();
        InputStream in = exchange.getRequestBody();
        int expected = 8192;
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                long length = Long.parseLong(declared.trim());
                if (length > limit) {
                    call.bodyBytes = limit + 1;
                    drain(in);
                    throw ApiError.payloadTooLarge(limit);
                }
                expected = (int) Math.max(32, length);
            } catch (NumberFormatException ignored) {
                // The server has already validated framing; fall back to counting.
            }
        }
        Body body = new Body(expected);
        byte[] chunk = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(chunk)) > 0) {
            total += n;
            if (total > limit) {
                call.bodyBytes = limit + 1;
                drain(in);
                throw ApiError.payloadTooLarge(limit);
            }
            body.write(chunk, 0, n);
        }
        call.bodyBytes = total;
        return body;
    }

    private JsonNode parse(Body raw) {
        if (raw.isEmpty()) {
            throw ApiError.invalidInput("The request body is empty; send a JSON object.");
        }
        try {
            JsonNode body = raw.readTree(mapper);
            if (body == null || !body.isObject()) {
                throw ApiError.invalidInput("The request body must be a JSON object.");
            }
            return body;
        } catch (JsonProcessingException e) {
            throw ApiError.invalidInput("The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.invalidInput("The request body could not be read: " + e.getMessage());
        }
    }

    private static long drain(InputStream in) throws IOException {
        byte[] chunk = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(chunk)) > 0) {
            total += n;
        }
        return total;
    }

    private static String requiredName(JsonNode body, String what) {
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual() || !name.asText().matches("[A-Za-z0-9_-]+")) {
            throw ApiError.invalidInput("A " + what + " needs a \"name\" of letters, digits, '-' and '_'.");
        }
        return name.asText();
    }

    // ---- shapes ---------------------------------------------------------------------------------------------------

    private static ObjectNode data(JsonNode value) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.set("data", value);
        return body;
    }

    private static String timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** A Collection with the keys observed in real GET responses (rockset-write-api.md §4). */
    private ObjectNode collectionJson(CollectionState collection, String status) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("created_at", timestamp(collection.createdAt()));
        json.put("created_by", "emulator");
        json.put("name", collection.name());
        json.put("workspace", collection.workspace());
        json.put("status", status);
        json.putArray("sources");
        ObjectNode stats = json.putObject("stats");
        stats.put("doc_count", collection.documentCount());
        stats.put("purged_doc_count", 0);
        long lastUpdated = collection.lastUpdatedMillis();
        if (lastUpdated == 0) {
            stats.putNull("last_updated_ms");
        } else {
            stats.put("last_updated_ms", lastUpdated);
        }
        stats.putNull("last_queried_ms");
        json.putArray("field_mappings");
        json.putArray("field_partitions");
        json.putNull("clustering_key");
        json.putArray("aliases");
        json.putArray("field_schemas");
        json.put("ingest_virtual_instance_id", "emulator-vi");
        json.put("read_only", false);
        json.put("storage_type", "HOT");
        json.put("storage_compression_type", "LZ4");
        json.put("created_by_apikey_name", "emulator");
        json.put("insert_only", false);
        return json;
    }

    private ObjectNode workspaceJson(Catalog.Workspace workspace) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("created_at", timestamp(workspace.createdAt));
        json.put("created_by", "emulator");
        json.put("name", workspace.name);
        if (workspace.description == null) {
            json.putNull("description");
        } else {
            json.put("description", workspace.description);
        }
        json.put("collection_count", catalog.collectionCount(workspace));
        return json;
    }

    // ---- inspection -----------------------------------------------------------------------------------------------

    private void inspect(HttpExchange exchange, Call call) throws IOException {
        String path = call.path;
        String method = call.method;
        Matcher m;
        if ((m = INSPECT_DOCUMENTS.matcher(path)).matches()) {
            allow(exchange, method, "GET");
            drain(exchange.getRequestBody());
            ArrayNode list = JsonNodeFactory.instance.arrayNode();
            catalog.collection(m.group(1), m.group(2)).documents().values().forEach(list::add);
            respond(exchange, call, 200, data(list));
        } else if ((m = INSPECT_APPLY_LOG.matcher(path)).matches()) {
            allow(exchange, method, "GET");
            drain(exchange.getRequestBody());
            String onlyId = queryParameter(exchange, "id");
            ArrayNode list = JsonNodeFactory.instance.arrayNode();
            for (AppliedOp op : catalog.collection(m.group(1), m.group(2)).applyLog()) {
                if (onlyId == null || onlyId.equals(op.id())) {
                    ObjectNode entry = list.addObject();
                    entry.put("_id", op.id());
                    entry.put("kind", op.kind());
                    entry.put("partition", op.partition());
                    entry.put("partition_offset", op.partitionOffset());
                    entry.put("sequence", op.sequence());
                    entry.set("payload", op.payload());
                }
            }
            respond(exchange, call, 200, data(list));
        } else if (path.equals("/_emulator/requests")) {
            allow(exchange, method, "GET");
            drain(exchange.getRequestBody());
            ArrayNode list = JsonNodeFactory.instance.arrayNode();
            for (RequestLog.Entry entry : emulator.requests().entries()) {
                ObjectNode json = list.addObject();
                json.put("method", entry.method());
                json.put("path", entry.path());
                json.put("status", entry.status());
                json.put("body_bytes", entry.bodyBytes());
                json.put("documents", entry.documents());
                json.put("time", entry.time().toString());
                json.put("latency_ms", entry.latency().toMillis());
            }
            respond(exchange, call, 200, data(list));
        } else if (path.equals("/_emulator/faults")) {
            allow(exchange, method, "GET", "POST");
            if (method.equals("POST")) {
                Body raw = readBody(exchange, call);
                String text = raw.text().trim();
                String spec = text;
                if (text.startsWith("{")) {
                    JsonNode specField = parse(raw).get("spec");
                    spec = specField == null || specField.isNull() ? "" : specField.asText();
                }
                try {
                    emulator.faults().set(spec);
                } catch (IllegalArgumentException invalid) {
                    throw ApiError.invalidInput(invalid.getMessage());
                }
            } else {
                drain(exchange.getRequestBody());
            }
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.put("spec", emulator.faults().spec());
            respond(exchange, call, 200, body);
        } else if (path.equals("/_emulator/reset")) {
            allow(exchange, method, "POST");
            drain(exchange.getRequestBody());
            emulator.reset();
            respond(exchange, call, 200, JsonNodeFactory.instance.objectNode().put("reset", true));
        } else if (path.equals("/_emulator/apply")) {
            allow(exchange, method, "POST");
            drain(exchange.getRequestBody());
            emulator.applyPending();
            respond(exchange, call, 200, JsonNodeFactory.instance.objectNode().put("applied", true));
        } else {
            drain(exchange.getRequestBody());
            throw new ApiError(404, "NOTFOUND", null, "No inspection route " + method + " " + path);
        }
    }

    private static String queryParameter(HttpExchange exchange, String name) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    // ---- responses ------------------------------------------------------------------------------------------------

    private void respond(HttpExchange exchange, Call call, int status, JsonNode body) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("Server", "openresty");
        call.status = status;
        log(call);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void respondQuietly(HttpExchange exchange, Call call, ApiError error) {
        try {
            // An unread body would otherwise reach the client as a reset while it is still sending.
            drain(exchange.getRequestBody());
            respond(exchange, call, error.status(), error.body());
        } catch (IOException clientWentAway) {
            // The client is gone; the request log still records the status we meant to send.
        }
    }
}
