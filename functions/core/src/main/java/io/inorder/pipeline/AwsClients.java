package io.inorder.pipeline;

import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The AWS SDK clients of a deployed function, built once per container. Credentials, region and endpoints are the
 * SDK's own resolution, never pinned: under SnapStart Lambda hands the function its credentials only through the
 * container credentials endpoint ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI} and
 * {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}), without SnapStart through {@code AWS_ACCESS_KEY_ID} and friends, and the
 * SDK's default chain finds either. One default chain is shared by the clients, so a container fetches its
 * credentials once, not once per client. Endpoints come from the SDK's standard variables
 * ({@code AWS_ENDPOINT_URL_DYNAMODB}, {@code AWS_ENDPOINT_URL_S3}, ..., {@code AWS_ENDPOINT_URL}), which is how
 * {@code inorder serve} and {@code sam local invoke} point the functions at local services. All clients share the
 * JDK-based URL-connection HTTP client (no extra HTTP stack in the deployment jar).
 */
public final class AwsClients {

    /** The SDK's service-specific and global endpoint variables for S3 (AWS SDKs and Tools reference guide). */
    static final String S3_ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_S3";
    static final String GLOBAL_ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL";

    private final Region region;
    private final AwsCredentialsProvider credentials;
    private final SdkHttpClient http;
    private final boolean s3PathStyle;

    private AwsClients(Region region, AwsCredentialsProvider credentials, SdkHttpClient http, boolean s3PathStyle) {
        this.region = region;
        this.credentials = credentials;
        this.http = http;
        this.s3PathStyle = s3PathStyle;
    }

    /**
     * Clients for the function's environment. Fails naming {@code AWS_REGION} when it is missing: Lambda always sets
     * it, and without it the SDK's region chain would go on to probe the EC2 instance metadata service, which a
     * function cannot reach, and only fail seconds later.
     */
    public static AwsClients fromEnvironment(Map<String, String> env) {
        String region = env.get("AWS_REGION");
        if (region == null || region.isBlank()) {
            throw new ConfigurationException("AWS_REGION is not set: Lambda sets it; for local runs set it to the "
                    + "region of the state table and buckets");
        }
        for (String variable : new String[] {S3_ENDPOINT_VARIABLE, GLOBAL_ENDPOINT_VARIABLE,
                "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL_SECRETS_MANAGER",
                "AWS_ENDPOINT_URL_LAMBDA"}) {
            String value = env.get(variable);
            if (value != null && value.isBlank()) {
                // The SDK takes an empty endpoint variable as an endpoint and fails on the first call with a
                // message that names neither the variable nor the fix.
                throw new ConfigurationException(variable + " is set but empty: give it the URL of the service to "
                        + "use (e.g. in events/env.json for sam local invoke) or leave it unset for AWS's own endpoint");
            }
        }
        return new AwsClients(Region.of(region.trim()), DefaultCredentialsProvider.builder().build(),
                UrlConnectionHttpClient.create(), s3EndpointOverridden(env));
    }

    /**
     * Whether S3 is reached through an endpoint the environment names. Such endpoints (S3Proxy behind
     * {@code inorder serve}, reached from SAM's container as {@code host.docker.internal}) serve buckets by path only:
     * a virtual-hosted name like {@code bucket.host.docker.internal} resolves nowhere. AWS's own endpoint keeps the
     * SDK's virtual-hosted addressing.
     */
    static boolean s3EndpointOverridden(Map<String, String> env) {
        return notBlank(env.get(S3_ENDPOINT_VARIABLE)) || notBlank(env.get(GLOBAL_ENDPOINT_VARIABLE));
    }

    private static boolean notBlank(String v) {
        return v != null && !v.isBlank();
    }

    /** The function's region ({@code AWS_REGION}), for the records of synthetic events. */
    public Region region() {
        return region;
    }

    public DynamoDbClient dynamoDb() {
        return DynamoDbClient.builder().credentialsProvider(credentials).httpClient(http).build();
    }

    public S3Client s3() {
        return S3Client.builder().credentialsProvider(credentials).httpClient(http).forcePathStyle(s3PathStyle)
                .build();
    }

    /** The table config from an SSM parameter (decrypted when it is a SecureString). */
    public String parameter(String name) {
        try (SsmClient ssm = SsmClient.builder().credentialsProvider(credentials).httpClient(http).build()) {
            return ssm.getParameter(g -> g.name(name).withDecryption(true)).parameter().value();
        } catch (RuntimeException e) {
            throw new ConfigurationException(IngestConfig.TABLE_CONFIG_PARAMETER.name() + " names SSM parameter '"
                    + name + "', which could not be read: " + e.getMessage(), e);
        }
    }

    /** The SDK's default credentials chain, shared by every client of the container. */
    public AwsCredentialsProvider credentials() {
        return credentials;
    }

    public SdkHttpClient http() {
        return http;
    }
}
