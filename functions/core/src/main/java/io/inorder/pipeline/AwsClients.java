package io.inorder.pipeline;

import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The AWS SDK clients of a deployed function, built once per container the way the SDK's Lambda guidance asks: the
 * region from {@code AWS_REGION} and credentials from the environment set explicitly (no provider-chain probing at
 * cold start), and the JDK-based URL-connection HTTP client shared by all of them.
 */
public final class AwsClients {

    private final Region region;
    private final AwsCredentialsProvider credentials;
    private final SdkHttpClient http;

    private AwsClients(Region region, AwsCredentialsProvider credentials, SdkHttpClient http) {
        this.region = region;
        this.credentials = credentials;
        this.http = http;
    }

    /** Clients for the function's own region; fails naming {@code AWS_REGION} when it is missing. */
    public static AwsClients fromEnvironment(Map<String, String> env) {
        String region = env.get("AWS_REGION");
        if (region == null || region.isBlank()) {
            throw new ConfigurationException("AWS_REGION is not set: Lambda sets it; for local runs set it to the "
                    + "region of the state table and buckets");
        }
        return new AwsClients(Region.of(region), EnvironmentVariableCredentialsProvider.create(),
                UrlConnectionHttpClient.create());
    }

    public Region region() {
        return region;
    }

    public DynamoDbClient dynamoDb() {
        return DynamoDbClient.builder().region(region).credentialsProvider(credentials).httpClient(http).build();
    }

    public S3Client s3() {
        return S3Client.builder().region(region).credentialsProvider(credentials).httpClient(http).build();
    }

    /** The table config from an SSM parameter (decrypted when it is a SecureString). */
    public String parameter(String name) {
        try (SsmClient ssm = SsmClient.builder().region(region).credentialsProvider(credentials).httpClient(http)
                .build()) {
            return ssm.getParameter(g -> g.name(name).withDecryption(true)).parameter().value();
        } catch (RuntimeException e) {
            throw new ConfigurationException(IngestConfig.TABLE_CONFIG_PARAMETER.name() + " names SSM parameter '"
                    + name + "', which could not be read: " + e.getMessage(), e);
        }
    }

    public AwsCredentialsProvider credentials() {
        return credentials;
    }

    public SdkHttpClient http() {
        return http;
    }
}
