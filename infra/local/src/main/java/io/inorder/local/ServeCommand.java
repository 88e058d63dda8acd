package io.inorder.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.emulator.EmulatorSettings;
import io.inorder.local.lambda.FunctionSpec;
import io.inorder.local.lambda.SamTemplate;
import io.inorder.mapping.TableConfig;
import io.inorder.mapping.TableMapping;
import io.inorder.pipeline.IngestConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code inorder serve}: template.yaml deployed on the embedded local stack and kept running until Ctrl-C, the functions
 * run as Lambda runs them ({@link TemplateStack}): their deployment jars under the runtime interface client, SnapStart
 * init, container credentials only. An object any S3 client uploads under the landing prefix reaches the S3 function
 * as an ObjectCreated notification; the reconciler runs on the template's schedule; the Lambda Invoke API, Secrets
 * Manager and SSM answer on one port. It prints the endpoints, the bucket, the {@code aws} commands to try and the
 * {@code env.json} that points {@code sam local invoke} at it. State lives in memory for as long as it runs.
 */
final class ServeCommand {

    static final String USAGE = """
            usage: inorder serve [--config tables.json] [--msk-topics T1,T2] [--port-dynamodb N] [--port-s3 N]
                                 [--port-emulator N] [--port-services N] [--verbose]
                                 [--lag-ms N] [--latency-ms N] [--latency-per-mib-ms N] [--ready-delay-ms N]
              --config FILE       the table config (the template's TableConfig): creates its workspace and
                                  collections in the emulator and configures the functions with it
              --msk-topics LIST   deploy with MSK, as the template's MskTopics (comma-separated) with a
                                  placeholder MskClusterArn: the MSK function joins the others; no broker
                                  runs here, so invoke it with an MSK event (aws lambda invoke)
              --port-dynamodb N   DynamoDB Local's port (default 8000; 0 = a free one)
              --port-s3 N         S3Proxy's port (default 9000; 0 = a free one)
              --port-emulator N   the Write API emulator's port (default 3030; 0 = a free one)
              --port-services N   Lambda, Secrets Manager and SSM (default 9010; 0 = a free one)
              --verbose           every log line of the functions on stderr (default: warnings and errors)
            %s
            Runs until Ctrl-C; everything it holds is gone when it stops. Needs the deployment jars
            (mvn -B package; ./inorder builds them).""".formatted(String.join("\n", EmulatorTiming.usage(20, true)));

    /** The ports serve listens on unless told otherwise; the operations commands' --local finds it there. */
    static final int DEFAULT_DYNAMODB_PORT = 8000;
    static final int DEFAULT_S3_PORT = 9000;
    static final int DEFAULT_EMULATOR_PORT = 3030;
    static final int DEFAULT_SERVICES_PORT = 9010;

    /** The functions' logical ids in template.yaml, the keys of an env.json. */
    static final String S3_FUNCTION = TemplateStack.S3_FUNCTION;
    static final String MSK_FUNCTION = TemplateStack.MSK_FUNCTION;
    static final String RECONCILER_FUNCTION = TemplateStack.RECONCILER_FUNCTION;
    private static final String DOCKER_HOST = "host.docker.internal";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ServeCommand() { }

    /** A running, deployed stack; closing it stops the functions and every component. */
    record Served(LocalStack stack, TemplateStack deployed, TableConfig config) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            try {
                deployed.close();
            } finally {
                stack.close();
            }
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        // Ctrl-C: let run() close the stack (and end the functions' JVMs), and keep the JVM alive until it has.
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
        Options o = Options.parse(args, Options.union(Set.of("--config", "--msk-topics", "--port-dynamodb",
                "--port-s3", "--port-emulator", "--port-services"), EmulatorTiming.OPTIONS_WITH_READY_DELAY),
                Set.of("--verbose"), USAGE);
        if (o.flag("--help")) {
            out.println(USAGE);
            return 0;
        }
        if (!o.positional().isEmpty()) {
            throw new UsageException("unexpected argument " + o.positional().get(0) + "\n" + USAGE);
        }
        Path configFile = o.value("--config").map(Path::of).orElse(null);
        Ports ports = new Ports(port(o, "--port-dynamodb", DEFAULT_DYNAMODB_PORT),
                port(o, "--port-s3", DEFAULT_S3_PORT), port(o, "--port-emulator", DEFAULT_EMULATOR_PORT),
                port(o, "--port-services", DEFAULT_SERVICES_PORT));
        EmulatorSettings emulator = EmulatorTiming.apply(EmulatorSettings.defaults().withPort(ports.emulator()), o);
        String configText = configFile == null ? null : ReplayCommand.readConfig(configFile);
        List<String> mskTopics = o.value("--msk-topics").map(ServeCommand::topics).orElse(List.of());
        PrintStream functionLogs = o.flag("--verbose") ? err : quietFunctionLogs(err);
        try (Served served = start(projectRoot(), ports, emulator, configText, configFile, mskTopics, functionLogs,
                out)) {
            // As a deployment ends only once its SnapStart versions are published: the first upload then meets
            // initialized functions.
            err.println("inorder serve: publishing the functions (init and SnapStart snapshot) ...");
            served.deployed().lambda().publish();
            served.deployed().startSchedules();
            out.println("Serving until Ctrl-C.");
            out.flush();
            stop.await();
            err.println("inorder serve: stopping; the local state is discarded");
        }
        return 0;
    }

    /** The topics of {@code --msk-topics}; the template's rules refuse an empty one, as they would in AWS. */
    private static List<String> topics(String list) {
        return List.of(list.split(",", -1)).stream().map(String::trim).toList();
    }

    /** The ports of the local stack; 0 picks a free one. */
    record Ports(int dynamoDb, int s3, int emulator, int services) { }

    /** The project checkout: where the wrapper runs from ({@code -Dinorder.root}), else above the working directory. */
    static Path projectRoot() throws UsageException {
        String root = System.getProperty("inorder.root");
        if (root != null && Files.isRegularFile(Path.of(root, "template.yaml"))) {
            return Path.of(root);
        }
        return SamTemplate.findRoot(Path.of("")).orElseThrow(() -> new UsageException("inorder serve deploys "
                + "template.yaml: run it from the project (./inorder serve)"));
    }

    /**
     * Starts the stack on the given ports, deploys the template on it, prints its endpoints, the commands to try and
     * the env.json for sam local to {@code out}, and returns it running; the caller closes it.
     *
     * @param emulator     the emulator's settings: its clock, and the port of {@code ports.emulator()}
     * @param mskTopics    the template's MskTopics, empty for a stack without MSK
     * @param functionLogs where the functions' log lines go (null: dropped)
     */
    static Served start(Path root, Ports ports, EmulatorSettings emulator, String configText, Path configFile,
            List<String> mskTopics, PrintStream functionLogs, PrintStream out) throws Exception {
        TableConfig config = configText == null ? null : TableConfig.parse(configText, String.valueOf(configFile));
        LocalStack stack;
        try {
            stack = DemoCommand.startQuietly(ports.dynamoDb(), ports.s3(), emulator.withPort(ports.emulator()));
        } catch (Exception e) {
            throw new UsageException("could not start the local stack on ports " + ports.dynamoDb() + "/"
                    + ports.s3() + "/" + ports.emulator() + " (" + e.getMessage() + "); choose others with "
                    + "--port-dynamodb, --port-s3, --port-emulator, or 0 for free ones");
        }
        try {
            TemplateStack.Options options = TemplateStack.Options.defaults(root, functionLogs)
                    .withServices(ports.services(), false);
            if (configText != null) {
                options = options.withParameters(Map.of("TableConfig", compact(configText)));
            }
            if (!mskTopics.isEmpty()) {
                options = options.withLocalMsk(mskTopics);
            }
            TemplateStack deployed;
            try {
                deployed = TemplateStack.deploy(stack, options);
            } catch (java.net.BindException e) {
                throw new UsageException("port " + ports.services() + " is taken; choose another with "
                        + "--port-services (0 = a free one)");
            } catch (SamTemplate.RuleViolation e) {
                // The template refused the parameters, as CloudFormation would: say which option to change.
                throw new UsageException(e.getMessage() + " (--msk-topics)");
            }
            print(stack, deployed, config, out);
            return new Served(stack, deployed, config);
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    private static void print(LocalStack stack, TemplateStack deployed, TableConfig config, PrintStream out)
            throws IOException {
        String ddb = stack.dynamoDbEndpoint().toString();
        String s3 = stack.s3Endpoint().toString();
        String services = deployed.services().url().toString();
        String api = stack.emulator().baseUrl().toString();
        String key = stack.emulator().apiKey();
        String bucket = deployed.landingBucket();
        String prefix = deployed.landingPrefix();
        FunctionSpec s3Function = deployed.function(S3_FUNCTION);
        FunctionSpec reconciler = deployed.function(RECONCILER_FUNCTION);
        out.println("inorder serve: template.yaml deployed locally; its state lives in memory until it stops");
        out.println("  functions   " + functionList(deployed));
        boolean snapStart = deployed.lambda().functions().stream().allMatch(FunctionSpec::snapStart);
        out.println("              deployment jars under the Lambda runtime interface client, "
                + (snapStart ? "SnapStart init" : "on-demand init (SnapStart off)") + ", container credentials");
        out.printf("  DynamoDB    %-26s table %s%n", ddb, s3Function.environment().get(IngestConfig.STATE_TABLE.name()));
        out.printf("  S3          %-26s bucket %s: objects under %s notify %s%n", s3, bucket, prefix,
                s3Function.name());
        out.printf("  Lambda      %-26s also Secrets Manager (the API key's secret) and SSM%n", services);
        out.printf("  Write API   %-26s API key %s%s%n", api, key, config == null ? " (no table config: --config)"
                : ", workspace " + config.workspace() + ": " + String.join(", ", collections(config)));
        out.printf("  region      %s; for the aws CLI: AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s%n",
                LocalStack.REGION.id(), LocalStack.ACCESS_KEY, LocalStack.SECRET_KEY);
        out.println();
        out.println("Try, in another shell:");
        out.println("  export AWS_ACCESS_KEY_ID=" + LocalStack.ACCESS_KEY + " AWS_SECRET_ACCESS_KEY="
                + LocalStack.SECRET_KEY + " AWS_DEFAULT_REGION=" + LocalStack.REGION.id());
        TableMapping first = config == null ? null : config.tables().stream()
                .min(java.util.Comparator.comparing(TableMapping::table)).orElse(null);
        String table = first == null ? "shop.orders" : first.table();
        out.println("  aws s3 cp FILE s3://" + bucket + "/" + prefix + table + "_1.json --endpoint-url " + s3);
        out.println("  aws s3 ls s3://" + bucket + "/" + prefix + " --recursive --endpoint-url " + s3);
        out.println("  aws lambda invoke --function-name " + reconciler.name()
                + " --payload fileb://events/schedule-reconcile.json --endpoint-url " + services + " reconcile.json");
        out.println("  ./inorder status --local");
        String ws = config == null ? "commons" : config.workspace();
        String collection = first == null ? "orders" : first.collection();
        out.println("  curl " + api + "/_emulator/ws/" + ws + "/collections/" + collection + "/documents");
        out.println();
        out.println("env.json for sam local invoke --env-vars (as events/env.json; addresses as seen from SAM's "
                + "container):");
        out.println(JSON.writeValueAsString(environment(deployed)));
        out.println("(run sam local with AWS_ACCESS_KEY_ID=" + LocalStack.ACCESS_KEY + " AWS_SECRET_ACCESS_KEY="
                + LocalStack.SECRET_KEY + ": SAM passes your shell's credentials to the function, and the local S3 "
                + "checks them)");
    }

    private static String functionList(TemplateStack deployed) {
        List<String> out = new ArrayList<>();
        for (FunctionSpec f : deployed.lambda().functions()) {
            String what = f.name();
            for (SamTemplate.Schedule s : deployed.schedules()) {
                if (s.function().equals(f.logicalId())) {
                    what += " (" + s.expression() + ")";
                }
            }
            out.add(what);
        }
        return String.join(", ", out);
    }

    /**
     * The env.json for {@code sam local invoke --env-vars}: each function's variables that differ from the template's
     * defaults on this stack — the SDK's endpoint variables, the Write API, the secret, the table config and the
     * names — with addresses as seen from SAM's container ({@code host.docker.internal}). SAM applies only variables
     * the template declares, which is why template.yaml declares the endpoint variables (as AWS::NoValue in AWS).
     */
    static ObjectNode environment(TemplateStack deployed) {
        ObjectNode root = JSON.createObjectNode();
        Map<String, String> endpoints = TemplateStack.endpoints(deployed.stack(),
                deployed.services().url().toString());
        for (FunctionSpec f : deployed.lambda().functions()) {
            ObjectNode vars = root.putObject(f.logicalId());
            endpoints.forEach((k, v) -> vars.put(k, fromContainer(v)));
            for (String name : List.of(IngestConfig.WRITE_API_URL.name(), IngestConfig.API_KEY_SECRET_ARN.name(),
                    IngestConfig.TABLE_CONFIG.name(), IngestConfig.STATE_TABLE.name(),
                    IngestConfig.QUARANTINE_BUCKET.name(), IngestConfig.REDRIVE_FUNCTION.name())) {
                String value = f.environment().get(name);
                if (value != null) {
                    vars.put(name, fromContainer(value));
                }
            }
        }
        return root;
    }

    /** The address of a local endpoint from inside SAM's Docker container. */
    static String fromContainer(String url) {
        return url.replace("://127.0.0.1:", "://" + DOCKER_HOST + ":");
    }

    private static String compact(String json) throws IOException {
        return new ObjectMapper().writeValueAsString(JSON.readTree(json));
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

    /**
     * The functions' log lines worth a user's attention without --verbose: warnings, errors and whatever the runtime
     * prints outside the functions' JSON lines (init and invocation failures); INFO/DEBUG lines, metrics and SLF4J's
     * start-up notice are dropped.
     */
    static PrintStream quietFunctionLogs(PrintStream err) {
        return new PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8) {
            @Override
            public void println(String line) {
                if (line.contains("\"level\":\"INFO\"") || line.contains("\"level\":\"DEBUG\"")
                        || line.contains("{\"_aws\":") || line.contains("] SLF4J: ")) {
                    return;
                }
                super.println(line);
            }
        };
    }
}
