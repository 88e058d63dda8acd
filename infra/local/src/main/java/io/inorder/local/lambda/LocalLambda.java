package io.inorder.local.lambda;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * A local Lambda service for the functions of one template: each function runs in {@link ExecutionEnvironment}s
 * (forked JVMs under the runtime interface client), reused between invocations and started on demand up to a
 * concurrency limit per function, as Lambda scales a function out. Invocations are synchronous
 * ({@code RequestResponse}) or asynchronous ({@code Event}: queued, retried twice on a function error as Lambda
 * retries asynchronous events, then counted as failed). Names, partial and full ARNs and the qualifiers the template
 * deploys ({@code $LATEST}, version {@code 1}, alias {@code live}) resolve to the function. Thread-safe.
 */
public final class LocalLambda implements AutoCloseable {

    /** The alias SAM's AutoPublishAlias creates, and the version it points at. */
    public static final String ALIAS = "live";
    public static final String VERSION = "1";
    /** Lambda retries a failed asynchronous invocation twice. */
    static final int ASYNC_RETRIES = 2;

    /** Where and how the environments run. */
    public record Settings(String region, String accountId, int concurrencyPerFunction, Duration initTimeout,
                           Duration asyncRetryPause, PrintStream logs) {
        public static Settings defaults(String region, String accountId, PrintStream logs) {
            return new Settings(region, accountId, 2, Duration.ofMinutes(2), Duration.ofMillis(200), logs);
        }

        public Settings withConcurrency(int perFunction) {
            return new Settings(region, accountId, perFunction, initTimeout, asyncRetryPause, logs);
        }
    }

    /** An asynchronous invocation that failed every attempt (Lambda would send it to the on-failure destination). */
    public record FailedEvent(String function, String payload, String lastError) { }

    /** The function a name or ARN names, with the qualifier given (null for none). */
    public record Target(String function, String qualifier) {
        /**
         * What a {@code FunctionName} names: a name, {@code name:qualifier}, a partial ARN
         * ({@code account:function:name[:qualifier]}) or a full ARN; empty for an ARN of anything but a function.
         */
        public static Optional<Target> parse(String functionName) {
            String[] parts = functionName.split(":");
            if (functionName.startsWith("arn:")) {
                if (parts.length < 7 || !parts[5].equals("function")) {
                    return Optional.empty();
                }
                return Optional.of(new Target(parts[6], parts.length > 7 ? parts[7] : null));
            }
            if (parts.length >= 3 && parts[1].equals("function")) {
                return Optional.of(new Target(parts[2], parts.length > 3 ? parts[3] : null));
            }
            if (parts.length == 2) {
                return Optional.of(new Target(parts[0], parts[1]));
            }
            return Optional.of(new Target(functionName, null));
        }
    }

    private final Settings settings;
    private final Map<String, FunctionSpec> functions = new LinkedHashMap<>();
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    private final Map<Path, Path> taskRoots = new HashMap<>();
    private final Path workDir;
    private final Path home;
    private final RuntimeInterfaceClient ric;
    private final Map<String, String> platform;
    private final ExecutorService async;
    private final AtomicInteger pending = new AtomicInteger();
    private final Object idle = new Object();
    private final List<FailedEvent> failedEvents = new ArrayList<>();
    private final AtomicLong invocations = new AtomicLong();
    private final AtomicLong asyncRetries = new AtomicLong();

    /**
     * The environments of one function's published version (what its alias and the template's event sources invoke)
     * or of its {@code $LATEST} (an unqualified invocation): idle ones to reuse, and how many exist.
     */
    private final class Pool {
        final FunctionSpec function;
        final boolean published;
        final Deque<ExecutionEnvironment> idleEnvironments = new ArrayDeque<>();
        final List<ExecutionEnvironment> all = new ArrayList<>();
        int starting;

        Pool(FunctionSpec function, boolean published) {
            this.function = function;
            this.published = published;
        }
    }

    /**
     * @param platform variables Lambda itself gives every function: the region, the container credentials endpoint
     *                 and token, and the service endpoints of the local stack
     */
    public LocalLambda(List<FunctionSpec> functions, Settings settings, Map<String, String> platform)
            throws IOException {
        this.settings = settings;
        for (FunctionSpec f : functions) {
            this.functions.put(f.name(), f);
            pools.put(poolKey(f.name(), true), new Pool(f, true));
            pools.put(poolKey(f.name(), false), new Pool(f, false));
        }
        this.platform = Map.copyOf(platform);
        this.workDir = Files.createTempDirectory("inorder-lambda");
        this.home = Files.createDirectories(workDir.resolve("home"));
        this.ric = RuntimeInterfaceClient.locate(workDir);
        this.async = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lambda-async");
            t.setDaemon(true);
            return t;
        });
    }

    public Settings settings() {
        return settings;
    }

    public List<FunctionSpec> functions() {
        return List.copyOf(functions.values());
    }

    /** The function a template's logical id names. */
    public Optional<FunctionSpec> byLogicalId(String logicalId) {
        return functions.values().stream().filter(f -> f.logicalId().equals(logicalId)).findFirst();
    }

    public String arn(String function) {
        return "arn:aws:lambda:" + settings.region() + ":" + settings.accountId() + ":function:" + function;
    }

    /**
     * The function and qualifier a {@code FunctionName} names: a name, {@code name:qualifier}, a partial ARN
     * ({@code account:function:name[:qualifier]}) or a full ARN; empty when no such function is deployed, or the
     * qualifier is neither {@code $LATEST}, {@value #VERSION} nor {@value #ALIAS}.
     */
    public Optional<Target> resolve(String functionName, String qualifier) {
        Optional<Target> named = Target.parse(functionName);
        if (named.isEmpty()) {
            return Optional.empty();
        }
        String q = named.get().qualifier();
        if (q != null && qualifier != null && !q.equals(qualifier)) {
            return Optional.empty();
        }
        String effective = q != null ? q : qualifier;
        String name = named.get().function();
        if (!functions.containsKey(name)
                || (effective != null && !List.of("$LATEST", VERSION, ALIAS).contains(effective))) {
            return Optional.empty();
        }
        return Optional.of(new Target(name, effective));
    }

    /**
     * Publishes the functions' versions: one environment per function initialized (in parallel) and ready before
     * this returns, as publishing a SnapStart version initializes it and takes the snapshot before the version turns
     * active (a deployment ends only then), so the first event waits only for the restore. A function whose init
     * fails is left to fail again, visibly, on its first invocation.
     */
    public void publish() {
        List<java.util.concurrent.Future<?>> publishing = new ArrayList<>();
        for (Pool pool : pools.values()) {
            if (!pool.published) {
                continue;
            }
            synchronized (pool) {
                if (!pool.all.isEmpty() || pool.starting > 0) {
                    continue;
                }
                pool.starting++;
            }
            publishing.add(async.submit(() -> {
                ExecutionEnvironment e = null;
                try {
                    e = start(pool);
                } catch (IOException | RuntimeException failed) {
                    if (settings.logs() != null) {
                        settings.logs().println("[local lambda] " + pool.function.name() + " did not initialize: "
                                + failed.getMessage());
                    }
                } finally {
                    synchronized (pool) {
                        pool.starting--;
                        if (e != null) {
                            pool.all.add(e);
                            pool.idleEnvironments.addLast(e);
                        }
                        pool.notifyAll();
                    }
                }
            }));
        }
        for (java.util.concurrent.Future<?> f : publishing) {
            try {
                f.get();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException unexpected) {
                // start's failures are caught and logged above; nothing else reaches here.
                throw new IllegalStateException(unexpected.getCause());
            }
        }
    }

    /**
     * Invokes {@code function}'s published version, as its alias and the template's event sources do, and waits for
     * its outcome (a function error is a result, not an exception).
     */
    public ExecutionEnvironment.Result invoke(String function, byte[] payload) {
        return invoke(new Target(function, ALIAS), payload);
    }

    /** Invokes the version {@code target} names: without a qualifier or with {@code $LATEST}, the unpublished one. */
    public ExecutionEnvironment.Result invoke(Target target, byte[] payload) {
        Pool pool = pool(target);
        ExecutionEnvironment e = acquire(pool);
        invocations.incrementAndGet();
        try {
            return e.invoke(payload);
        } finally {
            release(pool, e);
        }
    }

    /** Queues an asynchronous invocation ({@code Event}) of the published version, as the alias gets them. */
    public void invokeAsync(String function, byte[] payload) {
        invokeAsync(new Target(function, ALIAS), payload);
    }

    /** Queues an asynchronous invocation ({@code Event}); Lambda retries it twice when the function fails. */
    public void invokeAsync(Target function, byte[] payload) {
        pool(function);
        pending.incrementAndGet();
        async.execute(() -> {
            try {
                runAsync(function, payload);
            } finally {
                if (pending.decrementAndGet() == 0) {
                    synchronized (idle) {
                        idle.notifyAll();
                    }
                }
            }
        });
    }

    private void runAsync(Target function, byte[] payload) {
        String last = null;
        for (int attempt = 0; attempt <= ASYNC_RETRIES; attempt++) {
            if (attempt > 0) {
                asyncRetries.incrementAndGet();
                ExecutionEnvironment.sleep(settings.asyncRetryPause().multipliedBy(attempt).toMillis());
            }
            try {
                ExecutionEnvironment.Result r = invoke(function, payload);
                if (!r.failed()) {
                    return;
                }
                last = r.errorType() + ": " + r.text();
            } catch (RuntimeException e) {
                last = e.toString();
            }
            if (settings.logs() != null) {
                settings.logs().println("[local lambda] " + function.function() + " asynchronous invocation failed "
                        + "(attempt " + (attempt + 1) + " of " + (ASYNC_RETRIES + 1) + "): " + last);
            }
        }
        synchronized (failedEvents) {
            failedEvents.add(new FailedEvent(function.function(),
                    new String(payload, java.nio.charset.StandardCharsets.UTF_8), last));
        }
    }

    /** Waits until no asynchronous invocation is queued or running. */
    public void awaitIdle(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (pending.get() > 0) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(pending.get() + " asynchronous invocation(s) still running after "
                            + timeout);
                }
                try {
                    idle.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        }
    }

    public List<FailedEvent> failedEvents() {
        synchronized (failedEvents) {
            return List.copyOf(failedEvents);
        }
    }

    public long invocations() {
        return invocations.get();
    }

    public long asyncRetries() {
        return asyncRetries.get();
    }

    /** Environments started so far for {@code function}'s published version (alive or not). */
    public List<ExecutionEnvironment> environments(String function) {
        Pool pool = pool(new Target(function, ALIAS));
        synchronized (pool) {
            return List.copyOf(pool.all);
        }
    }

    /**
     * Starts a new environment for {@code function} outside the pool (init only; SnapStart: up to the checkpoint),
     * for callers that drive environments themselves: tests of init failures and restores, the cold-start benchmark.
     *
     * @throws ExecutionEnvironment.InitFailure when its init fails
     */
    public ExecutionEnvironment start(FunctionSpec function, ExecutionEnvironment.InitType type) throws IOException {
        return ExecutionEnvironment.start(function, taskRoot(function), home, ric, type, arn(function.name()) + ":"
                + ALIAS, VERSION, platform, settings.initTimeout(), settings.logs());
    }

    /**
     * How Lambda initializes the function's environments here: every invocation of this local Lambda runs the
     * published version the template's event sources name (its alias), so SnapStart's when the template turns it on.
     */
    static ExecutionEnvironment.InitType initType(FunctionSpec function) {
        return function.snapStart() ? ExecutionEnvironment.InitType.SNAP_START
                : ExecutionEnvironment.InitType.ON_DEMAND;
    }

    private static String poolKey(String function, boolean published) {
        return published ? function : function + ":$LATEST";
    }

    private static boolean published(String qualifier) {
        return qualifier != null && !qualifier.equals("$LATEST");
    }

    /**
     * A new environment of the pool's version: the published one as {@link #start(FunctionSpec,
     * ExecutionEnvironment.InitType)} starts it; {@code $LATEST} always on demand (SnapStart applies to published
     * versions only), invoked by the unqualified ARN.
     */
    private ExecutionEnvironment start(Pool pool) throws IOException {
        if (pool.published) {
            return start(pool.function, initType(pool.function));
        }
        return ExecutionEnvironment.start(pool.function, taskRoot(pool.function), home, ric,
                ExecutionEnvironment.InitType.ON_DEMAND, arn(pool.function.name()), "$LATEST", platform,
                settings.initTimeout(), settings.logs());
    }

    private Pool pool(Target target) {
        String function = target.function();
        Pool pool = pools.get(poolKey(function, published(target.qualifier())));
        if (pool == null) {
            throw new IllegalArgumentException("no function " + function + " is deployed here (functions: "
                    + functions.keySet() + ")");
        }
        return pool;
    }

    private ExecutionEnvironment acquire(Pool pool) {
        synchronized (pool) {
            while (true) {
                while (!pool.idleEnvironments.isEmpty()) {
                    ExecutionEnvironment e = pool.idleEnvironments.pollFirst();
                    if (e.alive()) {
                        return e;
                    }
                }
                int live = (int) pool.all.stream().filter(ExecutionEnvironment::alive).count() + pool.starting;
                if (live < settings.concurrencyPerFunction()) {
                    pool.starting++;
                    break;
                }
                try {
                    pool.wait(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for an environment", ie);
                }
            }
        }
        ExecutionEnvironment e = null;
        try {
            e = start(pool);
            return e;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } finally {
            synchronized (pool) {
                pool.starting--;
                if (e != null) {
                    pool.all.add(e);
                }
                pool.notifyAll();
            }
        }
    }

    private void release(Pool pool, ExecutionEnvironment e) {
        synchronized (pool) {
            if (e.alive()) {
                pool.idleEnvironments.addFirst(e);
            }
            pool.notifyAll();
        }
    }

    /** The function's code unpacked once, as Lambda unpacks a deployment package into {@code /var/task}. */
    private synchronized Path taskRoot(FunctionSpec function) throws IOException {
        Path key = function.code().toAbsolutePath();
        if (!function.extraCode().isEmpty()) {
            key = key.resolveSibling(key.getFileName() + "+" + function.name());
        }
        Path root = taskRoots.get(key);
        if (root != null) {
            return root;
        }
        root = Files.createDirectories(workDir.resolve("task-" + taskRoots.size()));
        unpack(function.code(), root);
        for (Path extra : function.extraCode()) {
            copyTree(extra, root);
        }
        taskRoots.put(key, root);
        return root;
    }

    private static void unpack(Path code, Path root) throws IOException {
        if (Files.isDirectory(code)) {
            copyTree(code, root);
            return;
        }
        if (!Files.isRegularFile(code)) {
            throw new IllegalStateException("the deployment package " + code + " is missing: build it with "
                    + "mvn -B package (template.yaml's CodeUri names it)");
        }
        try (JarFile jar = new JarFile(code.toFile())) {
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                Path target = root.resolve(entry.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new IllegalStateException(code + " has an entry outside its root: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    try (InputStream in = jar.getInputStream(entry)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    @Override
    public void close() {
        async.shutdownNow();
        for (Pool pool : pools.values()) {
            List<ExecutionEnvironment> all;
            synchronized (pool) {
                all = List.copyOf(pool.all);
            }
            all.forEach(ExecutionEnvironment::close);
        }
        try (Stream<Path> paths = Files.walk(workDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind is harmless.
        }
    }
}
