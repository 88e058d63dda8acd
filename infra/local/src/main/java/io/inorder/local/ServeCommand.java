package io.inorder.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.emulator.EmulatorSettings;
import io.inorder.ledger.LedgerTable;
import io.inorder.mapping.TableConfig;
import io.inorder.mapping.TableMapping;
import io.inorder.pipeline.IngestConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code inorder serve}: the embedded local stack kept running, prepared as the functions expect it (the ledger
 * table, the landing and quarantine buckets, and with {@code --config} the emulator's collections), its endpoints and
 * the functions' environment printed, until Ctrl-C. State lives in memory for as long as it runs.
 */
final class ServeCommand {

    static final String USAGE = """
            usage: inorder serve [--config tables.json] [--port-dynamodb N] [--port-s3 N] [--port-emulator N]
                                 [--lag-ms N] [--latency-ms N] [--latency-per-mib-ms N] [--ready-delay-ms N]
              --config FILE       the table config: creates its workspace and collections in the emulator and
                                  fills TABLE_CONFIG in the printed environment
              --port-dynamodb N   DynamoDB Local's port (default 8000; 0 = a free one)
              --port-s3 N         S3Proxy's port (default 9000; 0 = a free one)
              --port-emulator N   the Write API emulator's port (default 3030; 0 = a free one)
            %s
            Runs until Ctrl-C; everything it holds is gone when it stops.""".formatted(
            String.join("\n", EmulatorTiming.usage(20, true)));

    /** The ports serve listens on unless told otherwise; the operations commands' --local finds it there. */
    static final int DEFAULT_DYNAMODB_PORT = 8000;
    static final int DEFAULT_S3_PORT = 9000;
    static final int DEFAULT_EMULATOR_PORT = 3030;

    /** The functions' logical ids in template.yaml, the keys of an env.json. */
    static final String S3_FUNCTION = "S3IngestFunction";
    static final String MSK_FUNCTION = "MskIngestFunction";
    private static final String DOCKER_HOST = "host.docker.internal";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ServeCommand() { }

    /** A running, prepared stack; closing it stops every component. */
    record Served(LocalStack stack, TableConfig config) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            stack.close();
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        // Ctrl-C: let run() close the stack, and keep the JVM alive until it has.
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                closed.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "inorder-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run(args, out, err, stop);
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running: it waits for closed, counted down above.
            }
        }
    }

    /** Serves until {@code stop} is counted down, then closes the stack. */
    static int run(String[] args, PrintStream out, PrintStream err, CountDownLatch stop) throws Exception {
        Options o = Options.parse(args, Options.union(Set.of("--config", "--port-dynamodb", "--port-s3",
                "--port-emulator"), EmulatorTiming.OPTIONS_WITH_READY_DELAY), Set.of(), USAGE);
        if (o.flag("--help")) {
            out.println(USAGE);
            return 0;
        }
        if (!o.positional().isEmpty()) {
            throw new UsageException("unexpected argument " + o.positional().get(0) + "\n" + USAGE);
        }
        Path configFile = o.value("--config").map(Path::of).orElse(null);
        int ddbPort = port(o, "--port-dynamodb", DEFAULT_DYNAMODB_PORT);
        int s3Port = port(o, "--port-s3", DEFAULT_S3_PORT);
        int emulatorPort = port(o, "--port-emulator", DEFAULT_EMULATOR_PORT);
        EmulatorSettings emulator = EmulatorTiming.apply(EmulatorSettings.defaults().withPort(emulatorPort), o);
        String configText = configFile == null ? null : ReplayCommand.readConfig(configFile);
        try (Served served = start(ddbPort, s3Port, emulator, configText, configFile, out)) {
            out.println("Serving until Ctrl-C.");
            out.flush();
            stop.await();
            err.println("inorder serve: stopping; the local state is discarded");
        }
        return 0;
    }

    /**
     * Starts the stack on the given ports (0 = free), prepares it, prints its endpoints and the functions'
     * environment to {@code out}, and returns it running; the caller closes it.
     */
    static Served start(int ddbPort, int s3Port, int emulatorPort, String configText, Path configFile,
            PrintStream out) throws Exception {
        return start(ddbPort, s3Port, EmulatorSettings.defaults().withPort(emulatorPort), configText, configFile, out);
    }

    /** The same with the emulator's settings (its port and clock) given whole. */
    static Served start(int ddbPort, int s3Port, EmulatorSettings emulator, String configText, Path configFile,
            PrintStream out) throws Exception {
        TableConfig config = configText == null ? null : TableConfig.parse(configText, String.valueOf(configFile));
        LocalStack stack;
        try {
            stack = DemoCommand.startQuietly(ddbPort, s3Port, emulator);
        } catch (Exception e) {
            throw new UsageException("could not start the local stack on ports " + ddbPort + "/" + s3Port + "/"
                    + emulator.port() + " (" + e.getMessage() + "); choose others with --port-dynamodb, --port-s3, "
                    + "--port-emulator, or 0 for free ones");
        }
        try {
            try (DynamoDbClient ddb = stack.dynamoDbClient(); S3Client s3 = stack.s3Client()) {
                LedgerTable.create(ddb, LocalS3Function.STATE_TABLE);
                LocalS3Function.createBucket(s3, LocalS3Function.LANDING_BUCKET);
                LocalS3Function.createBucket(s3, LocalS3Function.QUARANTINE_BUCKET);
            }
            if (config != null) {
                for (TableMapping t : config.tables()) {
                    stack.emulator().createCollection(config.workspace(), t.collection());
                }
            }
            print(stack, config, configText, out);
            return new Served(stack, config);
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    private static void print(LocalStack stack, TableConfig config, String configText, PrintStream out)
            throws IOException {
        String ddb = stack.dynamoDbEndpoint().toString();
        String s3 = stack.s3Endpoint().toString();
        String api = stack.emulator().baseUrl().toString();
        String key = stack.emulator().apiKey();
        out.println("inorder serve: the local stack is up; its state lives in memory until it stops");
        out.printf("  DynamoDB    %-26s table %s%n", ddb, LocalS3Function.STATE_TABLE);
        out.printf("  S3          %-26s buckets %s, %s (path-style addressing)%n", s3,
                LocalS3Function.LANDING_BUCKET, LocalS3Function.QUARANTINE_BUCKET);
        out.printf("  Write API   %-26s API key %s%s%n", api, key, config == null ? ""
                : ", workspace " + config.workspace() + ": " + String.join(", ", collections(config)));
        out.printf("  region      %s%n", LocalStack.REGION.id());
        out.printf("  credentials AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s%n", LocalStack.ACCESS_KEY,
                LocalStack.SECRET_KEY);
        out.println();
        out.println("env.json for sam local invoke --env-vars (addresses as seen from SAM's container):");
        out.println(JSON.writeValueAsString(environment(stack, configText)));
        out.println("(SAM applies only the variables template.yaml declares: the AWS_* lines take effect once it declares "
                + "them; the functions' S3 client uses virtual-hosted addressing, which S3Proxy here does not serve.)");
        out.println();
        out.println("Try:");
        out.println("  aws --endpoint-url " + ddb + " --region " + LocalStack.REGION.id() + " dynamodb list-tables");
        out.println("  aws --endpoint-url " + s3 + " --region " + LocalStack.REGION.id() + " s3 ls");
        String auth = "-H 'Authorization: ApiKey " + key + "' ";
        String ws = config == null ? "commons" : config.workspace();
        if (config == null || config.tables().isEmpty()) {
            // Without a table config there is no collection yet: show how to make one.
            out.println("  curl -X POST " + auth + api + "/v1/orgs/self/ws -d '{\"name\":\"" + ws + "\"}'");
            out.println("  curl -X POST " + auth + api + "/v1/orgs/self/ws/" + ws + "/collections "
                    + "-d '{\"name\":\"orders\"}'");
        }
        String collection = config == null || config.tables().isEmpty() ? "orders" : collections(config).get(0);
        out.println("  curl " + auth + api + "/v1/orgs/self/ws/" + ws + "/collections/" + collection);
        out.println("  curl " + api + "/_emulator/ws/" + ws + "/collections/" + collection + "/documents");
    }

    /**
     * The env.json block for {@code sam local invoke --env-vars}: both functions' variables pointing at this stack as
     * seen from SAM's container ({@code host.docker.internal}). The secret ARN and SSM parameter are blanked, since SAM
     * overrides declared variables only and the template declares them; the key and table config are given inline.
     */
    static ObjectNode environment(LocalStack stack, String configText) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        String tableConfig = configText == null ? "" : new ObjectMapper().writeValueAsString(JSON.readTree(configText));
        for (String function : List.of(S3_FUNCTION, MSK_FUNCTION)) {
            ObjectNode vars = root.putObject(function);
            vars.put(IngestConfig.WRITE_API_URL.name(), fromContainer(stack.emulator().baseUrl().toString()));
            vars.put(IngestConfig.API_KEY_SECRET_ARN.name(), "");
            vars.put(IngestConfig.API_KEY.name(), stack.emulator().apiKey());
            vars.put(IngestConfig.TABLE_CONFIG.name(), tableConfig);
            vars.put(IngestConfig.TABLE_CONFIG_PARAMETER.name(), "");
            vars.put(IngestConfig.STATE_TABLE.name(), LocalS3Function.STATE_TABLE);
            vars.put(IngestConfig.QUARANTINE_BUCKET.name(), LocalS3Function.QUARANTINE_BUCKET);
            vars.put("AWS_ENDPOINT_URL_DYNAMODB", fromContainer(stack.dynamoDbEndpoint().toString()));
            vars.put("AWS_ENDPOINT_URL_S3", fromContainer(stack.s3Endpoint().toString()));
            vars.put("AWS_REGION", LocalStack.REGION.id());
            vars.put("AWS_ACCESS_KEY_ID", LocalStack.ACCESS_KEY);
            vars.put("AWS_SECRET_ACCESS_KEY", LocalStack.SECRET_KEY);
        }
        return root;
    }

    /** The address of a local endpoint from inside SAM's Docker container. */
    static String fromContainer(String url) {
        return url.replace("://127.0.0.1:", "://" + DOCKER_HOST + ":");
    }

    private static List<String> collections(TableConfig config) {
        TreeSet<String> names = new TreeSet<>();
        config.tables().forEach(t -> names.add(t.collection()));
        return List.copyOf(names);
    }

    private static int port(Options o, String option, int fallback) throws UsageException {
        if (!o.has(option)) {
            return fallback;
        }
        String text = o.value(option).get();
        try {
            int p = Integer.parseInt(text.trim());
            if (p < 0 || p > 65_535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " '" + text + "' must be a port 0-65535");
        }
    }

}
