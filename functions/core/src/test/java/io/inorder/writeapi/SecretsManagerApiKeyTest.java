package io.inorder.writeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inorder.writeapi.ScriptedWriteApi.Answer;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** The real SDK client against a local server speaking the GetSecretValue JSON protocol on 127.0.0.1. */
class SecretsManagerApiKeyTest {

    private static final String ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rockset-key-AbCdEf";

    private ScriptedWriteApi server;

    @AfterEach
    void stop() {
        server.close();
    }

    private SecretsManagerApiKey source(ScriptedWriteApi.Script script) {
        server = new ScriptedWriteApi(script);
        SecretsManagerClient client = SecretsManagerClient.builder()
                .endpointOverride(server.baseUrl())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "s3cr3t")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> c.retryStrategy(RetryMode.STANDARD))
                .build();
        return new SecretsManagerApiKey(client, ARN);
    }

    private static Answer secret(String value) {
        String escaped = value.replace("\\", "\\\\").replace("\"", "\\\"");
        return new Answer(200, Map.of("Content-Type", "application/x-amz-json-1.1"), "{\"ARN\":\"" + ARN
                + "\",\"Name\":\"rockset-key\",\"SecretString\":\"" + escaped + "\",\"VersionId\":\"v1\","
                + "\"VersionStages\":[\"AWSCURRENT\"],\"CreatedDate\":1.7E9}");
    }

    @Test
    void rawSecretIsTheKeyAndIsFetchedOncePerContainer() {
        SecretsManagerApiKey source = source((r, i) -> secret("raw-key-1"));

        assertThat(source.apiKey()).isEqualTo("raw-key-1");
        assertThat(source.apiKey()).isEqualTo("raw-key-1");

        assertThat(server.received()).singleElement().satisfies(r -> {
            assertThat(r.header("X-amz-target")).isEqualTo("secretsmanager.GetSecretValue");
            assertThat(r.json().get("SecretId").asText()).isEqualTo(ARN);
        });
    }

    @Test
    void jsonSecretCarriesTheKeyInApiKey() {
        SecretsManagerApiKey source = source((r, i) -> secret("{\"apiKey\": \"json-key\", \"note\": \"x\"}"));

        assertThat(source.apiKey()).isEqualTo("json-key");
    }

    @Test
    void refreshFetchesTheRotatedKey() {
        SecretsManagerApiKey source = source((r, i) -> secret("key-v" + (i + 1)));
        assertThat(source.apiKey()).isEqualTo("key-v1");

        source.refresh();

        assertThat(source.apiKey()).isEqualTo("key-v2");
        assertThat(server.received()).hasSize(2);
    }

    @Test
    void jsonWithoutApiKeyIsAConfigurationErrorThatDoesNotQuoteTheSecret() {
        SecretsManagerApiKey source = source((r, i) -> secret("{\"key\": \"hidden-value\"}"));

        assertThatThrownBy(source::apiKey).isInstanceOf(WriteApiConfigurationException.class)
                .hasMessageContaining("\"apiKey\"").hasMessageNotContaining("hidden-value");
    }

    @Test
    void missingSecretIsAConfigurationErrorNamingTheArn() {
        SecretsManagerApiKey source = source((r, i) -> new Answer(400, Map.of("Content-Type",
                "application/x-amz-json-1.1"), "{\"__type\":\"ResourceNotFoundException\","
                + "\"message\":\"Secrets Manager can't find the specified secret.\"}"));

        assertThatThrownBy(source::apiKey).isInstanceOf(WriteApiConfigurationException.class)
                .hasMessageContaining(ARN).hasMessageContaining("ResourceNotFoundException")
                .hasMessageContaining("secretsmanager:GetSecretValue");
    }
}
