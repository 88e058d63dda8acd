package io.inorder.emulator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local emulator of Rockset's Write API on 127.0.0.1, following the recorded contract in
 * {@code shared/reference/rockset-write-api.md}: the same routes, bodies (every key, explicit nulls), errors, limits,
 * offsets and commit fence, plus injectable faults and inspection of what was applied.
 *
 * <p>A collection created through the API is CREATED, refusing writes, until {@link EmulatorSettings#readyDelay()}
 * has passed (real Rockset took about 64 s, the default), then READY; collections made with {@link #createCollection}
 * existed before the emulator started and are READY at once. Collections are removed at once on delete (real Rockset
 * showed DELETED for about 20 s). Writes are accepted into per-partition logs and applied after
 * {@link EmulatorSettings#applyLag()}; with zero lag they are applied before the response is sent. Document writes and
 * commits take {@link EmulatorSettings#latencyFor} their body size before they are processed.
 *
 * <p>Thread-safe. Requests are served concurrently by a cached thread pool; the lagged apply runs on one scheduler
 * thread. {@link #close()} stops both.
 */
public final class Emulator implements AutoCloseable {

    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle plus the client's delayed ACK
        // add ~40 ms to every response, which would make every test of the project slow. Read once, at class load
        // of the server, so it must be set before the first HttpServer is created; an explicit setting wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final EmulatorSettings settings;
    private final HttpServer server;
    private final ExecutorService httpThreads;
    private final ScheduledExecutorService applier;
    private final Catalog catalog;
    private final Faults faults;
    private final WriteRateLimit rateLimit;
    private final RequestLog requests = new RequestLog();
    private final URI baseUrl;

    private Emulator(EmulatorSettings settings) throws IOException {
        this.settings = settings;
        this.faults = new Faults(settings.faults(), settings.seed());
        this.rateLimit = new WriteRateLimit(settings.vi(), settings.clock());
        this.applier = Executors.newSingleThreadScheduledExecutor(daemonThreads("emulator-applier"));
        this.catalog = new Catalog(settings.partitions(), settings.applyLag(), applier);
        ObjectMapper mapper = new ObjectMapper()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
        this.httpThreads = Executors.newCachedThreadPool(daemonThreads("emulator-http"));
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.port()), 128);
        } catch (IOException e) {
            applier.shutdownNow();
            httpThreads.shutdownNow();
            throw new IOException("Cannot listen on 127.0.0.1:" + settings.port() + " (" + e.getMessage()
                    + "); pick another port or 0 for a free one", e);
        }
        server.createContext("/", new Routes(this, catalog, mapper));
        server.setExecutor(httpThreads);
        server.start();
        this.baseUrl = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Starts an emulator listening on 127.0.0.1:{@code settings.port()} (0 = a free port). */
    public static Emulator start(EmulatorSettings settings) throws IOException {
        return new Emulator(settings);
    }

    /** {@code http://127.0.0.1:<port>}, the value for the Write API URL. */
    public URI baseUrl() {
        return baseUrl;
    }

    public String apiKey() {
        return settings.apiKey();
    }

    public EmulatorSettings settings() {
        return settings;
    }

    /** Creates a workspace; does nothing when it exists. */
    public void createWorkspace(String workspace) {
        requireName(workspace, "workspace");
        synchronized (catalog) {
            if (!catalog.hasWorkspace(workspace)) {
                catalog.createWorkspace(workspace, null, settings.clock().instant());
            }
        }
    }

    /**
     * Creates a collection, and its workspace when missing; does nothing when it exists. This is a collection that
     * existed before the run (as a deployment's collections are made ahead of time), so it is READY at once; one
     * created through the API ({@code POST .../collections}) waits {@link EmulatorSettings#readyDelay()}.
     */
    public void createCollection(String workspace, String collection) {
        requireName(collection, "collection");
        synchronized (catalog) {
            createWorkspace(workspace);
            if (catalog.collections(workspace).stream().noneMatch(c -> c.name().equals(collection))) {
                Instant now = settings.clock().instant();
                catalog.createCollection(workspace, collection, now, now);
            }
        }
    }

    /** Deletes a collection with everything in it. */
    public void deleteCollection(String workspace, String collection) {
        catalog.deleteCollection(workspace, collection);
    }

    /** The applied (visible) documents, {@code _id} → a copy of the full document including {@code _id}, by id. */
    public Map<String, ObjectNode> documents(String workspace, String collection) {
        return collection(workspace, collection).documents();
    }

    /** Every operation applied to the collection, in apply order. */
    public List<AppliedOp> applyLog(String workspace, String collection) {
        return collection(workspace, collection).applyLog();
    }

    /** The committed offsets of a collection, as {@code offsets.commit} reports them. */
    public Offsets committedOffsets(String workspace, String collection) {
        return collection(workspace, collection).commit();
    }

    /**
     * Blocks until every write accepted so far is applied.
     *
     * @throws IllegalStateException when writes are still pending after {@code timeout}
     */
    public void awaitApplied(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int pending = catalog.allCollections().stream().mapToInt(CollectionState::pendingEntries).sum();
            if (pending == 0) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException(pending + " accepted write(s) still not applied after " + timeout
                        + "; the apply lag is " + settings.applyLag());
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for writes to apply", e);
            }
        }
    }

    /** Applies every accepted write now, ignoring the apply lag (offsets then commit up to the latest write). */
    public void applyPending() {
        catalog.allCollections().forEach(CollectionState::applyAll);
    }

    /** Runtime fault control. */
    public Faults faults() {
        return faults;
    }

    /** Every request received under {@code /v1}. */
    public RequestLog requests() {
        return requests;
    }

    /**
     * Empties every collection (documents, logs, offsets back to 0) but keeps workspaces and collections; clears the
     * faults, the request log and the requests-per-second window.
     */
    public void reset() {
        catalog.allCollections().forEach(CollectionState::reset);
        faults.clear();
        requests.clear();
        rateLimit.clear();
    }

    WriteRateLimit rateLimit() {
        return rateLimit;
    }

    @Override
    public void close() {
        server.stop(0);
        httpThreads.shutdownNow();
        applier.shutdownNow();
        try {
            httpThreads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private CollectionState collection(String workspace, String collection) {
        try {
            return catalog.collection(workspace, collection);
        } catch (ApiError notFound) {
            throw new IllegalArgumentException(notFound.getMessage(), notFound);
        }
    }

    private static void requireName(String name, String what) {
        if (name == null || !name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("A " + what + " name needs letters, digits, '-' and '_' only, got '"
                    + name + "'");
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
