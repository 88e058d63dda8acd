package io.inorder.writeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiKeySourceTest {

    @Test
    void localRunsMayTakeTheKeyFromTheEnvironment() {
        ApiKeySource source = ApiKeySource.fromEnvironment(Map.of("ROCKSET_API_KEY", " local-key "));

        assertThat(source.apiKey()).isEqualTo("local-key");
        assertThat(source.describe()).contains("ROCKSET_API_KEY");
        assertThat(source.toString()).doesNotContain("local-key");
    }

    @Test
    void insideLambdaTheEnvironmentKeyIsRefused() {
        assertThatThrownBy(() -> ApiKeySource.fromEnvironment(Map.of("ROCKSET_API_KEY", "k",
                "AWS_LAMBDA_FUNCTION_NAME", "inorder-s3")))
                .isInstanceOf(WriteApiConfigurationException.class)
                .hasMessageContaining("local runs only").hasMessageContaining("ROCKSET_API_KEY_SECRET_ARN")
                .hasMessageNotContaining("=k");
    }

    @Test
    void secretArnWinsAndIsReadLazily() {
        ApiKeySource source = ApiKeySource.fromEnvironment(Map.of("ROCKSET_API_KEY", "k",
                "ROCKSET_API_KEY_SECRET_ARN", "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rockset-AbCdEf"));

        assertThat(source).isInstanceOf(SecretsManagerApiKey.class);
        assertThat(source.describe()).contains("ROCKSET_API_KEY_SECRET_ARN",
                "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rockset-AbCdEf");
    }

    @Test
    void malformedArnNamesTheVariable() {
        assertThatThrownBy(() -> ApiKeySource.fromEnvironment(Map.of("ROCKSET_API_KEY_SECRET_ARN", "rockset-key")))
                .isInstanceOf(WriteApiConfigurationException.class)
                .hasMessageContaining("ROCKSET_API_KEY_SECRET_ARN is not a Secrets Manager ARN");
    }

    @Test
    void noKeyConfiguredNamesBothVariables() {
        assertThatThrownBy(() -> ApiKeySource.fromEnvironment(Map.of()))
                .isInstanceOf(WriteApiConfigurationException.class)
                .hasMessageContaining("ROCKSET_API_KEY_SECRET_ARN").hasMessageContaining("ROCKSET_API_KEY");
    }
}
