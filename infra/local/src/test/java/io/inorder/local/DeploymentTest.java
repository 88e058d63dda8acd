package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;

/** Where the operations commands act: the AWS Region they use, and the options a printed command repeats. */
class DeploymentTest {

    @TempDir
    Path dir;

    private static Options options(String... args) throws UsageException {
        return Options.parse(args, Options.union(Deployment.VALUED, java.util.Set.of("--stream")),
                Deployment.FLAGS, "usage");
    }

    private Supplier<ProfileFile> config(String text) throws IOException {
        Path file = dir.resolve("config");
        Files.writeString(file, text);
        return () -> ProfileFile.builder().content(file).type(ProfileFile.Type.CONFIGURATION).build();
    }

    @Test
    void theRegionOptionWinsOverTheEnvironmentAndTheProfile() throws Exception {
        Supplier<ProfileFile> profiles = config("[default]\nregion = ap-southeast-2\n");
        assertThat(Deployment.region(options("--stack", "s", "--region", "eu-west-1"),
                Map.of("AWS_REGION", "us-east-2", "AWS_DEFAULT_REGION", "us-west-2"), profiles))
                .isEqualTo(Region.EU_WEST_1);
        assertThat(Deployment.region(options("--stack", "s"),
                Map.of("AWS_REGION", "us-east-2", "AWS_DEFAULT_REGION", "us-west-2"), profiles))
                .isEqualTo(Region.US_EAST_2);
    }

    @Test
    void awsDefaultRegionCountsAsTheAwsCliReadsIt() throws Exception {
        assertThat(Deployment.region(options("--table", "t"), Map.of("AWS_DEFAULT_REGION", "us-west-2"),
                config("[default]\nregion = ap-southeast-2\n"))).isEqualTo(Region.US_WEST_2);
    }

    @Test
    void withoutOptionOrVariableTheRegionComesFromTheChosenProfile() throws Exception {
        Supplier<ProfileFile> profiles = config("[default]\nregion = ap-southeast-2\n\n[profile prod]\n"
                + "region = eu-central-1\n");
        assertThat(Deployment.region(options("--stack", "s"), Map.of(), profiles)).isEqualTo(Region.AP_SOUTHEAST_2);
        assertThat(Deployment.region(options("--stack", "s"), Map.of("AWS_PROFILE", "prod"), profiles))
                .isEqualTo(Region.EU_CENTRAL_1);
    }

    /**
     * No region anywhere: a usage error naming every place a region can come from, at once. The SDK's own chain would
     * probe instance metadata first (seconds off EC2) and then fail with a message naming none of them.
     */
    @Test
    void withoutAnyRegionTheCommandsFailAtOnceNamingWhereToSetOne() throws Exception {
        Supplier<ProfileFile> profiles = config("[profile other]\nregion = eu-west-1\n");
        Instant start = Instant.now();
        assertThatThrownBy(() -> Deployment.from(options("--stack", "inorder"), "usage", Map.of(), profiles))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--region")
                .hasMessageContaining("AWS_REGION")
                .hasMessageContaining("AWS_DEFAULT_REGION")
                .hasMessageContaining("profile 'default'");
        assertThatThrownBy(() -> Deployment.from(options("--table", "t"), "usage", Map.of("AWS_PROFILE", "x"),
                profiles)).isInstanceOf(UsageException.class).hasMessageContaining("profile 'x'");
        assertThat(Duration.between(start, Instant.now())).as("no network probe").isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void printedCommandsRepeatExactlyTheOptionsThatSaidWhere() throws Exception {
        assertThat(Deployment.commandOptions(options("--stream", "x", "--region", "eu-west-1", "--stack", "inorder")))
                .isEqualTo("--stack inorder --region eu-west-1");
        assertThat(Deployment.commandOptions(options("--table", "my ledger", "--quarantine-bucket", "b")))
                .isEqualTo("--table 'my ledger' --quarantine-bucket b");
        assertThat(Deployment.commandOptions(options("--local", "--dynamodb-endpoint", "http://127.0.0.1:8001")))
                .isEqualTo("--local --dynamodb-endpoint http://127.0.0.1:8001");
    }

    @Test
    void valuesAShellWouldSplitOrExpandAreQuoted() {
        assertThat(Deployment.shellWord("inorder-landing/cdc/shop.orders")).isEqualTo("inorder-landing/cdc/shop.orders");
        assertThat(Deployment.shellWord("b/cdc/paste me/t")).isEqualTo("'b/cdc/paste me/t'");
        assertThat(Deployment.shellWord("b/it's$HOME")).isEqualTo("'b/it'\\''s$HOME'");
        assertThat(StatusAndSkipTest.shellWords("x " + Deployment.shellWord("b/it's $HOME *")))
                .containsExactly("x", "b/it's $HOME *");
    }
}
