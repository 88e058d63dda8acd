package io.inorder.local;

import io.inorder.emulator.EmulatorSettings;
import io.inorder.pipeline.ConfigurationException;
import io.inorder.pipeline.IngestConfig;
import io.inorder.pipeline.S3KeyPattern;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.profiles.ProfileProperty;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.LambdaClientBuilder;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Where the operations commands ({@code status}, {@code skip}, {@code quarantine}) act: a deployed stack (its ledger
 * table, quarantine and settings read from its S3 function's environment, with the user's AWS credentials), a bare
 * ledger table, or the local stack of {@code inorder serve}. Holds the clients; closing it closes them.
 *
 * <p>The deployed function's environment is the one source of the settings, so the commands see exactly the table,
 * quarantine location and key pattern the functions use. The AWS Region comes from {@code --region}, the environment or
 * the AWS profile ({@link #region}), never from an instance-metadata probe.
 */
final class Deployment implements AutoCloseable {

    static final String OPTIONS_USAGE = """
              where (one of):
                --stack NAME [--region R]   a deployed stack: settings from its function NAME-s3-ingest
                --table T [--region R]      just a ledger table (no quarantine unless --quarantine-bucket B)
                --local                     the stack of 'inorder serve' (DynamoDB 127.0.0.1:8000, S3 :9000,
                                            Write API :3030, settings from its S3 function on :9010); other
                                            ports with --dynamodb-endpoint URL, --s3-endpoint URL,
                                            --write-api-url URL, --lambda-endpoint URL""";

    static final Set<String> VALUED = Set.of("--stack", "--table", "--region", "--quarantine-bucket",
            "--dynamodb-endpoint", "--s3-endpoint", "--write-api-url", "--lambda-endpoint");
    static final Set<String> FLAGS = Set.of("--local");

    /** The options that say where, in the order a printed command repeats them. */
    private static final List<String> WHERE = List.of("--stack", "--table", "--quarantine-bucket", "--local",
            "--region", "--dynamodb-endpoint", "--s3-endpoint", "--write-api-url", "--lambda-endpoint");

    /** Words a shell passes through unchanged. */
    private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

    /** The S3 function's name in a stack (template.yaml: FunctionName ${AWS::StackName}-s3-ingest). */
    static String s3FunctionName(String stack) {
        return stack + "-s3-ingest";
    }

    private final String description;
    private final String options;
    private final Region region;
    private final DynamoDbClient dynamoDb;
    private final S3Client s3;
    private final Map<String, String> environment;

    private Deployment(String description, String options, Region region, DynamoDbClient dynamoDb, S3Client s3,
            Map<String, String> environment) {
        this.description = description;
        this.options = options;
        this.region = region;
        this.dynamoDb = dynamoDb;
        this.s3 = s3;
        this.environment = Map.copyOf(environment);
    }

    /** The deployment the options name; a usage error when they name none, or more than one. */
    static Deployment from(Options o, String usage) throws UsageException {
        return from(o, usage, System.getenv(), ProfileFile::defaultProfileFile);
    }

    static Deployment from(Options o, String usage, Map<String, String> env, Supplier<ProfileFile> profiles)
            throws UsageException {
        int chosen = (o.has("--stack") ? 1 : 0) + (o.has("--table") ? 1 : 0) + (o.flag("--local") ? 1 : 0);
        if (chosen != 1) {
            throw new UsageException("say where: exactly one of --stack NAME, --table T or --local\n" + usage);
        }
        if (o.flag("--local")) {
            Deployment d = local(URI.create(o.value("--dynamodb-endpoint")
                            .orElse("http://127.0.0.1:" + ServeCommand.DEFAULT_DYNAMODB_PORT)),
                    URI.create(o.value("--s3-endpoint").orElse("http://127.0.0.1:" + ServeCommand.DEFAULT_S3_PORT)),
                    o.value("--write-api-url").orElse("http://127.0.0.1:" + ServeCommand.DEFAULT_EMULATOR_PORT),
                    commandOptions(o));
            boolean ownEndpoints = o.has("--dynamodb-endpoint") || o.has("--s3-endpoint") || o.has("--write-api-url");
            if (ownEndpoints && !o.has("--lambda-endpoint")) {
                // Endpoints of an embedded stack (replay, tests): its functions use the embedded layout.
                return d;
            }
            URI lambda = URI.create(o.value("--lambda-endpoint")
                    .orElse("http://127.0.0.1:" + ServeCommand.DEFAULT_SERVICES_PORT));
            Map<String, String> functionEnv;
            try (LambdaClient client = LambdaClient.builder().endpointOverride(lambda).region(LocalStack.REGION)
                    .credentialsProvider(LocalStack.credentials()).httpClient(UrlConnectionHttpClient.create())
                    .build()) {
                // As --stack does: the settings the S3 function really runs with, here as serve deployed it.
                GetFunctionConfigurationResponse f = client.getFunctionConfiguration(g -> g.functionName(
                        s3FunctionName(TemplateStack.STACK_NAME)));
                functionEnv = f.environment() == null ? Map.of() : f.environment().variables();
            } catch (RuntimeException e) {
                d.close();
                throw new UsageException("could not read the S3 function of 'inorder serve' at " + lambda + " ("
                        + e.getMessage() + "); is ./inorder serve running? Other ports: --lambda-endpoint URL");
            }
            return new Deployment("local stack of inorder serve (" + lambda + ")", d.options, d.region, d.dynamoDb, d.s3,
                    functionEnv);
        }
        Region region = region(o, env, profiles);
        AwsCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
        if (o.has("--table")) {
            Map<String, String> tableEnv = new HashMap<>();
            tableEnv.put(IngestConfig.STATE_TABLE.name(), o.value("--table").orElseThrow());
            o.value("--quarantine-bucket").ifPresent(b -> tableEnv.put(IngestConfig.QUARANTINE_BUCKET.name(), b));
            return new Deployment("table " + tableEnv.get(IngestConfig.STATE_TABLE.name()), commandOptions(o), region,
                    aws(DynamoDbClient.builder(), region, credentials), aws(S3Client.builder(), region, credentials),
                    tableEnv);
        }
        String stack = o.value("--stack").orElseThrow();
        String function = s3FunctionName(stack);
        Map<String, String> functionEnv;
        try (LambdaClient lambda = aws(LambdaClient.builder(), region, credentials)) {
            GetFunctionConfigurationResponse f = lambda.getFunctionConfiguration(g -> g.functionName(function));
            functionEnv = new HashMap<>(f.environment() == null ? Map.of() : f.environment().variables());
        } catch (RuntimeException e) {
            throw new UsageException("could not read function " + function + " of stack " + stack + " in "
                    + region.id() + " (" + e.getMessage() + "); check --stack, the region and your AWS credentials");
        }
        return new Deployment("stack " + stack, commandOptions(o), region,
                aws(DynamoDbClient.builder(), region, credentials), aws(S3Client.builder(), region, credentials),
                functionEnv);
    }

    /**
     * The AWS Region of a deployed stack or table: {@code --region}, else {@code AWS_REGION}, else
     * {@code AWS_DEFAULT_REGION} (the AWS CLI's variable, which the SDK alone would not read), else the region of the
     * AWS profile ({@code AWS_PROFILE}, or {@code default}) in the AWS config file. Never instance metadata: off EC2
     * that probe only delays a generic error.
     */
    static Region region(Options o, Map<String, String> env, Supplier<ProfileFile> profiles) throws UsageException {
        Optional<String> given = o.value("--region").or(() -> nonBlank(env.get("AWS_REGION")))
                .or(() -> nonBlank(env.get("AWS_DEFAULT_REGION")));
        if (given.isPresent()) {
            return Region.of(given.get().strip());
        }
        String profile = nonBlank(env.get("AWS_PROFILE")).orElse("default");
        Optional<String> fromProfile;
        try {
            fromProfile = profiles.get().profile(profile).flatMap(p -> p.property(ProfileProperty.REGION))
                    .flatMap(Deployment::nonBlank);
        } catch (RuntimeException e) {
            throw new UsageException("no AWS region: the AWS config file could not be read (" + e.getMessage()
                    + "); pass --region R or set AWS_REGION");
        }
        return Region.of(fromProfile.orElseThrow(() -> new UsageException("no AWS region: pass --region R, or set "
                + "AWS_REGION (or AWS_DEFAULT_REGION), or a region for profile '" + profile + "' in the AWS config "
                + "file (~/.aws/config; AWS_PROFILE picks the profile)")));
    }

    /**
     * The options of {@code o} that say where, as a command line to append to a printed command, so that the command
     * runs against the same deployment when pasted into a shell (values quoted where a shell would split them).
     */
    static String commandOptions(Options o) {
        StringBuilder out = new StringBuilder();
        for (String name : WHERE) {
            if (FLAGS.contains(name) ? o.flag(name) : o.has(name)) {
                out.append(out.length() == 0 ? "" : " ").append(name);
                o.value(name).ifPresent(v -> out.append(' ').append(shellWord(v)));
            }
        }
        return out.toString();
    }

    /** {@code s} as one shell word: unchanged when plain, else single-quoted. */
    static String shellWord(String s) {
        return PLAIN_WORD.matcher(s).matches() ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    private static Optional<String> nonBlank(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s);
    }

    /** The local stack at these endpoints, with the names {@code inorder serve} gives its table and buckets. */
    static Deployment local(URI dynamoDbEndpoint, URI s3Endpoint, String writeApiUrl) {
        return local(dynamoDbEndpoint, s3Endpoint, writeApiUrl, "--local --dynamodb-endpoint "
                + shellWord(dynamoDbEndpoint.toString()) + " --s3-endpoint " + shellWord(s3Endpoint.toString())
                + " --write-api-url " + shellWord(writeApiUrl));
    }

    private static Deployment local(URI dynamoDbEndpoint, URI s3Endpoint, String writeApiUrl, String options) {
        Map<String, String> env = LocalS3Function.environment(writeApiUrl, EmulatorSettings.DEFAULT_API_KEY, null,
                Duration.ofSeconds(Long.parseLong(IngestConfig.FUNCTION_TIMEOUT_SECONDS.defaultValue())));
        DynamoDbClient ddb = DynamoDbClient.builder().endpointOverride(dynamoDbEndpoint).region(LocalStack.REGION)
                .credentialsProvider(LocalStack.credentials()).httpClient(UrlConnectionHttpClient.create()).build();
        S3Client s3 = S3Client.builder().endpointOverride(s3Endpoint).region(LocalStack.REGION).forcePathStyle(true)
                .credentialsProvider(LocalStack.credentials()).httpClient(UrlConnectionHttpClient.create()).build();
        return new Deployment("local stack (" + dynamoDbEndpoint + ")", options, LocalStack.REGION, ddb, s3, env);
    }

    private static <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, C>
            & software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<B, C>, C> C aws(B builder,
            Region region, AwsCredentialsProvider credentials) {
        return builder.region(region).credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /** "stack NAME", "table T" or "local stack (...)": for headings and messages. */
    String description() {
        return description;
    }

    /**
     * The options that selected this deployment, ready to append to a printed command ({@code --stack NAME
     * --region R}, {@code --table T}, {@code --local ...}).
     */
    String commandOptions() {
        return options;
    }

    /** The deployment's AWS Region (the local stack's for {@code --local}). */
    Region region() {
        return region;
    }

    DynamoDbClient dynamoDb() {
        return dynamoDb;
    }

    S3Client s3() {
        return s3;
    }

    /** The functions' environment as far as it is known (all of it for a stack). */
    Map<String, String> environment() {
        return environment;
    }

    String stateTable() {
        return environment.get(IngestConfig.STATE_TABLE.name());
    }

    /** The quarantine bucket, if known. */
    Optional<String> quarantineBucket() {
        return Optional.ofNullable(blankToNull(environment.get(IngestConfig.QUARANTINE_BUCKET.name())));
    }

    String quarantinePrefix() {
        return setting(IngestConfig.QUARANTINE_PREFIX);
    }

    S3KeyPattern keyPattern() {
        try {
            return S3KeyPattern.compile(setting(IngestConfig.S3_KEY_PATTERN));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(IngestConfig.S3_KEY_PATTERN.name() + " of " + description + ": "
                    + e.getMessage(), e);
        }
    }

    long firstSequence() {
        return Long.parseLong(setting(IngestConfig.FIRST_SEQUENCE));
    }

    private String setting(io.inorder.pipeline.Setting s) {
        String v = blankToNull(environment.get(s.name()));
        return v == null ? s.defaultValue() : v;
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v;
    }

    @Override
    public void close() {
        try {
            dynamoDb.close();
        } finally {
            s3.close();
        }
    }
}
