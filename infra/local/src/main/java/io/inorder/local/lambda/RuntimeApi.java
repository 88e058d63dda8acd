package io.inorder.local.lambda;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The Lambda Runtime API of one execution environment (AWS Lambda guide, "Using the Lambda runtime API for custom
 * runtimes"), on 127.0.0.1: what {@code AWS_LAMBDA_RUNTIME_API} names for the runtime interface client in the forked
 * JVM. It serves
 * <ul>
 *   <li>{@code GET /2018-06-01/runtime/invocation/next}: blocks until an event is queued, then answers it with the
 *       {@code Lambda-Runtime-Aws-Request-Id}, {@code -Deadline-Ms}, {@code -Invoked-Function-Arn} and
 *       {@code Lambda-Runtime-Trace-Id} headers;</li>
 *   <li>{@code POST .../invocation/{id}/response} and {@code .../invocation/{id}/error}: the outcome (202);</li>
 *   <li>{@code POST /2018-06-01/runtime/init/error}: the handler could not be built (202);</li>
 *   <li>{@code GET /2018-06-01/runtime/restore/next}: SnapStart's checkpoint — the runtime has run the
 *       {@code beforeCheckpoint} hooks and waits here until the environment is restored, then runs
 *       {@code afterRestore};</li>
 *   <li>{@code POST /2018-06-01/runtime/restore/error}: an {@code afterRestore} hook failed (202).</li>
 * </ul>
 * Status codes are those the runtime interface client checks (200 for next and restore/next, 202 for the posts).
 * Thread-safe.
 */
final class RuntimeApi implements AutoCloseable {

    private static final String BASE = "/2018-06-01/runtime/";

    /** An event handed to the runtime, and its outcome once the runtime posts one. */
    static final class Invocation {
        final String requestId;
        final byte[] payload;
        final long deadlineEpochMillis;
        final String functionArn;
        final String traceId;
        final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

        Invocation(String requestId, byte[] payload, long deadlineEpochMillis, String functionArn, String traceId) {
            this.requestId = requestId;
            this.payload = payload;
            this.deadlineEpochMillis = deadlineEpochMillis;
            this.functionArn = functionArn;
            this.traceId = traceId;
        }
    }

    /**
     * What the runtime posted: a response, or an error with the runtime's error type header
     * ({@code Lambda-Runtime-Function-Error-Type}) and its JSON body ({@code errorMessage}, {@code errorType}, ...).
     */
    record Outcome(boolean error, String errorType, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final BlockingQueue<Invocation> queue = new LinkedBlockingQueue<>();
    private final Map<String, Invocation> inFlight = new ConcurrentHashMap<>();
    private final CountDownLatch firstNext = new CountDownLatch(1);
    private final CountDownLatch checkpoint = new CountDownLatch(1);
    private final CountDownLatch restore = new CountDownLatch(1);
    private final CompletableFuture<Outcome> initError = new CompletableFuture<>();
    private final CompletableFuture<Outcome> restoreError = new CompletableFuture<>();
    private volatile long restoredAtMillis = -1;

    RuntimeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lambda-runtime-api");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext(BASE, this::handle);
        server.start();
    }

    /** {@code host:port}, the value of {@code AWS_LAMBDA_RUNTIME_API}. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Queues an event for the runtime's next {@code invocation/next}. */
    void submit(Invocation invocation) {
        inFlight.put(invocation.requestId, invocation);
        queue.add(invocation);
    }

    /** Drops an invocation that will never be answered (its environment is gone). */
    void abandon(Invocation invocation) {
        inFlight.remove(invocation.requestId);
        queue.remove(invocation);
    }

    /** Waits until the runtime asks for its first event (init done) or for SnapStart's restore. */
    boolean awaitInitialized(long timeout, TimeUnit unit) throws InterruptedException {
        long end = System.nanoTime() + unit.toNanos(timeout);
        while (System.nanoTime() < end) {
            if (firstNext.getCount() == 0 || checkpoint.getCount() == 0 || initError.isDone()) {
                return true;
            }
            Thread.sleep(5);
        }
        return false;
    }

    /** Whether the runtime reached the checkpoint: the {@code beforeCheckpoint} hooks ran, it waits for restore. */
    boolean atCheckpoint() {
        return checkpoint.getCount() == 0;
    }

    /** Lets the runtime out of {@code restore/next}: it runs the {@code afterRestore} hooks and asks for events. */
    void restore() {
        restoredAtMillis = System.currentTimeMillis();
        restore.countDown();
    }

    /** When {@link #restore()} was called (epoch ms), or -1. */
    long restoredAtMillis() {
        return restoredAtMillis;
    }

    boolean ready() {
        return firstNext.getCount() == 0;
    }

    Optional<Outcome> initError() {
        return Optional.ofNullable(initError.getNow(null));
    }

    Optional<Outcome> restoreError() {
        return Optional.ofNullable(restoreError.getNow(null));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring(BASE.length());
            String method = exchange.getRequestMethod();
            if (method.equals("GET") && path.equals("invocation/next")) {
                next(exchange);
            } else if (method.equals("POST") && path.startsWith("invocation/")) {
                outcome(exchange, path.substring("invocation/".length()));
            } else if (method.equals("POST") && path.equals("init/error")) {
                initError.complete(read(exchange, true));
                reply(exchange, 202, "{\"status\":\"OK\"}");
            } else if (method.equals("GET") && path.equals("restore/next")) {
                checkpoint.countDown();
                awaitQuietly(restore);
                reply(exchange, 200, "");
            } else if (method.equals("POST") && path.equals("restore/error")) {
                restoreError.complete(read(exchange, true));
                reply(exchange, 202, "{\"status\":\"OK\"}");
            } else {
                reply(exchange, 404, "{\"errorMessage\":\"unknown runtime API path " + path + "\"}");
            }
        }
    }

    private void next(HttpExchange exchange) throws IOException {
        firstNext.countDown();
        Invocation next;
        try {
            next = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        var headers = exchange.getResponseHeaders();
        headers.set("Lambda-Runtime-Aws-Request-Id", next.requestId);
        headers.set("Lambda-Runtime-Deadline-Ms", Long.toString(next.deadlineEpochMillis));
        headers.set("Lambda-Runtime-Invoked-Function-Arn", next.functionArn);
        headers.set("Lambda-Runtime-Trace-Id", next.traceId);
        headers.set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, next.payload.length == 0 ? -1 : next.payload.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(next.payload);
        }
    }

    private void outcome(HttpExchange exchange, String rest) throws IOException {
        int slash = rest.lastIndexOf('/');
        String id = slash < 0 ? rest : rest.substring(0, slash);
        String kind = slash < 0 ? "" : rest.substring(slash + 1);
        Invocation invocation = inFlight.remove(id);
        if (invocation == null || !(kind.equals("response") || kind.equals("error"))) {
            read(exchange, false);
            reply(exchange, 400, "{\"errorMessage\":\"unknown request id or outcome: " + rest + "\","
                    + "\"errorType\":\"InvalidRequestID\"}");
            return;
        }
        invocation.outcome.complete(read(exchange, kind.equals("error")));
        reply(exchange, 202, "{\"status\":\"OK\"}");
    }

    private static Outcome read(HttpExchange exchange, boolean error) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        String type = exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
        return new Outcome(error, error ? (type == null ? "Unhandled" : type) : null, body);
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        restore.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
