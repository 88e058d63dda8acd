package io.inorder.writeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain JDK HTTP server on 127.0.0.1 that answers each request through a test-supplied script, for forcing status
 * paths the real emulator would need fault injection for. Records every request it saw.
 */
final class ScriptedWriteApi implements AutoCloseable {

    /** One request as received. */
    record Received(String method, String path, Map<String, List<String>> headers, byte[] body) {
        JsonNode json() {
            try {
                return RequestItems.JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        List<String> ids() {
            List<String> ids = new ArrayList<>();
            json().path("data").forEach(n -> ids.add(n.path("_id").asText()));
            return ids;
        }

        String header(String name) {
            List<String> v = headers.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    /** What to answer; {@code status} -1 closes the connection without answering (an I/O error for the client). */
    record Answer(int status, Map<String, String> headers, String body) {
        static Answer of(int status, String body) {
            return new Answer(status, Map.of(), body);
        }
    }

    @FunctionalInterface
    interface Script {
        Answer answer(Received request, int index);
    }

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile Script script;

    ScriptedWriteApi(Script script) {
        this.script = script;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/", this::handle);
        server.start();
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void script(Script s) {
        this.script = s;
    }

    synchronized List<Received> received() {
        return List.copyOf(received);
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Received r = new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                Map.copyOf(exchange.getRequestHeaders()), body);
        synchronized (this) {
            received.add(r);
        }
        Answer a = script.answer(r, count.getAndIncrement());
        if (a.status() < 0) {
            exchange.close();
            return;
        }
        byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
        a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        if (!a.headers().containsKey("Content-Type")) {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
        }
        exchange.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
        if (out.length > 0) {
            exchange.getResponseBody().write(out);
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    // ---- canned bodies in the shapes of rockset-write-api.md §2.1 and §5 ----

    /** A 200 acknowledging every item with the status its method implies, or ERROR for ids in {@code failing}. */
    static Answer acknowledge(Received r, String lastOffset, Map<String, String> failing) {
        String status = switch (r.method()) {
            case "POST" -> "ADDED";
            case "PATCH" -> "PATCHED";
            default -> "DELETED";
        };
        ObjectNode root = RequestItems.JSON.createObjectNode();
        ArrayNode data = root.putArray("data");
        for (String id : r.ids()) {
            ObjectNode d = data.addObject();
            d.put("_collection", collection(r.path()));
            d.put("_id", id);
            if (failing.containsKey(id)) {
                d.put("status", "ERROR");
                ObjectNode e = d.putObject("error");
                e.put("message", failing.get(id));
                e.put("message_key", "INVALID_DOCUMENT");
                e.put("type", "INVALIDINPUT");
            } else {
                d.put("status", status);
                d.putNull("error");
            }
            d.putNull("patch_id");
        }
        root.put("last_offset", lastOffset);
        return Answer.of(200, root.toString());
    }

    static Answer acknowledge(Received r, String lastOffset) {
        return acknowledge(r, lastOffset, Map.of());
    }

    static Answer error(int status, String messageKey, String type, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("message", message);
        m.put("message_key", messageKey);
        m.put("type", type);
        m.put("line", null);
        m.put("column", null);
        m.put("trace_id", "00000000-0000-0000-0000-000000000000");
        m.put("error_id", null);
        m.put("query_id", null);
        m.put("internal_errors", null);
        try {
            return Answer.of(status, RequestItems.JSON.writeValueAsString(m));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String collection(String path) {
        String[] p = path.split("/");
        for (int i = 0; i < p.length - 1; i++) {
            if (p[i].equals("collections")) {
                return p[i + 1];
            }
        }
        return "";
    }
}
