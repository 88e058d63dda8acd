package io.inorder.local.lambda;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One Lambda execution environment: a forked JVM running the function's code (its deployment jar unpacked as the
 * task root, the working directory, as Lambda unpacks it into {@code /var/task}) under the real runtime interface
 * client, against its own {@link RuntimeApi}. The process gets Lambda's environment for the function and nothing of
 * this JVM's: no access-key variables, no profile ({@code user.home} is an empty directory), credentials only from
 * the container credentials endpoint.
 *
 * <p>With {@link InitType#SNAP_START} the client runs the CRaC {@code beforeCheckpoint} hooks after init and waits in
 * {@code restore/next}; the first invocation "restores" the environment (the client then runs {@code afterRestore}),
 * as a SnapStart version is restored on its first invocation. One invocation at a time. Thread-safe.
 */
public final class ExecutionEnvironment implements AutoCloseable {

    /** {@code AWS_LAMBDA_INITIALIZATION_TYPE}: SnapStart versions initialize for the snapshot. */
    public enum InitType {
        SNAP_START("snap-start"), ON_DEMAND("on-demand");

        final String value;

        InitType(String value) {
            this.value = value;
        }
    }

    /** The outcome of one invocation. {@code errorType} is null on success. */
    public record Result(String requestId, String errorType, byte[] payload, long millis) {
        public boolean failed() {
            return errorType != null;
        }

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** The environment could not be initialized: the runtime reported an init error, or the JVM ended or hung. */
    public static final class InitFailure extends RuntimeException {
        private final String errorType;
        private final String body;

        InitFailure(String message, String errorType, String body) {
            super(message);
            this.errorType = errorType;
            this.body = body;
        }

        /** The runtime's error type header ({@code Runtime.Unknown}, ...), or null when it reported nothing. */
        public String errorType() {
            return errorType;
        }

        /** The JSON body the runtime posted to {@code /init/error} (or {@code /restore/error}), or null. */
        public String body() {
            return body;
        }
    }

    private static final int LOG_TAIL = 40;

    private final FunctionSpec function;
    private final String id;
    private final InitType initType;
    private final String functionArn;
    private final RuntimeApi api;
    private final Process process;
    private final long startedAtMillis;
    private final Deque<String> tail = new ArrayDeque<>();
    private final Thread logPump;
    private volatile boolean dead;
    private volatile long readyAtMillis = -1;
    private int invocations;

    private ExecutionEnvironment(FunctionSpec function, String id, InitType initType, String functionArn,
            RuntimeApi api, Process process, long startedAtMillis, PrintStream logs) {
        this.function = function;
        this.id = id;
        this.initType = initType;
        this.functionArn = functionArn;
        this.api = api;
        this.process = process;
        this.startedAtMillis = startedAtMillis;
        this.logPump = new Thread(() -> pump(logs), "lambda-logs-" + function.name() + "-" + id);
        this.logPump.setDaemon(true);
        this.logPump.start();
    }

    /**
     * Forks the JVM and waits for its init: until the runtime asks for its first event, or (SnapStart) reaches the
     * checkpoint, at most {@code initTimeout}.
     *
     * @param platform the variables Lambda itself sets (region, credentials endpoint and token, endpoints), on top
     *                 of which the function's own and the runtime's are laid
     * @throws InitFailure when the runtime reports an init error (its message names what failed), or the JVM ends
     */
    static ExecutionEnvironment start(FunctionSpec function, Path taskRoot, Path home, RuntimeInterfaceClient ric,
            InitType initType, String functionArn, String version, Map<String, String> platform,
            Duration initTimeout, PrintStream logs) throws IOException {
        String id = UUID.randomUUID().toString().substring(0, 8);
        RuntimeApi api = new RuntimeApi();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ric.jvmOptions(function.memoryMb()));
        // Lambda's sandbox user has no home with an AWS profile in it; neither may the forked JVM.
        command.add("-Duser.home=" + home);
        command.add("-classpath");
        command.add(String.join(java.io.File.pathSeparator, ric.classPath().stream().map(Path::toString).toList()));
        command.add(RuntimeInterfaceClient.ENTRY_POINT);
        command.add(function.handler());
        ProcessBuilder pb = new ProcessBuilder(command).directory(taskRoot.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("LANG", "en_US.UTF-8");
        env.put("TZ", ":UTC");
        env.putAll(function.environment());
        env.putAll(platform);
        env.put("_HANDLER", function.handler());
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
        env.put("AWS_LAMBDA_FUNCTION_NAME", function.name());
        env.put("AWS_LAMBDA_FUNCTION_VERSION", version);
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(function.memoryMb()));
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + function.name());
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString()
                .replace('-', '/') + "/[" + version + "]" + id);
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", initType.value);
        env.put("AWS_LAMBDA_RUNTIME_API", api.address());
        env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        env.put("LAMBDA_RUNTIME_DIR", ric.classPath().get(0).getParent().toString());
        for (String forbidden : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                "AWS_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_PROFILE")) {
            if (env.containsKey(forbidden)) {
                api.close();
                throw new IllegalArgumentException(forbidden + " must not reach a SnapStart function's environment: "
                        + "its credentials come from the container credentials endpoint only");
            }
        }
        long startedAt = System.currentTimeMillis();
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            api.close();
            throw e;
        }
        ExecutionEnvironment e = new ExecutionEnvironment(function, id, initType, functionArn, api, process,
                startedAt, logs);
        try {
            e.awaitInit(initTimeout);
        } catch (RuntimeException | Error failure) {
            e.close();
            throw failure;
        }
        return e;
    }

    private void awaitInit(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < end) {
                if (api.awaitInitialized(50, TimeUnit.MILLISECONDS)) {
                    break;
                }
                if (!process.isAlive()) {
                    break;
                }
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new InitFailure(function.name() + ": interrupted during init", null, null);
        }
        if (api.initError().isPresent()) {
            RuntimeApi.Outcome o = api.initError().get();
            throw new InitFailure(function.name() + " failed to initialize (" + o.errorType() + "): " + o.text(),
                    o.errorType(), o.text());
        }
        if (api.ready() || api.atCheckpoint()) {
            readyAtMillis = api.ready() ? System.currentTimeMillis() : -1;
            return;
        }
        String why = process.isAlive() ? "did not finish its init in " + timeout.toSeconds() + " s"
                : "ended with exit code " + exitCode();
        throw new InitFailure(function.name() + " " + why + ":\n" + tail(), null, null);
    }

    /**
     * Hands {@code payload} to the function and waits for its outcome, at most the function's timeout (then the
     * environment is ended, as Lambda ends one whose invocation timed out). SnapStart: the first invocation restores
     * the environment first.
     */
    public synchronized Result invoke(byte[] payload) {
        if (dead) {
            throw new IllegalStateException(function.name() + " environment " + id + " has ended");
        }
        if (api.atCheckpoint() && api.restoredAtMillis() < 0) {
            restore();
        }
        long start = System.currentTimeMillis();
        String requestId = UUID.randomUUID().toString();
        String trace = "Root=1-" + Long.toHexString(start / 1000) + "-" + requestId.replace("-", "").substring(0, 24)
                + ";Parent=" + requestId.replace("-", "").substring(8, 24) + ";Sampled=0";
        RuntimeApi.Invocation invocation = new RuntimeApi.Invocation(requestId, payload,
                start + function.timeout().toMillis(), functionArn, trace);
        api.submit(invocation);
        invocations++;
        long end = start + function.timeout().toMillis() + 2_000;
        while (true) {
            try {
                RuntimeApi.Outcome o = invocation.outcome.get(50, TimeUnit.MILLISECONDS);
                long millis = System.currentTimeMillis() - start;
                return new Result(requestId, o.error() ? o.errorType() : null, o.body(), millis);
            } catch (TimeoutException pending) {
                if (!process.isAlive()) {
                    api.abandon(invocation);
                    dead = true;
                    return failure(requestId, "Runtime.ExitError", "RequestId: " + requestId + " Error: Runtime "
                            + "exited with error: exit status " + exitCode(), start);
                }
                if (System.currentTimeMillis() > end) {
                    api.abandon(invocation);
                    close();
                    return failure(requestId, "Sandbox.Timedout", "RequestId: " + requestId + " Error: Task timed "
                            + "out after " + function.timeout().toSeconds() + ".00 seconds", start);
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                api.abandon(invocation);
                close();
                return failure(requestId, "Sandbox.Interrupted", "interrupted", start);
            } catch (ExecutionException cannot) {
                throw new IllegalStateException(cannot);
            }
        }
    }

    /** SnapStart: lets the runtime out of the checkpoint and waits until it runs {@code afterRestore} and is ready. */
    private void restore() {
        api.restore();
        long end = System.currentTimeMillis() + 30_000;
        while (!api.ready() && process.isAlive() && api.restoreError().isEmpty()
                && System.currentTimeMillis() < end) {
            sleep(5);
        }
        if (api.restoreError().isPresent()) {
            RuntimeApi.Outcome o = api.restoreError().get();
            dead = true;
            close();
            throw new InitFailure(function.name() + " failed to restore (" + o.errorType() + "): " + o.text(),
                    o.errorType(), o.text());
        }
        if (!api.ready()) {
            dead = true;
            close();
            throw new InitFailure(function.name() + " did not come back from restore:\n" + tail(), null, null);
        }
        readyAtMillis = System.currentTimeMillis();
    }

    private Result failure(String requestId, String type, String message, long start) {
        String body = "{\"errorType\":\"" + type + "\",\"errorMessage\":\"" + message.replace("\"", "'") + "\"}";
        return new Result(requestId, type, body.getBytes(StandardCharsets.UTF_8), System.currentTimeMillis() - start);
    }

    public FunctionSpec function() {
        return function;
    }

    public String id() {
        return id;
    }

    public InitType initType() {
        return initType;
    }

    /** When the JVM was started (epoch ms). */
    public long startedAtMillis() {
        return startedAtMillis;
    }

    /** When SnapStart restored it (epoch ms), or -1. */
    public long restoredAtMillis() {
        return api.restoredAtMillis();
    }

    /** Whether the runtime sits at SnapStart's checkpoint, its {@code beforeCheckpoint} hooks run. */
    public boolean atCheckpoint() {
        return api.atCheckpoint() && api.restoredAtMillis() < 0;
    }

    public boolean alive() {
        return !dead && process.isAlive();
    }

    /** The last lines the function logged. */
    public String tail() {
        synchronized (tail) {
            return String.join("\n", tail);
        }
    }

    private int exitCode() {
        try {
            process.waitFor(2, TimeUnit.SECONDS);
            return process.isAlive() ? -1 : process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void pump(PrintStream logs) {
        String prefix = "[" + function.name() + " " + id + "] ";
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > LOG_TAIL) {
                        tail.removeFirst();
                    }
                }
                if (logs != null) {
                    logs.println(prefix + line);
                }
            }
        } catch (IOException ended) {
            // The process is gone.
        }
    }

    /** Sleeps, keeping an interrupt for the caller to see. */
    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        dead = true;
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        api.close();
    }
}
