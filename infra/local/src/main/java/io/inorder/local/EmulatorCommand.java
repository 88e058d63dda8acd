package io.inorder.local;

import io.inorder.emulator.Emulator;
import io.inorder.emulator.EmulatorSettings;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code inorder emulator}: runs the local Write API emulator until the process is stopped. Prints the base URL on its
 * first line so scripts can read it. Exit codes: 0 after a clean stop or {@code --help}, 2 for a usage error.
 */
public final class EmulatorCommand {

    static final String USAGE = String.join(System.lineSeparator(),
            "usage: inorder emulator [--port P] [--api-key K] [--create WS.COLLECTION ...] [--vi SIZE]",
            "                        [--lag-ms N] [--latency-ms N] [--latency-per-mib-ms N] [--ready-delay-ms N]",
            "                        [--partitions N] [--faults SPEC] [--seed N]",
            "                        [--max-documents N] [--max-body-bytes N]",
            "",
            "Runs a local emulator of Rockset's Write API on 127.0.0.1 until stopped (Ctrl-C).",
            "",
            "  --port P                  TCP port, 0 for a free one (default 3030)",
            "  --api-key K               key expected in 'Authorization: ApiKey K'",
            "                            (default: $INORDER_API_KEY, else local-key)",
            "  --create WS.COLLECTION    a collection (and its workspace) that exists from the start, READY;",
            "                            repeatable",
            "  --vi SIZE                 apply the write requests/s limit of a Virtual Instance size:",
            "                            FREE 1, NANO 5, MICRO 10, MILLI 10, XSMALL 15, SMALL 25, MEDIUM 50,",
            "                            LARGE 100, XLARGE 200, 2XLARGE 400, 4XLARGE 800, 8XLARGE 1600, 16XLARGE 2400",
            "                            (default: no limit)",
            String.join(System.lineSeparator(), EmulatorTiming.usage(26, true)),
            "  --partitions N            partitions per collection (default 4)",
            "  --faults SPEC             inject faults, e.g. 429:0.2,503:0.05,slow:0.1:2000ms,timeout:0.01,",
            "                            drop:0.01,error-field:_fail or script:429,429,200,502",
            "  --seed N                  seed for rate-based faults (default 1)",
            "  --max-documents N         documents per write request before 400 (default 20000)",
            "  --max-body-bytes N        request body bytes before 413 (default 10485760)",
            "  --help                    print this help");

    private EmulatorCommand() {
    }

    /** Runs until the JVM shuts down (the shutdown hook stops the emulator). */
    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        return run(args, out, err, new CountDownLatch(1));
    }

    /** Runs until {@code stop} is released or the JVM shuts down. */
    static int run(String[] args, PrintStream out, PrintStream err, CountDownLatch stop) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException usage) {
            err.println("inorder emulator: " + usage.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (options.help) {
            out.println(USAGE);
            return 0;
        }
        EmulatorSettings settings;
        try {
            String apiKey = options.apiKey != null ? options.apiKey : defaultApiKey();
            settings = EmulatorSettings.defaults()
                    .withPort(options.port)
                    .withApiKey(apiKey)
                    .withPartitions(options.partitions)
                    .withVi(options.vi)
                    .withFaults(options.faults)
                    .withSeed(options.seed)
                    .withMaxDocuments(options.maxDocuments)
                    .withMaxBodyBytes(options.maxBodyBytes);
            for (Map.Entry<String, String> timing : options.timing.entrySet()) {
                settings = EmulatorTiming.apply(settings, timing.getKey(), timing.getValue());
            }
        } catch (IllegalArgumentException invalid) {
            err.println("inorder emulator: " + invalid.getMessage());
            return 2;
        }
        try (Emulator emulator = Emulator.start(settings)) {
            for (String[] target : options.creates) {
                emulator.createCollection(target[0], target[1]);
            }
            Thread hook = new Thread(() -> {
                emulator.close();
                stop.countDown();
            }, "inorder-emulator-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("emulator listening on " + emulator.baseUrl() + " (api key: " + emulator.apiKey() + ")");
            for (String[] target : options.creates) {
                out.println("collection " + target[0] + "." + target[1] + " ready");
            }
            out.println("clock: apply lag " + settings.applyLag().toMillis() + " ms, request latency "
                    + settings.requestLatency().toMillis() + " ms + " + settings.latencyPerMiB().toMillis()
                    + " ms/MiB, collections created through the API READY after "
                    + settings.readyDelay().toMillis() + " ms");
            out.println("inspect: " + emulator.baseUrl() + "/_emulator/requests; stop with Ctrl-C");
            out.flush();
            try {
                stop.await();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is running or has run; it closes the emulator itself.
                }
            }
        }
        return 0;
    }

    private static String defaultApiKey() {
        String fromEnvironment = System.getenv("INORDER_API_KEY");
        return fromEnvironment == null || fromEnvironment.isBlank() ? EmulatorSettings.DEFAULT_API_KEY : fromEnvironment;
    }

    /** The parsed command line; {@code --flag value} and {@code --flag=value} are both accepted. */
    private static final class Options {
        int port = 3030;
        String apiKey;
        final List<String[]> creates = new ArrayList<>();
        String vi;
        /** The clock options (lag, latency, ready delay) as given, applied by {@link EmulatorTiming}. */
        final Map<String, String> timing = new LinkedHashMap<>();
        int partitions = EmulatorSettings.DEFAULT_PARTITIONS;
        String faults = "";
        long seed = 1;
        int maxDocuments = EmulatorSettings.DEFAULT_MAX_DOCUMENTS;
        long maxBodyBytes = EmulatorSettings.DEFAULT_MAX_BODY_BYTES;
        boolean help;

        static Options parse(String[] args) {
            Options options = new Options();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String flag = arg;
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    flag = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                }
                if (flag.equals("--help") || flag.equals("-h")) {
                    options.help = true;
                    continue;
                }
                if (!flag.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument '" + arg + "'");
                }
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(flag + " needs a value");
                    }
                    value = args[++i];
                }
                switch (flag) {
                    case "--port" -> options.port = (int) number(flag, value, 0, 65_535);
                    case "--api-key" -> options.apiKey = value;
                    case "--create" -> options.creates.add(target(value));
                    case "--vi" -> options.vi = value;
                    case EmulatorTiming.LAG, EmulatorTiming.LATENCY, EmulatorTiming.LATENCY_PER_MIB,
                            EmulatorTiming.READY_DELAY -> options.timing.put(flag, value);
                    case "--partitions" -> options.partitions = (int) number(flag, value, 1, 1024);
                    case "--faults" -> options.faults = value;
                    case "--seed" -> options.seed = number(flag, value, Long.MIN_VALUE, Long.MAX_VALUE);
                    case "--max-documents" -> options.maxDocuments = (int) number(flag, value, 1, Integer.MAX_VALUE);
                    case "--max-body-bytes" -> options.maxBodyBytes = number(flag, value, 1, Integer.MAX_VALUE - 8);
                    default -> throw new IllegalArgumentException("unknown option '" + flag + "'");
                }
            }
            return options;
        }

        private static String[] target(String value) {
            String[] parts = value.split("\\.", -1);
            if (parts.length != 2 || !parts[0].matches("[A-Za-z0-9_-]+") || !parts[1].matches("[A-Za-z0-9_-]+")) {
                throw new IllegalArgumentException("--create needs WORKSPACE.COLLECTION (letters, digits, '-', '_'), got '"
                        + value + "'");
            }
            return parts;
        }

        private static long number(String flag, String value, long min, long max) {
            try {
                long number = Long.parseLong(value.trim());
                if (number >= min && number <= max) {
                    return number;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(flag + " needs a whole number from " + min + " to " + max + ", got '"
                    + value + "'");
        }
    }
}
