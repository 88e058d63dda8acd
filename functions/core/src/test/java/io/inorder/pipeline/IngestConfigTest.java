package io.inorder.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IngestConfigTest {

    private static final String TABLES = "{\"workspace\":\"commons\",\"tables\":{\"shop.orders\":"
            + "{\"collection\":\"orders\",\"primaryKey\":[\"id\"]}}}";

    private static Map<String, String> minimal() {
        Map<String, String> env = new HashMap<>();
        env.put("WRITE_API_URL", "https://api.usw2a1.rockset.com/");
        env.put("ROCKSET_API_KEY_SECRET_ARN", "arn:aws:secretsmanager:us-west-2:123456789012:secret:rockset-AbCdEf");
        env.put("TABLE_CONFIG", TABLES);
        env.put("STATE_TABLE", "inorder-state");
        env.put("QUARANTINE_BUCKET", "inorder-quarantine");
        return env;
    }

    private static IngestConfig load(Map<String, String> env) {
        return IngestConfig.fromEnvironment(env, name -> {
            throw new AssertionError("no SSM lookup expected");
        });
    }

    @Test
    void minimalEnvironmentGetsTheDocumentedDefaults() {
        IngestConfig c = load(minimal());

        assertThat(c.writeApiUrl().toString()).isEqualTo("https://api.usw2a1.rockset.com");
        assertThat(c.tables().workspace()).isEqualTo("commons");
        assertThat(c.maxRequestBytes()).isEqualTo(10_485_760);
        assertThat(c.maxRequestDocuments()).isEqualTo(20_000);
        assertThat(c.retryBase()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.retryCap()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.firstSequence()).isEqualTo(1);
        assertThat(c.commitCheck()).isEqualTo(IngestConfig.CommitCheck.WAIT);
        assertThat(c.badRecordPolicy()).isEqualTo(IngestConfig.BadRecordPolicy.QUARANTINE);
        assertThat(c.drainSettings().leaseDuration()).isEqualTo(Duration.ofSeconds(960));
        assertThat(c.drainSettings().stopMargin()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.quarantinePrefix()).isEqualTo("quarantine/");
        assertThat(c.keyPattern().regex()).isEqualTo(S3KeyPattern.DEFAULT);
    }

    @Test
    void everyDefaultParsesSoTheDocumentedDefaultsAreValid() {
        Map<String, String> env = minimal();
        for (Setting s : IngestConfig.SETTINGS) {
            if (s.defaultValue() != null) {
                env.put(s.name(), s.defaultValue());
            }
        }

        assertThat(load(env)).isEqualTo(load(minimal()));
    }

    @Test
    void missingRequiredVariableStopsNamingIt() {
        Map<String, String> env = minimal();
        env.remove("STATE_TABLE");

        assertThatThrownBy(() -> load(env)).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("STATE_TABLE is not set");
    }

    @Test
    void missingApiKeySourceNamesBothVariables() {
        Map<String, String> env = minimal();
        env.remove("ROCKSET_API_KEY_SECRET_ARN");

        assertThatThrownBy(() -> load(env)).hasMessageContaining("ROCKSET_API_KEY_SECRET_ARN")
                .hasMessageContaining("ROCKSET_API_KEY");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.attacker.example", "http://127.0.0.1.nip.io:3030", "http://localhost.evil.io",
            "http://127.0.0.1evil.com", "http://10.0.0.1:3030", "http://[::2]:3030", "http://[fe80::1]",
            "http://0x7f.0.0.1", "http://127.000.000.001", "http://2130706433", "http://127.1",
            "http://host.docker.internal:3030"})
    void plainHttpToAHostThatOnlyLooksLocalIsRefused(String url) {
        Map<String, String> env = minimal();
        env.put("WRITE_API_URL", url);

        assertThatThrownBy(() -> load(env)).hasMessageContaining("WRITE_API_URL").hasMessageContaining("https://");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost:3030", "http://LOCALHOST:3030", "http://127.0.0.1:3030",
            "http://127.255.1.9:3030", "http://[::1]:3030", "http://[0:0:0:0:0:0:0:1]:3030"})
    void plainHttpToALoopbackHostIsAllowed(String url) {
        Map<String, String> env = minimal();
        env.put("WRITE_API_URL", url);

        assertThat(load(env).writeApiUrl().getPort()).isEqualTo(3030);
    }

    @Test
    void dockersHostNameIsAllowedOverPlainHttpOnlyUnderSamLocalInvoke() {
        Map<String, String> env = minimal();
        env.put("WRITE_API_URL", "http://host.docker.internal:3030");
        env.put("AWS_SAM_LOCAL", "true");

        assertThat(load(env).writeApiUrl().getHost()).isEqualTo("host.docker.internal");
    }

    @Test
    void plainHttpIsRefusedExceptForLocalhost() {
        Map<String, String> env = minimal();
        env.put("WRITE_API_URL", "http://api.usw2a1.rockset.com");
        assertThatThrownBy(() -> load(env)).hasMessageContaining("WRITE_API_URL").hasMessageContaining("https://");

        env.put("WRITE_API_URL", "http://127.0.0.1:3030");
        assertThat(load(env).writeApiUrl().getPort()).isEqualTo(3030);
    }

    @Test
    void outOfRangeNumbersNameTheVariableAndTheRange() {
        Map<String, String> env = minimal();
        env.put("MAX_REQUEST_BYTES", "20000000");

        assertThatThrownBy(() -> load(env)).hasMessageContaining("MAX_REQUEST_BYTES 20000000 is out of range");
    }

    @Test
    void nonNumbersAndBadChoicesNameTheVariable() {
        Map<String, String> env = minimal();
        env.put("RETRY_BASE_MS", "fast");
        assertThatThrownBy(() -> load(env)).hasMessageContaining("RETRY_BASE_MS 'fast' is not a whole number");

        Map<String, String> env2 = minimal();
        env2.put("COMMIT_CHECK", "sometimes");
        assertThatThrownBy(() -> load(env2)).hasMessageContaining("COMMIT_CHECK 'sometimes' must be one of wait, off");
    }

    @Test
    void badTableConfigNamesTheVariable() {
        Map<String, String> env = minimal();
        env.put("TABLE_CONFIG", "{\"workspace\":\"w\"}");

        assertThatThrownBy(() -> load(env)).hasMessageStartingWith("TABLE_CONFIG: \"tables\" must be");
    }

    @Test
    void tableConfigMayComeFromAnSsmParameterButNotFromBoth() {
        Map<String, String> env = minimal();
        env.put("TABLE_CONFIG_PARAMETER", "inorder/tables");
        assertThatThrownBy(() -> load(env)).hasMessageContaining("exactly one of TABLE_CONFIG");

        env.remove("TABLE_CONFIG");
        IngestConfig c = IngestConfig.fromEnvironment(env, name -> name.equals("inorder/tables") ? TABLES : null);
        assertThat(c.tables().table("shop.orders")).isPresent();
    }

    @Test
    void keyPatternWithoutNamedGroupsIsRefused() {
        Map<String, String> env = minimal();
        env.put("S3_KEY_PATTERN", "^(.+)_(\\d+)$");

        assertThatThrownBy(() -> load(env)).hasMessageStartingWith("S3_KEY_PATTERN: the pattern needs");
    }

    @Test
    void retryCapBelowBaseIsRefused() {
        Map<String, String> env = minimal();
        env.put("RETRY_BASE_MS", "500");
        env.put("RETRY_CAP_MS", "100");

        assertThatThrownBy(() -> load(env)).hasMessageContaining("RETRY_CAP_MS (100) must be at least RETRY_BASE_MS");
    }

    @Test
    void readmeDocumentsEveryVariableWithItsDefault() throws Exception {
        Path readme = Path.of("../../README.md");
        String text = Files.readString(readme);
        for (Setting s : IngestConfig.SETTINGS) {
            assertThat(text).as("README documents %s", s.name()).contains("| `" + s.name() + "` |");
            if (s.defaultValue() != null && !s.name().equals("S3_KEY_PATTERN")) {
                assertThat(text).as("README gives the default of %s", s.name())
                        .contains("| `" + s.name() + "` | `" + s.defaultValue() + "` |");
            }
        }
    }
}
