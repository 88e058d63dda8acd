package io.inorder.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project's template.yaml as the local deployment reads it, for the parameters a deployment would give: which
 * functions exist, their environment with conditions and AWS::NoValue resolved, SnapStart, the schedule, and the
 * landing bucket's notification with the permission S3 checks for it. The runtime itself: LambdaRuntimeIT.
 */
class SamTemplateTest {

    private static final String REGION = "us-east-1";
    private static final String ACCOUNT = "123456789012";
    private static final String SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:inorder/key-AbCdEf";
    private static final String CLUSTER = "arn:aws:kafka:us-east-1:123456789012:cluster/c/0000-1";
    private static final String S3_ALIAS = "arn:aws:lambda:us-east-1:123456789012:function:inorder-s3-ingest:live";

    @TempDir
    Path dir;

    private static Path template() {
        return SamTemplate.findRoot(Path.of("")).orElseThrow().resolve("template.yaml");
    }

    private static SamTemplate read(Path file, Map<String, String> more) throws IOException {
        Map<String, String> parameters = new HashMap<>(Map.of("WriteApiUrl", "http://127.0.0.1:3030",
                "ApiKeySecretArn", SECRET, "TableConfig", "{\"workspace\":\"w\",\"tables\":{}}"));
        parameters.putAll(more);
        return SamTemplate.read(file, "inorder", REGION, ACCOUNT, parameters, Map.of());
    }

    private static SamTemplate read(Map<String, String> more) throws IOException {
        return read(template(), more);
    }

    private static FunctionSpec function(SamTemplate t, String logicalId) {
        return t.functions().stream().filter(f -> f.logicalId().equals(logicalId)).findFirst().orElseThrow();
    }

    @Test
    void theLandingBucketNotifiesTheS3FunctionsAliasOfObjectsCreatedUnderTheLandingPrefix() throws IOException {
        List<SamTemplate.S3Notification> notifications = read(Map.of()).s3Notifications();

        assertThat(notifications).containsExactly(new SamTemplate.S3Notification(
                "inorder-123456789012-us-east-1-landing", S3_ALIAS, "s3:ObjectCreated:*", "cdc/", ""));
        SamTemplate.S3Notification n = notifications.get(0);
        assertThat(n.matches(n.bucket(), "ObjectCreated:Put", "cdc/shop.orders_1.json")).isTrue();
        assertThat(n.matches(n.bucket(), "ObjectCreated:CompleteMultipartUpload", "cdc/a_1.json")).isTrue();
        assertThat(n.matches(n.bucket(), "ObjectCreated:Put", "quarantine/s3/a.ndjson")).isFalse();
        assertThat(n.matches(n.bucket(), "ObjectRemoved:Delete", "cdc/a_1.json")).isFalse();
        assertThat(n.matches("other-bucket", "ObjectCreated:Put", "cdc/a_1.json")).isFalse();
    }

    @Test
    void theKeyFilterFollowsTheLandingParameters() throws IOException {
        SamTemplate.S3Notification n = read(Map.of("LandingPrefix", "arcion/", "LandingSuffix", ".json"))
                .s3Notifications().get(0);

        assertThat(n.prefix()).isEqualTo("arcion/");
        assertThat(n.suffix()).isEqualTo(".json");
        assertThat(n.matches(n.bucket(), "ObjectCreated:Put", "arcion/shop.orders_1.json")).isTrue();
        assertThat(n.matches(n.bucket(), "ObjectCreated:Put", "arcion/shop.orders_1.csv")).isFalse();
    }

    @Test
    void aNotificationS3MayNotDeliverStopsTheDeploymentAsS3RefusesIt() throws IOException {
        String text = Files.readString(template());
        assertThat(text).contains("Principal: s3.amazonaws.com");
        Path other = Files.writeString(dir.resolve("template.yaml"),
                text.replace("Principal: s3.amazonaws.com", "Principal: sns.amazonaws.com"));

        assertThatThrownBy(() -> read(other, Map.of()).s3Notifications())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("S3 would refuse the notification to " + S3_ALIAS);
    }

    @Test
    void aPermissionForAnotherBucketDoesNotLetThisOneNotify() throws IOException {
        String text = Files.readString(template());
        String arn = "SourceArn: !Sub 'arn:${AWS::Partition}:s3:::${AWS::StackName}-${AWS::AccountId}-${AWS::Region}"
                + "-landing'";
        assertThat(text).contains(arn);
        Path other = Files.writeString(dir.resolve("template.yaml"), text.replace(arn,
                "SourceArn: 'arn:aws:s3:::someone-elses-bucket'"));

        assertThatThrownBy(() -> read(other, Map.of()).s3Notifications())
                .hasMessageContaining("arn:aws:s3:::inorder-123456789012-us-east-1-landing");
    }

    @Test
    void withoutMskTheStackHasTheS3FunctionAndTheReconcilerOnly() throws IOException {
        assertThat(read(Map.of()).functions()).extracting(FunctionSpec::name)
                .containsExactly("inorder-s3-ingest", "inorder-reconciler");
    }

    @Test
    void withAClusterAndTopicsTheMskFunctionIsDeployedInTheModeTheParametersChoose() throws IOException {
        SamTemplate onDemand = read(Map.of("MskClusterArn", CLUSTER, "MskTopics", "a, b",
                "MskReportBatchItemFailures", "true"));
        SamTemplate provisioned = read(Map.of("MskClusterArn", CLUSTER, "MskTopics", "a",
                "MskMinimumPollers", "1", "MskReportBatchItemFailures", "true"));

        assertThat(onDemand.functions()).extracting(FunctionSpec::name)
                .containsExactly("inorder-s3-ingest", "inorder-reconciler", "inorder-msk-ingest");
        assertThat(function(onDemand, "MskIngestFunction").environment())
                .as("partial batch responses only in provisioned mode (MskReportsItemFailures)")
                .containsEntry("REPORT_BATCH_ITEM_FAILURES", "false");
        assertThat(function(provisioned, "MskIngestFunction").environment())
                .containsEntry("REPORT_BATCH_ITEM_FAILURES", "true")
                .containsEntry("FUNCTION_TIMEOUT_SECONDS", "300")
                .containsEntry("POWERTOOLS_SERVICE_NAME", "inorder-msk");
    }

    @Test
    void theRulesRefuseAClusterWithoutTopicsAnEmptyTopicAndTopicsWithoutACluster() {
        assertThatThrownBy(() -> read(Map.of("MskClusterArn", CLUSTER)))
                .isInstanceOf(SamTemplate.RuleViolation.class)
                .hasMessageContaining("MskNeedsTopics").hasMessageContaining("MskTopics names the topics");
        assertThatThrownBy(() -> read(Map.of("MskClusterArn", CLUSTER, "MskTopics", "a,,b")))
                .isInstanceOf(SamTemplate.RuleViolation.class).hasMessageContaining("empty entry");
        assertThatThrownBy(() -> read(Map.of("MskTopics", "a")))
                .isInstanceOf(SamTemplate.RuleViolation.class).hasMessageContaining("TopicsNeedCluster");
    }

    @Test
    void eachFunctionGetsTheGlobalsAndItsOwnVariablesWithConditionsAndNoValueResolved() throws IOException {
        SamTemplate t = read(Map.of());
        FunctionSpec s3 = function(t, "S3IngestFunction");
        FunctionSpec reconciler = function(t, "ReconcilerFunction");

        assertThat(s3.environment())
                .containsEntry("STATE_TABLE", "inorder-state")
                .containsEntry("QUARANTINE_BUCKET", "inorder-123456789012-us-east-1-landing")
                .containsEntry("ROCKSET_API_KEY_SECRET_ARN", SECRET)
                .containsEntry("TABLE_CONFIG_PARAMETER", "")
                .containsEntry("FUNCTION_TIMEOUT_SECONDS", "900")
                .containsEntry("POWERTOOLS_SERVICE_NAME", "inorder-s3")
                .as("AWS::NoValue: the SDK endpoint variables are declared for sam local only")
                .doesNotContainKeys("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_LAMBDA");
        assertThat(s3.timeout()).isEqualTo(Duration.ofSeconds(900));
        assertThat(s3.memoryMb()).isEqualTo(1024);
        assertThat(s3.handler()).isEqualTo("io.inorder.s3.S3IngestHandler::handleRequest");
        assertThat(s3.code()).isEqualTo(template().getParent().toAbsolutePath()
                .resolve("functions/s3-ingest/target/inorder-s3-ingest-lambda.jar"));
        assertThat(reconciler.environment()).containsEntry("REDRIVE_FUNCTION", S3_ALIAS)
                .containsEntry("FUNCTION_TIMEOUT_SECONDS", "120");
        assertThat(reconciler.timeout()).isEqualTo(Duration.ofSeconds(120));
    }

    @Test
    void theSnapStartParameterDecidesHowTheFunctionsInitialize() throws IOException {
        assertThat(read(Map.of()).functions()).allSatisfy(f -> assertThat(f.snapStart()).as(f.name()).isTrue());
        assertThat(read(Map.of("SnapStart", "None")).functions())
                .allSatisfy(f -> assertThat(f.snapStart()).as(f.name()).isFalse());
        assertThat(LocalLambda.initType(function(read(Map.of("SnapStart", "None")), "S3IngestFunction")))
                .isEqualTo(ExecutionEnvironment.InitType.ON_DEMAND);
    }

    @Test
    void theReconcilerRunsOnTheScheduleTheParameterSets() throws IOException {
        assertThat(read(Map.of()).schedules())
                .containsExactly(new SamTemplate.Schedule("ReconcilerFunction", "rate(5 minutes)"));
        SamTemplate.Schedule every15 = read(Map.of("ReconcileMinutes", "15")).schedules().get(0);
        assertThat(every15.period()).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void onlyTheResourcesWhoseConditionHoldsAreCreated() throws IOException {
        assertThat(read(Map.of()).resourcesOfType("AWS::Logs::LogGroup"))
                .containsExactly("S3IngestLogGroup", "ReconcilerLogGroup");
        assertThat(read(Map.of("MskClusterArn", CLUSTER, "MskTopics", "a")).resourcesOfType("AWS::Logs::LogGroup"))
                .containsExactly("S3IngestLogGroup", "ReconcilerLogGroup", "MskIngestLogGroup");
    }
}
