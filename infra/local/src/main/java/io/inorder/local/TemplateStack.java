package io.inorder.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.ledger.LedgerTable;
import io.inorder.local.lambda.ExecutionEnvironment;
import io.inorder.local.lambda.FunctionSpec;
import io.inorder.local.lambda.LocalAwsEndpoint;
import io.inorder.local.lambda.LocalLambda;
import io.inorder.local.lambda.SamTemplate;
import io.inorder.mapping.TableConfig;
import io.inorder.mapping.TableMapping;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code template.yaml} deployed on a {@link LocalStack}, run the way Lambda runs it: each function's deployment jar
 * in forked JVMs under the real runtime interface client ({@link LocalLambda}), with the environment the template gives
 * it and the one Lambda gives a SnapStart function (container credentials only, no access-key variables), reaching
 * DynamoDB Local, S3Proxy, and the local Secrets Manager, SSM and Lambda ({@link LocalAwsEndpoint}) through the SDK's
 * standard endpoint variables. Around them, what the deployed stack's wiring does:
 * <ul>
 *   <li>the template's tables and buckets exist, under the names the template gives them;</li>
 *   <li>the Write API key is a Secrets Manager secret, as {@code ApiKeySecretArn} wants;</li>
 *   <li>an object stored in a bucket by any client reaches the function its {@code NotificationConfiguration}
 *       names (the S3 function's {@code live} alias) as an asynchronous {@code ObjectCreated} notification, when
 *       the configuration's event and key filter match — at least once, in no guaranteed order, retried twice on a
 *       function error, as S3 and Lambda deliver them; a notification without the permission S3 checks for it
 *       stops the deployment, as S3 refuses it;</li>
 *   <li>the reconciler runs on the template's schedule (when started), re-driving through the Invoke API;</li>
 *   <li>the MSK function exists only when the parameters configure MSK ({@link Options#withLocalMsk}); no broker
 *       runs here, so the nested stack of Kafka mappings is not created and its events come from the caller.</li>
 * </ul>
 */
public final class TemplateStack implements AutoCloseable {

    public static final String STACK_NAME = "inorder";
    /** The account id SAM CLI gives local runs; AWS's documentation example, which no real account has. */
    public static final String ACCOUNT_ID = "123456789012";
    /** The cluster ARN a local MSK configuration names: a placeholder, no broker behind it. */
    static final String LOCAL_MSK_CLUSTER = "arn:aws:kafka:us-east-1:" + ACCOUNT_ID
            + ":cluster/inorder-local/00000000-0000-0000-0000-000000000000-1";
    static final String API_KEY_SECRET = "inorder/rockset-api-key";
    static final String S3_FUNCTION = "S3IngestFunction";
    static final String MSK_FUNCTION = "MskIngestFunction";
    static final String RECONCILER_FUNCTION = "ReconcilerFunction";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How to deploy: where the project is, template parameters, and how the runtime runs. */
    public record Options(Path projectRoot, Map<String, String> parameters, LocalLambda.Settings runtime,
                          int servicesPort, boolean requireContainerCredentials) {
        public static Options defaults(Path projectRoot, PrintStream logs) {
            return new Options(projectRoot, Map.of(), LocalLambda.Settings.defaults(LocalStack.REGION.id(),
                    ACCOUNT_ID, logs), 0, true);
        }

        public Options withParameters(Map<String, String> more) {
            Map<String, String> p = new HashMap<>(parameters);
            p.putAll(more);
            return new Options(projectRoot, p, runtime, servicesPort, requireContainerCredentials);
        }

        /**
         * MSK configured as a deployment configures it (MskClusterArn and MskTopics, which the template's rules
         * require together), with {@link #LOCAL_MSK_CLUSTER}: the MSK function is deployed.
         */
        public Options withLocalMsk(List<String> topics) {
            return withParameters(Map.of("MskClusterArn", LOCAL_MSK_CLUSTER, "MskTopics", String.join(",", topics)));
        }

        public Options withRuntime(LocalLambda.Settings settings) {
            return new Options(projectRoot, parameters, settings, servicesPort, requireContainerCredentials);
        }

        /** The local services' port, and whether they accept only the container credentials (tests) or any. */
        public Options withServices(int port, boolean onlyContainerCredentials) {
            return new Options(projectRoot, parameters, runtime, port, onlyContainerCredentials);
        }
    }

    private final LocalStack stack;
    private final SamTemplate template;
    private final LocalAwsEndpoint services;
    private final LocalLambda lambda;
    private final Map<String, String> platform;
    private final String apiKeySecretArn;
    private final List<Notification> notificationTargets;
    private final AtomicLong sequencer = new AtomicLong(0x0062A1E5E7B00000L);
    private final AtomicLong notifications = new AtomicLong();
    private ScheduledExecutorService schedules;
    private volatile boolean loseNotifications;

    /** A bucket notification of the template and the deployed function it invokes. */
    private record Notification(SamTemplate.S3Notification configuration, String function) { }

    private TemplateStack(LocalStack stack, SamTemplate template, List<SamTemplate.S3Notification> notifications,
            LocalAwsEndpoint services, LocalLambda lambda, Map<String, String> platform, String apiKeySecretArn) {
        this.stack = stack;
        this.template = template;
        this.services = services;
        this.lambda = lambda;
        this.platform = platform;
        this.apiKeySecretArn = apiKeySecretArn;
        List<Notification> targets = new ArrayList<>();
        for (SamTemplate.S3Notification n : notifications) {
            LocalLambda.Target target = lambda.resolve(n.function(), null).orElseThrow(() ->
                    new IllegalStateException("the notification of bucket " + n.bucket() + " invokes " + n.function()
                            + ", which this stack does not deploy"));
            targets.add(new Notification(n, target.function()));
        }
        this.notificationTargets = List.copyOf(targets);
    }

    /**
     * Deploys the template on {@code stack}: its tables and buckets, the emulator's collections for the table config
     * ({@code TableConfig} parameter), the secret, the functions; S3 notifications flow from then on.
     */
    public static TemplateStack deploy(LocalStack stack, Options options) throws IOException {
        LocalAwsEndpoint services = new LocalAwsEndpoint(options.servicesPort(), LocalStack.ACCESS_KEY,
                LocalStack.SECRET_KEY, LocalStack.REGION.id(), ACCOUNT_ID, options.requireContainerCredentials());
        try {
            String secretArn = services.putSecret(API_KEY_SECRET, stack.emulator().apiKey());
            Map<String, String> parameters = new LinkedHashMap<>();
            parameters.put("WriteApiUrl", stack.emulator().baseUrl().toString());
            parameters.put("ApiKeySecretArn", secretArn);
            parameters.putAll(options.parameters());
            SamTemplate template = SamTemplate.read(options.projectRoot().resolve("template.yaml"), STACK_NAME,
                    LocalStack.REGION.id(), ACCOUNT_ID, parameters, Map.of());
            // Everything the template describes, read (and refused, as CloudFormation or S3 would) before anything
            // is created.
            List<FunctionSpec> functions = template.functions();
            List<SamTemplate.S3Notification> notifications = template.s3Notifications();
            prepare(stack, template);
            Map<String, String> platform = new LinkedHashMap<>();
            platform.put("AWS_REGION", LocalStack.REGION.id());
            platform.put("AWS_DEFAULT_REGION", LocalStack.REGION.id());
            platform.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", services.credentialsUri());
            platform.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", services.authorizationToken());
            platform.putAll(endpoints(stack, services.url().toString()));
            LocalLambda lambda = new LocalLambda(functions, options.runtime(), platform);
            TemplateStack deployed;
            try {
                deployed = new TemplateStack(stack, template, notifications, services, lambda, Map.copyOf(platform),
                        secretArn);
            } catch (RuntimeException e) {
                lambda.close();
                throw e;
            }
            services.serve(lambda);
            stack.onObjectCreated(deployed::objectCreated);
            return deployed;
        } catch (IOException | RuntimeException | Error e) {
            services.close();
            throw e;
        }
    }

    /** The SDK's standard endpoint variables pointing at the local stack ({@code servicesUrl}: SM, SSM, Lambda). */
    static Map<String, String> endpoints(LocalStack stack, String servicesUrl) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("AWS_ENDPOINT_URL_DYNAMODB", stack.dynamoDbEndpoint().toString());
        e.put("AWS_ENDPOINT_URL_S3", stack.s3Endpoint().toString());
        e.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", servicesUrl);
        e.put("AWS_ENDPOINT_URL_SSM", servicesUrl);
        e.put("AWS_ENDPOINT_URL_LAMBDA", servicesUrl);
        return e;
    }

    private static void prepare(LocalStack stack, SamTemplate template) {
        try (DynamoDbClient ddb = stack.dynamoDbClient(); S3Client s3 = stack.s3Client()) {
            for (String table : template.resourcesOfType("AWS::DynamoDB::Table")) {
                LedgerTable.create(ddb, template.physicalName(table).orElseThrow(() -> new IllegalStateException(
                        "table " + table + " has no TableName")));
            }
            for (String bucket : template.resourcesOfType("AWS::S3::Bucket")) {
                LocalS3Function.createBucket(s3, template.physicalName(bucket).orElseThrow(() ->
                        new IllegalStateException("bucket " + bucket + " has no BucketName")));
            }
        }
        String config = template.parameter("TableConfig");
        if (!config.isBlank()) {
            TableConfig tables = TableConfig.parse(config, "the TableConfig parameter");
            for (TableMapping t : tables.tables()) {
                stack.emulator().createCollection(tables.workspace(), t.collection());
            }
        }
    }

    /**
     * While set, S3 "loses" every notification: objects are stored but no function hears of them (the reconciler's
     * job is to find such objects; tests use this to make one, the benchmark to deliver its events itself).
     */
    public void loseNotifications(boolean lose) {
        this.loseNotifications = lose;
    }

    private void objectCreated(ObjectCreatedNotices.Created created) {
        if (loseNotifications) {
            return;
        }
        for (Notification n : notificationTargets) {
            if (n.configuration().matches(created.bucket(), created.eventName(), created.key())) {
                ObjectNode event = JSON.createObjectNode();
                event.putArray("Records").add(LocalS3Function.notificationRecord(new LocalS3Function.Uploaded(
                        created.bucket(), created.key(), created.eTag(), created.size()),
                        sequencer.incrementAndGet(), Instant.now(), created.eventName()));
                notifications.incrementAndGet();
                lambda.invokeAsync(n.function(), event.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** Runs the template's schedules (the reconciler's sweep) from now on, each at its rate. */
    public synchronized void startSchedules() {
        if (schedules != null) {
            return;
        }
        schedules = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "local-schedules");
            t.setDaemon(true);
            return t;
        });
        for (SamTemplate.Schedule s : template.schedules()) {
            long period = s.period().toMillis();
            schedules.scheduleAtFixedRate(() -> lambda.invokeAsync(function(s.function()).name(),
                    scheduledEvent(s.function())), period, period, TimeUnit.MILLISECONDS);
        }
    }

    /** One scheduled event for {@code logicalId}, as EventBridge Scheduler sends it. */
    static byte[] scheduledEvent(String logicalId) {
        ObjectNode e = JSON.createObjectNode();
        e.put("version", "0");
        e.put("id", UUID.randomUUID().toString());
        e.put("detail-type", "Scheduled Event");
        e.put("source", "aws.events");
        e.put("account", ACCOUNT_ID);
        e.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        e.put("region", LocalStack.REGION.id());
        e.putArray("resources").add("arn:aws:events:" + LocalStack.REGION.id() + ":" + ACCOUNT_ID + ":rule/"
                + STACK_NAME + "-" + logicalId + "Sweep");
        e.putObject("detail");
        return e.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Runs the reconciler once now, as its schedule would, and returns its outcome. */
    public ExecutionEnvironment.Result reconcile() {
        return lambda.invoke(function(RECONCILER_FUNCTION).name(), scheduledEvent(RECONCILER_FUNCTION));
    }

    /** The deployed function of a logical id ({@code S3IngestFunction}, ...). */
    public FunctionSpec function(String logicalId) {
        return lambda.byLogicalId(logicalId).orElseThrow(() -> new IllegalArgumentException(logicalId
                + " is not deployed by template.yaml with these parameters"));
    }

    public LocalLambda lambda() {
        return lambda;
    }

    public LocalAwsEndpoint services() {
        return services;
    }

    public LocalStack stack() {
        return stack;
    }

    public SamTemplate template() {
        return template;
    }

    /** The variables Lambda gives every function here (region, credentials endpoint, service endpoints). */
    public Map<String, String> platform() {
        return platform;
    }

    public String apiKeySecretArn() {
        return apiKeySecretArn;
    }

    /** The bucket whose notifications invoke the S3 function. */
    public String landingBucket() {
        return landing().bucket();
    }

    /** The key prefix under which the landing bucket's objects notify the S3 function. */
    public String landingPrefix() {
        return landing().prefix();
    }

    private SamTemplate.S3Notification landing() {
        String s3 = function(S3_FUNCTION).name();
        return notificationTargets.stream().filter(n -> n.function().equals(s3)).findFirst()
                .map(Notification::configuration).orElseThrow(() -> new IllegalStateException("no bucket of "
                        + "template.yaml notifies " + S3_FUNCTION));
    }

    /** ObjectCreated notifications sent to functions so far. */
    public long notifications() {
        return notifications.get();
    }

    /** The template's schedules, for the printout. */
    public List<SamTemplate.Schedule> schedules() {
        return new ArrayList<>(template.schedules());
    }

    /** Waits for every queued asynchronous invocation (notifications, continuations, re-drives) to finish. */
    public void awaitIdle(Duration timeout) {
        lambda.awaitIdle(timeout);
    }

    @Override
    public void close() {
        stack.onObjectCreated(null);
        if (schedules != null) {
            schedules.shutdownNow();
        }
        try {
            lambda.close();
        } finally {
            services.close();
        }
    }
}
