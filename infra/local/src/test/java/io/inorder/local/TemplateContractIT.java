package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.pipeline.IngestConfig;
import io.inorder.pipeline.Setting;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The contract between template.yaml, the built deployment jars, the configuration code, events/ and the README: what
 * `sam deploy` and `sam local invoke` rely on but no schema can check, and what a reviewer of the deployed stack asks
 * (least privilege derived from the code's calls, nothing lost on delete, alarms that reach someone and watch metrics
 * that exist). Runs in `mvn verify`, after the function modules are packaged. template.yaml is plain SAM, read as
 * the SAM transform sees it; its Kafka mappings live in the nested stack msk-topics.yaml, read as CloudFormation
 * creates it ({@link NestedStacks}: the parameters the parent passes, then AWS::LanguageExtensions,
 * {@link LanguageExtensions}). The real tools (cfn-lint, the SAM translator) run in .ci/run.
 */
class TemplateContractIT {

    /** Names the observe package reads (Log.fromEnvironment, Metrics.fromEnvironment), found by recording reads. */
    private static final Set<String> OBSERVE_VARIABLES = observeVariables();

    /**
     * The AWS SDK's endpoint variables: read by the SDK, not by our code. The template declares them (as AWS::NoValue,
     * so AWS never sets them) only for sam local invoke's env.json, which may set declared variables only.
     */
    static final Set<String> SDK_ENDPOINT_VARIABLES = Set.of("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3",
            "AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL_LAMBDA");

    /** Read by IngestConfig but meaningful only to the MSK function, so the other functions must not set them. */
    private static final Set<String> MSK_ONLY = Set.of(IngestConfig.REPORT_BATCH_ITEM_FAILURES.name(),
            IngestConfig.OFFSET_RESET_THRESHOLD.name());
    /** Read by IngestConfig but meaningful only to the reconciler. */
    private static final String RECONCILER_ONLY = IngestConfig.REDRIVE_FUNCTION.name();

    /**
     * Actions IAM cannot scope to a resource (service authorization reference: no resource types); only these may use
     * Resource "*".
     */
    private static final Set<String> UNSCOPABLE_ACTIONS = Set.of("ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs",
            "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups");

    /** What Lambda does with every function's role: writes its logs. */
    private static final Set<String> LOGGING = Set.of("logs:CreateLogStream", "logs:PutLogEvents");

    /** What a Kafka event source mapping does with its function's role (Lambda guide, MSK permissions, IAM auth). */
    private static final Set<String> KAFKA_MAPPING = Set.of("kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers",
            "kafka-cluster:Connect", "kafka-cluster:DescribeClusterDynamicConfiguration", "kafka-cluster:DescribeTopic",
            "kafka-cluster:ReadData", "kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup",
            "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups");

    /** Every alarm notifies the topic the stack uses, whoever made it. */
    private static final String ALARM_TOPIC = "[{\"Fn::If\":[\"HasAlarmTopic\",{\"Ref\":\"AlarmTopicArn\"},"
            + "{\"Ref\":\"AlarmTopic\"}]}]";

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Map<String, Map<String, Set<String>>> CODE_CALLS = new HashMap<>();

    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^!}][^}]*)}");

    private static final String MSK_CLUSTER = "arn:aws:kafka:us-east-1:123456789012:cluster/cdc/abc-1";

    private static Path root;
    /** template.yaml as written, which is what the SAM transform sees. */
    private static JsonNode template;
    /**
     * The Kafka event source mappings its nested stack makes with the parameters' defaults, in the parent's terms (a
     * nested parameter replaced by what template.yaml passes for it), each with the condition of its nested stack.
     */
    private static Map<String, JsonNode> kafkaMappings;

    @BeforeAll
    static void readTemplate() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("template.yaml"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("template.yaml in the project root above " + Path.of("").toAbsolutePath()).isNotNull();
        root = dir;
        template = readYaml(root.resolve("template.yaml"));
        kafkaMappings = kafkaMappings(Map.of());
    }

    /**
     * The published SAM schema (what ../shared/tools/check-template validates against) and tools that know no
     * language extensions read template.yaml as it is: the only loop lives in a nested stack.
     */
    @Test
    void templateYamlIsPlainSamWithItsLoopInANestedStack() throws IOException {
        assertThat(template.path("Transform").asText()).isEqualTo("AWS::Serverless-2016-10-31");
        List<String> loops = new ArrayList<>();
        collectKeys(template, "", loops);
        assertThat(loops).as("Fn::ForEach in template.yaml").noneMatch(k -> k.contains("Fn::ForEach"));
        List<NestedStacks.Nested> nested = NestedStacks.of(root, template, Map.of());
        assertThat(nested).extracting(NestedStacks.Nested::logicalId).containsExactly("MskTopicMappings");
        JsonNode stack = nested.get(0).resource();
        assertThat(stack.path("Properties").path("TemplateURL").asText()).isEqualTo("msk-topics.yaml");
        JsonNode msk = readYaml(root.resolve("msk-topics.yaml"));
        assertThat(msk.path("Transform").asText()).isEqualTo("AWS::LanguageExtensions");
        Set<String> types = new TreeSet<>();
        nested.get(0).template().path("Resources").forEach(r -> types.add(r.path("Type").asText()));
        assertThat(types).as("msk-topics.yaml makes only the mappings").containsExactly(
                "AWS::Lambda::EventSourceMapping");
    }

    /**
     * The nested stack exists exactly when the MSK function does, gets every parameter its template declares and no
     * other, and its loop never runs over a default: the topics always come from MskTopics.
     */
    @Test
    void theKafkaMappingsStackExistsWithTheMskFunctionAndGetsExactlyItsParameters() throws IOException {
        NestedStacks.Nested nested = NestedStacks.of(root, template, Map.of()).get(0);
        assertThat(nested.condition()).as("the nested stack's condition")
                .isEqualTo(template.path("Resources").path("MskIngestFunction").path("Condition").asText())
                .isEqualTo("HasMsk");
        assertThat(nested.resource().path("DeletionPolicy").asText() + nested.resource().path("UpdateReplacePolicy")
                .asText()).as("only mappings: nothing to keep").isEqualTo("DeleteDelete");
        JsonNode declared = readYaml(root.resolve("msk-topics.yaml")).path("Parameters");
        Set<String> names = new TreeSet<>();
        declared.fieldNames().forEachRemaining(names::add);
        Set<String> passed = new TreeSet<>();
        nested.passed().fieldNames().forEachRemaining(passed::add);
        assertThat(passed).as("parameters template.yaml passes msk-topics.yaml").isEqualTo(names);
        declared.fields().forEachRemaining(p -> assertThat(p.getValue().has("Default"))
                .as("msk-topics.yaml " + p.getKey() + " has no default: the parent decides it").isFalse());
        assertThat(nested.passed().path("Topics").toString()).isEqualTo(
                "{\"Fn::Join\":[\",\",{\"Ref\":\"MskTopics\"}]}");
        nested.template().path("Resources").forEach(r -> assertThat(r.has("Condition"))
                .as("a mapping exists exactly when its stack does").isFalse());
    }

    @TestFactory
    Stream<DynamicTest> everyHandlerResolvesInTheJarItsCodeUriNames() {
        return functions().entrySet().stream().map(f -> DynamicTest.dynamicTest(f.getKey(), () -> {
            JsonNode props = f.getValue().path("Properties");
            String codeUri = props.path("CodeUri").asText();
            assertThat(codeUri).as(f.getKey() + " CodeUri").endsWith(".jar").contains("/target/");
            Path jar = root.resolve(codeUri);
            Path module = root.resolve(codeUri.substring(0, codeUri.indexOf("/target/")));
            if (!Files.isDirectory(module)) {
                // The MSK function's module is built on another branch; its template side is still checked below.
                assertThat(f.getKey()).as("only the MSK function may lack its module").isEqualTo("MskIngestFunction");
                return;
            }
            assertThat(jar).as(f.getKey() + ": " + codeUri + " is missing; build it with mvn -B package").exists();
            String[] handler = props.path("Handler").asText().split("::");
            assertThat(handler).as(f.getKey() + " Handler class::method").hasSize(2);
            assertHandler(jar, handler[0], handler[1], eventType(f.getKey()));
            assertLean(jar);
        }));
    }

    @Test
    void theTemplateSetsExactlyTheVariablesTheFunctionsRead() {
        Set<String> settings = new TreeSet<>();
        for (Setting s : IngestConfig.SETTINGS) {
            settings.add(s.name());
        }
        settings.addAll(OBSERVE_VARIABLES);
        settings.addAll(SDK_ENDPOINT_VARIABLES);
        JsonNode globals = template.path("Globals").path("Function");
        functions().forEach((name, f) -> {
            Set<String> set = new TreeSet<>();
            globals.path("Environment").path("Variables").fieldNames().forEachRemaining(set::add);
            f.path("Properties").path("Environment").path("Variables").fieldNames().forEachRemaining(set::add);
            Set<String> expected = new TreeSet<>(settings);
            Class<?> type = eventType(name);
            if (type != KafkaEvent.class) {
                expected.removeAll(MSK_ONLY);
            }
            if (type != ScheduledEvent.class) {
                expected.remove(RECONCILER_ONLY);
            }
            assertThat(set).as(name + " environment variables").isEqualTo(expected);
        });
    }

    @Test
    void theSdkEndpointVariablesAreNeverSetInAws() {
        JsonNode globals = template.path("Globals").path("Function").path("Environment").path("Variables");
        for (String v : SDK_ENDPOINT_VARIABLES) {
            assertThat(globals.path(v).path("Ref").asText()).as(v + " in AWS: removed by AWS::NoValue, so the SDK "
                    + "uses AWS's endpoint (an empty value would be taken as an endpoint)").isEqualTo("AWS::NoValue");
        }
        functions().forEach((name, f) -> assertThat(f.path("Properties").path("Environment").path("Variables")
                .fieldNames()).toIterable().as(name + " must not set an endpoint variable of its own")
                .doesNotContainAnyElementsOf(SDK_ENDPOINT_VARIABLES));
    }

    @Test
    void theReadmeRunbookCoversEveryAlarmTheTemplateRaises() throws IOException {
        String operations = readmeOperations();
        List<String> alarms = new ArrayList<>(alarms().keySet());
        assertThat(alarms).as("alarms in template.yaml").isNotEmpty();
        for (String alarm : alarms) {
            assertThat(operations).as("README Operations has a runbook entry for " + alarm)
                    .contains("### " + alarm);
        }
        java.util.regex.Matcher entries = Pattern.compile("\n### (\\w+Alarm)\\b").matcher(operations);
        while (entries.find()) {
            assertThat(alarms).as("README runbook entry " + entries.group(1) + " names an alarm of the template")
                    .contains(entries.group(1));
        }
    }

    @Test
    void eachFunctionTellsItsCodeTheTimeoutItRunsWith() {
        functions().forEach((name, f) -> {
            JsonNode props = f.path("Properties");
            JsonNode timeout = props.has("Timeout") ? props.get("Timeout")
                    : template.path("Globals").path("Function").path("Timeout");
            JsonNode told = props.path("Environment").path("Variables")
                    .path(IngestConfig.FUNCTION_TIMEOUT_SECONDS.name());
            assertThat(timeout.isMissingNode()).as(name + " Timeout").isFalse();
            assertThat(told).as(name + " FUNCTION_TIMEOUT_SECONDS must be the same value as Timeout")
                    .isEqualTo(timeout);
        });
    }

    @Test
    void everySampleEventDeserializesWithTheRuntimeSerializerOfItsFunction() throws IOException {
        List<Path> events;
        try (Stream<Path> files = Files.list(root.resolve("events"))) {
            events = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        ClassLoader cl = getClass().getClassLoader();
        int checked = 0;
        for (Path p : events) {
            String file = p.getFileName().toString();
            if (file.equals("env.json") || file.equals("tables.json")) {
                // Not events: the sam local environment and the table config the samples are mapped with.
                continue;
            }
            try (InputStream in = Files.newInputStream(p)) {
                if (file.startsWith("s3-")) {
                    S3Event e = LambdaEventSerializers.serializerFor(S3Event.class, cl).fromJson(in);
                    assertThat(e.getRecords()).as(file).isNotEmpty()
                            .allSatisfy(r -> assertThat(r.getS3().getObject().getKey()).isNotBlank());
                } else if (file.startsWith("schedule-")) {
                    ScheduledEvent e = LambdaEventSerializers.serializerFor(ScheduledEvent.class, cl).fromJson(in);
                    assertThat(e.getDetailType()).as(file).isEqualTo("Scheduled Event");
                } else if (file.startsWith("msk-")) {
                    KafkaEvent e = LambdaEventSerializers.serializerFor(KafkaEvent.class, cl).fromJson(in);
                    assertThat(e.getRecords()).as(file).isNotEmpty();
                    e.getRecords().values().forEach(list -> assertThat(list).as(file).isNotEmpty()
                            .allSatisfy(r -> assertThat(r.getTopic()).isNotBlank()));
                } else {
                    fail(file + " names no function: sample events start with s3- (S3IngestFunction), msk- "
                            + "(MskIngestFunction) or schedule- (ReconcilerFunction)");
                }
            }
            checked++;
        }
        assertThat(checked).as("sample events in events/").isGreaterThanOrEqualTo(3);
    }

    @Test
    void envJsonOverridesOnlyVariablesTheTemplateDeclares() throws IOException {
        // sam local invoke --env-vars silently ignores a variable the function does not declare.
        JsonNode env = new com.fasterxml.jackson.databind.ObjectMapper().readTree(root.resolve("events/env.json")
                .toFile());
        JsonNode globals = template.path("Globals").path("Function").path("Environment").path("Variables");
        env.fields().forEachRemaining(e -> {
            JsonNode f = functions().get(e.getKey());
            assertThat(f).as("env.json names function " + e.getKey() + ", which the template lacks").isNotNull();
            JsonNode own = f.path("Properties").path("Environment").path("Variables");
            e.getValue().fieldNames().forEachRemaining(v -> assertThat(globals.has(v) || own.has(v))
                    .as("env.json sets " + v + " for " + e.getKey() + ", which the template does not declare").isTrue());
        });
    }

    @Test
    void everyReferenceNamesSomethingTheTemplateDeclares() throws IOException {
        Set<String> declared = new TreeSet<>();
        template.path("Resources").fieldNames().forEachRemaining(declared::add);
        template.path("Parameters").fieldNames().forEachRemaining(declared::add);
        String alias = template.path("Globals").path("Function").path("AutoPublishAlias").asText("");
        functions().keySet().forEach(f -> declared.add(f + "Alias" + alias)); // SAM's alias for AutoPublishAlias
        Set<String> conditions = new TreeSet<>();
        template.path("Conditions").fieldNames().forEachRemaining(conditions::add);
        List<String> unknown = new ArrayList<>();
        walk(template.path("Resources"), "Resources", declared, conditions, unknown);
        walk(template.path("Outputs"), "Outputs", declared, conditions, unknown);
        walk(template.path("Conditions"), "Conditions", declared, conditions, unknown);
        template.path("Resources").forEach(r -> {
            if (r.has("Condition")) {
                assertThat(conditions).contains(r.get("Condition").asText());
            }
        });
        assertThat(unknown).as("references to undeclared names").isEmpty();
        // The nested template refers only to its own parameters and conditions (its loop variable is expanded).
        for (NestedStacks.Nested n : NestedStacks.of(root, template, Map.of())) {
            Set<String> own = new TreeSet<>();
            n.template().path("Parameters").fieldNames().forEachRemaining(own::add);
            Set<String> ownConditions = new TreeSet<>();
            n.template().path("Conditions").fieldNames().forEachRemaining(ownConditions::add);
            List<String> unknownInNested = new ArrayList<>();
            walk(n.template().path("Resources"), n.logicalId() + ".Resources", own, ownConditions, unknownInNested);
            walk(n.template().path("Conditions"), n.logicalId() + ".Conditions", own, ownConditions,
                    unknownInNested);
            assertThat(unknownInNested).as("references to undeclared names in " + n.logicalId()).isEmpty();
        }
    }

    @Test
    void everyFunctionRunsWithItsOwnRoleThatAttachesNoManagedPolicy() {
        functions().forEach((name, f) -> {
            JsonNode props = f.path("Properties");
            assertThat(props.has("Policies")).as(name + ": no SAM Policies (SAM would make a role with "
                    + "AWSLambdaBasicExecutionRole, logs on *); its Role lists what it may do").isFalse();
            String role = props.path("Role").path("Fn::GetAtt").asText();
            assertThat(role).as(name + " Role: !GetAtt <its role>.Arn").endsWith(".Arn");
            JsonNode r = template.path("Resources").path(role.substring(0, role.indexOf('.')));
            assertThat(r.path("Type").asText()).as(name + " role").isEqualTo("AWS::IAM::Role");
            assertThat(r.path("Properties").has("ManagedPolicyArns")).as(name + " role: managed policies grant on *")
                    .isFalse();
            assertThat(r.path("Condition").asText("")).as(name + " role exists exactly when the function does")
                    .isEqualTo(f.path("Condition").asText(""));
            long users = functions().values().stream().filter(g -> g.path("Properties").path("Role")
                    .equals(props.path("Role"))).count();
            assertThat(users).as(name + ": a role per function, so each grants only its function's calls").isOne();
        });
    }

    /**
     * The actions each role grants are exactly those its function's code calls (found in the deployment jar's
     * bytecode, {@link AwsApiCalls}) plus what Lambda itself does with the role (logs, the on-failure destination, the
     * Kafka mappings). A new SDK call fails here until the template grants it; a grant nobody calls fails too.
     */
    @TestFactory
    Stream<DynamicTest> eachRoleGrantsExactlyTheActionsItsFunctionCalls() {
        return functions().keySet().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            Map<String, Set<String>> calls = codeCalls(name);
            Map<String, String> expected = new TreeMap<>();
            calls.forEach((action, sites) -> expected.put(action, "called by " + sites));
            platformActions(name).forEach((action, why) -> expected.putIfAbsent(action, why));
            Set<String> granted = new TreeSet<>();
            roleStatements(name).forEach(st -> granted.addAll(actions(st)));
            List<String> missing = new ArrayList<>();
            expected.forEach((action, why) -> {
                if (!granted.contains(action)) {
                    missing.add(action + " (" + why + ")");
                }
            });
            Set<String> unused = new TreeSet<>(granted);
            unused.removeAll(expected.keySet());
            assertThat(missing).as(name + ": actions its code or Lambda needs that " + roleOf(name)
                    + " does not grant").isEmpty();
            assertThat(unused).as(name + ": actions " + roleOf(name) + " grants that no code path of the function "
                    + "and no Lambda feature it uses needs").isEmpty();
        }));
    }

    @Test
    void theCallAnalysisFindsTheCallsThePipelineIsKnownToMake() {
        // Anchors for the bytecode analysis itself: calls every reader of the code can point at.
        assertThat(codeCalls("S3IngestFunction")).containsKeys("s3:GetObject", "s3:PutObject", "dynamodb:UpdateItem",
                "lambda:InvokeFunction", "secretsmanager:GetSecretValue", "ssm:GetParameter");
        assertThat(codeCalls("S3IngestFunction").get("s3:GetObject")).anyMatch(site -> site.contains("FileIngest"));
        assertThat(codeCalls("ReconcilerFunction")).containsKeys("s3:ListBucket", "dynamodb:Query")
                .doesNotContainKey("secretsmanager:GetSecretValue");
        // The skip command's transaction (FileLedger.skip) is on no function's path.
        functions().keySet().forEach(f -> assertThat(codeCalls(f)).as(f).doesNotContainKey(
                "dynamodb:ConditionCheckItem"));
    }

    @Test
    void resourcesAreTheStacksOwnAndOnlyUnscopableActionsUseTheWildcard() {
        String bucket = "arn:${AWS::Partition}:s3:::${AWS::StackName}-${AWS::AccountId}-${AWS::Region}-landing";
        String quarantine = template.path("Globals").path("Function").path("Environment").path("Variables")
                .path(IngestConfig.QUARANTINE_PREFIX.name()).asText();
        String functionArn = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:";
        String s3Function = functions().get("S3IngestFunction").path("Properties").path("FunctionName")
                .path("Fn::Sub").asText();
        Map<String, Set<String>> allowed = Map.of(
                "s3:GetObject", Set.of(sub(bucket + "/${LandingPrefix}*")),
                "s3:PutObject", Set.of(sub(bucket + "/" + quarantine + "*")),
                "s3:ListBucket", Set.of(sub(bucket)),
                "dynamodb", Set.of("{\"Fn::GetAtt\":\"StateTable.Arn\"}", sub("${StateTable.Arn}/index/cursors")),
                "secretsmanager", Set.of("{\"Ref\":\"ApiKeySecretArn\"}"),
                "ssm", Set.of(sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
                        + "${TableConfigParameter}")),
                "lambda", Set.of(sub(functionArn + s3Function), sub(functionArn + s3Function + ":*")),
                "sqs", Set.of("{\"Fn::GetAtt\":\"DeadLetterQueue.Arn\"}"),
                "ec2:CreateNetworkInterface", Set.of(sub("arn:${AWS::Partition}:ec2:${AWS::Region}:"
                        + "${AWS::AccountId}:*/*")));
        functions().keySet().forEach(name -> {
            for (JsonNode st : roleStatements(name)) {
                List<String> resources = new ArrayList<>();
                JsonNode r = st.path("Resource");
                (r.isArray() ? r : F.arrayNode().add(r)).forEach(x -> resources.add(x.isTextual() ? x.asText()
                        : x.toString()));
                for (String action : actions(st)) {
                    if (resources.contains("*")) {
                        assertThat(UNSCOPABLE_ACTIONS).as(name + ": Resource \"*\" only for actions IAM cannot scope")
                                .contains(action);
                    }
                    String service = action.substring(0, action.indexOf(':'));
                    if (action.startsWith("logs:")) {
                        assertThat(resources).as(name + " " + action + ": its own log group only").containsExactly(
                                "{\"Fn::GetAtt\":\"" + logGroupOf(name) + ".Arn\"}");
                    }
                    Set<String> scope = allowed.getOrDefault(action, allowed.get(service));
                    if (scope == null && action.equals("ec2:DeleteNetworkInterface")) {
                        scope = allowed.get("ec2:CreateNetworkInterface");
                    }
                    if (scope != null) {
                        assertThat(scope).as(name + " " + action + " resources").containsAll(resources);
                    }
                }
                if (actions(st).contains("s3:ListBucket")) {
                    assertThat(st.path("Condition").path("StringLike").path("s3:prefix").toString())
                            .as(name + ": listing only under the landing prefix").isEqualTo(sub("${LandingPrefix}*"));
                }
            }
        });
    }

    @Test
    void theS3FunctionIsInvokedByTheLandingBucketOnlyUnderTheLandingPrefix() {
        JsonNode resources = template.path("Resources");
        JsonNode bucket = resources.path("LandingBucket");
        JsonNode notification = bucket.path("Properties").path("NotificationConfiguration")
                .path("LambdaConfigurations");
        assertThat(notification).hasSize(1);
        assertThat(notification.get(0).path("Function").path("Ref").asText())
                .isEqualTo("S3IngestFunctionAlias" + alias());
        assertThat(notification.get(0).toString()).contains("{\"Name\":\"prefix\",\"Value\":{\"Ref\":\"LandingPrefix\"}}");
        List<String> permissions = new ArrayList<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::Lambda::Permission")) {
                permissions.add(e.getKey());
                JsonNode p = e.getValue().path("Properties");
                assertThat(p.path("Principal").asText()).isEqualTo("s3.amazonaws.com");
                assertThat(p.path("FunctionName").path("Ref").asText()).isEqualTo("S3IngestFunctionAlias" + alias());
                assertThat(p.path("SourceAccount").path("Ref").asText()).isEqualTo("AWS::AccountId");
                // The bucket's ARN from its name, as the bucket names itself: no reference to the bucket (a cycle).
                assertThat(p.path("SourceArn").path("Fn::Sub").asText()).isEqualTo("arn:${AWS::Partition}:s3:::"
                        + bucket.path("Properties").path("BucketName").path("Fn::Sub").asText());
            }
        });
        assertThat(permissions).as("Lambda permissions").hasSize(1);
        assertThat(bucket.path("DependsOn").asText()).as("S3 checks the permission while saving the notification")
                .isEqualTo(permissions.get(0));
    }

    @Test
    void theSecretArnParameterAcceptsOnlyAFullArn() {
        Pattern arn = Pattern.compile(template.path("Parameters").path("ApiKeySecretArn").path("AllowedPattern")
                .asText());
        assertThat(arn.matcher("arn:aws:secretsmanager:us-east-1:123456789012:secret:inorder/rockset-api-key-AbC12f")
                .matches()).isTrue();
        assertThat(arn.matcher("arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:key-AbC12f")
                .matches()).isTrue();
        // A partial ARN (no random suffix) resolves in the console but is denied by a policy naming the full one.
        assertThat(arn.matcher("arn:aws:secretsmanager:us-east-1:123456789012:secret:inorder/rockset-api-key")
                .matches()).isFalse();
        assertThat(arn.matcher("arn:aws:secretsmanager:us-east-1:123456789012:secret:inorder/key-AbC12f*")
                .matches()).isFalse();
        assertThat(arn.matcher("inorder/rockset-api-key").matches()).isFalse();
    }

    @Test
    void aStackDeleteKeepsTheLedgerTheLandingBucketAndTheDeadLetterQueue() {
        for (String kept : List.of("StateTable", "LandingBucket", "DeadLetterQueue")) {
            JsonNode r = template.path("Resources").path(kept);
            assertThat(r.path("DeletionPolicy").asText()).as(kept + " DeletionPolicy").isEqualTo("Retain");
            assertThat(r.path("UpdateReplacePolicy").asText()).as(kept + " UpdateReplacePolicy").isEqualTo("Retain");
        }
        assertThat(template.path("Resources").path("StateTable").path("Properties").path("DeletionProtectionEnabled")
                .asBoolean()).isTrue();
        JsonNode bucket = template.path("Resources").path("LandingBucket").path("Properties");
        assertThat(bucket.path("VersioningConfiguration").path("Status").asText()).isEqualTo("Enabled");
        assertThat(bucket.path("LifecycleConfiguration").toString()).contains(
                "\"NoncurrentVersionExpiration\":{\"NoncurrentDays\":{\"Ref\":\"NoncurrentVersionDays\"}}");
    }

    /**
     * adopt.yaml imports what a stack delete leaves behind into a new stack of the same name (README "Deploy"): every
     * retained resource, described as template.yaml describes it so that the following `sam deploy` changes nothing
     * it cannot (an index or TTL "added" to a table that has them fails). The bucket's notification is left out: its
     * function does not exist yet; `sam deploy` adds it.
     */
    @Test
    void theAdoptTemplateTakesBackEveryRetainedResourceAsTheTemplateDescribesIt() throws IOException {
        JsonNode adopt = readYaml(root.resolve("adopt.yaml")).path("Resources");
        Set<String> retained = new TreeSet<>();
        template.path("Resources").fields().forEachRemaining(e -> {
            if (e.getValue().path("DeletionPolicy").asText().equals("Retain")) {
                retained.add(e.getKey());
            }
        });
        Set<String> adopted = new TreeSet<>();
        adopt.fieldNames().forEachRemaining(adopted::add);
        assertThat(adopted).as("adopt.yaml resources").isEqualTo(retained);
        for (String name : retained) {
            JsonNode mine = template.path("Resources").path(name);
            JsonNode theirs = adopt.path(name);
            assertThat(theirs.path("Type")).as(name).isEqualTo(mine.path("Type"));
            assertThat(theirs.path("DeletionPolicy").asText() + theirs.path("UpdateReplacePolicy").asText())
                    .as(name + ": kept if the import is rolled back").isEqualTo("RetainRetain");
            if (name.equals("LandingBucket")) {
                assertThat(theirs.path("Properties")).as(name).isEqualTo(F.objectNode()
                        .set("BucketName", mine.path("Properties").path("BucketName")));
            } else {
                assertThat(theirs.path("Properties")).as(name + " properties").isEqualTo(mine.path("Properties"));
            }
        }
    }

    @Test
    void everyFunctionLogsToItsOwnGroupWithRetention() {
        functions().forEach((name, f) -> {
            String group = logGroupOf(name);
            JsonNode g = template.path("Resources").path(group);
            assertThat(g.path("Type").asText()).as(name + " log group").isEqualTo("AWS::Logs::LogGroup");
            assertThat(g.path("Properties").path("RetentionInDays").path("Ref").asText()).as(group + " retention")
                    .isEqualTo("LogRetentionDays");
            // The group Lambda would use, so `sam logs` and the console find it under the function's name.
            assertThat(g.path("Properties").path("LogGroupName").path("Fn::Sub").asText()).as(group + " name")
                    .isEqualTo("/aws/lambda/" + f.path("Properties").path("FunctionName").path("Fn::Sub").asText());
            assertThat(g.path("Condition").asText("")).isEqualTo(f.path("Condition").asText(""));
        });
    }

    @Test
    void eachKafkaTopicGetsItsOwnMappingNamedAfterIt() throws IOException {
        Map<String, JsonNode> mappings = kafkaMappings(Map.of("MskClusterArn", MSK_CLUSTER,
                "MskTopics", "cdc.shop.orders, cdc-shop-customers,cdc_shop_items"));
        Map<String, String> topics = new TreeMap<>();
        mappings.forEach((name, m) -> {
            assertThat(m.path("Properties").path("Topics")).as(name + " topics").hasSize(1);
            assertThat(m.path("Condition").asText()).isEqualTo("HasMsk");
            assertThat(m.path("Properties").path("EventSourceArn").path("Ref").asText()).isEqualTo("MskClusterArn");
            topics.put(name, m.path("Properties").path("Topics").get(0).asText());
        });
        assertThat(topics).containsExactlyInAnyOrderEntriesOf(Map.of(
                "MskTopicMappingcdcshoporders", "cdc.shop.orders",
                "MskTopicMappingcdcshopcustomers", "cdc-shop-customers",
                "MskTopicMappingcdcshopitems", "cdc_shop_items"));
        // By default (no cluster) the stack is not made; its one mapping over MskTopics' default is never created.
        assertThat(kafkaMappings).containsOnlyKeys("MskTopicMappingnone");
        assertThat(kafkaMappings.get("MskTopicMappingnone").path("Condition").asText()).isEqualTo("HasMsk");
        assertThat(template.path("Parameters").path("MskTopics").path("Default").asText()).isEqualTo("none");
    }

    @Test
    void topicsThatDifferOnlyInPunctuationCannotBothBeMapped() {
        assertThatThrownBy(() -> kafkaMappings(Map.of("MskClusterArn", MSK_CLUSTER, "MskTopics",
                "cdc.orders,cdc-orders"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MskTopicMappingcdcorders twice");
    }

    /**
     * A cluster without topics and topics without a cluster stop the deployment (Rules, before anything changes);
     * the mappings, the MSK function and its role exist together.
     */
    @Test
    void clusterAndTopicsComeTogether() {
        JsonNode rules = template.path("Rules");
        assertThat(rules.path("MskNeedsTopics").path("RuleCondition")).isEqualTo(template.path("Conditions")
                .path("HasMsk"));
        assertThat(rules.path("MskNeedsTopics").path("Assertions").toString())
                .contains("{\"Fn::Not\":[{\"Fn::Contains\":[{\"Ref\":\"MskTopics\"},\"none\"]}]}")
                .contains("{\"Fn::Not\":[{\"Fn::Contains\":[{\"Ref\":\"MskTopics\"},\"\"]}]}");
        assertThat(rules.path("TopicsNeedCluster").path("RuleCondition").toString())
                .isEqualTo("{\"Fn::Equals\":[{\"Ref\":\"MskClusterArn\"},\"\"]}");
        assertThat(rules.path("TopicsNeedCluster").path("Assertions").toString())
                .contains("{\"Fn::EachMemberEquals\":[{\"Ref\":\"MskTopics\"},\"none\"]}");
        for (String r : List.of("MskIngestFunction", "MskIngestRole", "MskIngestLogGroup", "MskFunctionErrorsAlarm",
                "MskOffsetLagAlarm", "OffsetResetAlarm")) {
            assertThat(template.path("Resources").path(r).path("Condition").asText()).as(r).isEqualTo("HasMsk");
        }
    }

    /**
     * In provisioned mode (the only one in which Lambda honours an on-failure destination) each mapping sends batches
     * that failed every retry to the dead-letter queue, and the MSK function's role lets it; template.yaml decides the
     * mode once (MskProvisioned) and passes it down.
     */
    @Test
    void failedKafkaBatchesGoToTheDeadLetterQueueInProvisionedModeWhichTheRoleAllows() throws IOException {
        NestedStacks.Nested nested = NestedStacks.of(root, template, Map.of()).get(0);
        JsonNode nestedConditions = readYaml(root.resolve("msk-topics.yaml")).path("Conditions");
        assertThat(kafkaMappings).isNotEmpty();
        kafkaMappings.forEach((name, m) -> {
            JsonNode destination = m.path("Properties").path("DestinationConfig").path("Fn::If");
            assertThat(destination).as(name + " DestinationConfig: !If [<provisioned>, {OnFailure: ...}, "
                    + "!Ref AWS::NoValue]").hasSize(3);
            assertThat(destination.get(1).path("OnFailure").path("Destination").toString()).as(name)
                    .isEqualTo("{\"Fn::GetAtt\":\"DeadLetterQueue.Arn\"}");
            assertThat(destination.get(2).path("Ref").asText()).isEqualTo("AWS::NoValue");
            assertThat(nestedConditions.path(destination.get(0).asText()).toString())
                    .as(name + " destination condition")
                    .isEqualTo("{\"Fn::Equals\":[{\"Ref\":\"Provisioned\"},\"true\"]}");
            assertThat(m.path("Properties").path("ProvisionedPollerConfig").path("Fn::If").get(0))
                    .isEqualTo(destination.get(0));
            assertThat(m.path("Properties").path("FunctionName").path("Ref").asText())
                    .isEqualTo("MskIngestFunctionAlias" + alias());
        });
        assertThat(nested.passed().path("Provisioned").toString())
                .isEqualTo("{\"Fn::If\":[\"MskProvisioned\",\"true\",\"false\"]}");
        boolean granted = false;
        for (JsonNode policy : template.path("Resources").path("MskIngestRole").path("Properties").path("Policies")) {
            for (JsonNode st : policy.path("PolicyDocument").path("Statement")) {
                if (st.path("Fn::If").path(1).path("Action").asText().equals("sqs:SendMessage")) {
                    assertThat(st.path("Fn::If").get(0).asText()).isEqualTo("MskProvisioned");
                    assertThat(st.path("Fn::If").get(1).path("Resource").toString())
                            .isEqualTo("{\"Fn::GetAtt\":\"DeadLetterQueue.Arn\"}");
                    granted = true;
                }
            }
        }
        assertThat(granted).as("MskIngestRole grants sqs:SendMessage under MskProvisioned").isTrue();
    }

    @Test
    void everyAlarmNotifiesTheAlarmTopicWhenItFiresAndWhenItClears() {
        alarms().forEach((name, a) -> {
            assertThat(a.path("Properties").path("AlarmActions").toString()).as(name + " AlarmActions")
                    .isEqualTo(ALARM_TOPIC);
            assertThat(a.path("Properties").path("OKActions").toString()).as(name + " OKActions")
                    .isEqualTo(ALARM_TOPIC);
        });
        // The topic exists exactly when none is given.
        assertThat(template.path("Resources").path("AlarmTopic").path("Condition").asText())
                .isEqualTo("MakesAlarmTopic");
        assertThat(template.path("Conditions").path("MakesAlarmTopic").toString())
                .isEqualTo("{\"Fn::Equals\":[{\"Ref\":\"AlarmTopicArn\"},\"\"]}");
    }

    /**
     * Alarms and dashboard widgets watch metrics the code emits (Metrics.Name, under a service the template gives a
     * function) or AWS metrics of the stack's own functions and queue: a renamed metric cannot leave a silent alarm.
     */
    @Test
    void alarmsAndTheDashboardWatchOnlyMetricsThatExist() {
        Set<String> emitted = new TreeSet<>();
        for (Metrics.Name n : Metrics.Name.values()) {
            emitted.add(n.metric());
        }
        Set<String> services = new TreeSet<>();
        Set<String> functionNames = new TreeSet<>();
        functions().forEach((name, f) -> {
            services.add(f.path("Properties").path("Environment").path("Variables").path("POWERTOOLS_SERVICE_NAME")
                    .asText());
            functionNames.add("{\"Ref\":\"" + name + "\"}");
            functionNames.add(f.path("Properties").path("FunctionName").toString());
        });
        List<List<JsonNode>> watched = new ArrayList<>();
        alarms().forEach((name, a) -> {
            JsonNode p = a.path("Properties");
            if (p.has("MetricName")) {
                watched.add(metric(p.path("Namespace"), p.path("MetricName"), p.path("Dimensions")));
            }
            for (JsonNode m : p.path("Metrics")) {
                JsonNode metric = m.path("MetricStat").path("Metric");
                if (!metric.isMissingNode()) {
                    watched.add(metric(metric.path("Namespace"), metric.path("MetricName"), metric.path("Dimensions")));
                }
            }
        });
        dashboardWidgets().forEach(w -> w.path("properties").path("metrics").forEach(m -> {
            List<JsonNode> parts = new ArrayList<>();
            m.forEach(x -> {
                if (!x.isObject() || x.has("Ref") || x.has("Fn::GetAtt") || x.has("Fn::Sub")) {
                    parts.add(x);
                }
            });
            watched.add(parts);
        }));
        assertThat(watched).as("metrics watched").hasSizeGreaterThan(20);
        for (List<JsonNode> m : watched) {
            String namespace = m.get(0).toString();
            String metric = m.get(1).asText();
            Map<String, String> dims = new TreeMap<>();
            for (int i = 2; i + 1 < m.size(); i += 2) {
                dims.put(m.get(i).asText(), m.get(i + 1).isTextual() ? m.get(i + 1).asText() : m.get(i + 1).toString());
            }
            if (namespace.equals("{\"Ref\":\"MetricsNamespace\"}")) {
                assertThat(emitted).as("metric " + metric + " is one the code emits (Metrics.Name)").contains(metric);
                assertThat(services).as(metric + " dimension service").contains(dims.get("service"));
            } else if (namespace.equals("\"AWS/Lambda\"")) {
                assertThat(functionNames).as("AWS/Lambda " + metric + ": a function of this stack")
                        .contains(dims.get("FunctionName").startsWith("{") ? dims.get("FunctionName")
                                : "\"" + dims.get("FunctionName") + "\"");
            } else {
                assertThat(namespace).isEqualTo("\"AWS/SQS\"");
                assertThat(dims.get("QueueName")).isEqualTo("{\"Fn::GetAtt\":\"DeadLetterQueue.QueueName\"}");
            }
        }
    }

    @Test
    void theReadmeExplainsEveryDashboardWidget() throws IOException {
        String operations = readmeOperations();
        List<String> titles = new ArrayList<>();
        dashboardWidgets().forEach(w -> titles.add(w.path("properties").path("title").asText()));
        assertThat(titles).isNotEmpty();
        for (String title : titles) {
            assertThat(operations).as("README Operations explains the dashboard widget \"" + title + "\"")
                    .contains("**" + title + "**");
        }
    }

    @Test
    void theReconcilerReDrivesThroughTheS3FunctionsAlias() {
        JsonNode r = functions().get("ReconcilerFunction").path("Properties");
        assertThat(r.path("Environment").path("Variables").path(IngestConfig.REDRIVE_FUNCTION.name())
                .path("Ref").asText()).isEqualTo("S3IngestFunctionAlias" + alias());
        assertThat(r.path("Events").path("Sweep").path("Type").asText()).isEqualTo("Schedule");
        // lambda:InvokeFunction on that function and its qualifiers: resourcesAreTheStacksOwn... checks the ARNs.
        assertThat(codeCalls("ReconcilerFunction")).containsKey("lambda:InvokeFunction");
    }

    // ---- helpers ----

    /** The IAM actions the function's code calls, from its deployment jar (see {@link AwsApiCalls}). */
    private static Map<String, Set<String>> codeCalls(String function) {
        return CODE_CALLS.computeIfAbsent(function, f -> {
            JsonNode props = functions().get(f).path("Properties");
            Path jar = root.resolve(props.path("CodeUri").asText());
            assertThat(jar).as(f + ": its deployment jar; build it with mvn -B package").exists();
            return AwsApiCalls.of(jar, props.path("Handler").asText().split("::")[0]);
        });
    }

    /** What Lambda itself does with the function's role, by the features the template gives the function. */
    private static Map<String, String> platformActions(String function) {
        Map<String, String> out = new TreeMap<>();
        LOGGING.forEach(a -> out.put(a, "Lambda writes the function's logs"));
        JsonNode props = functions().get(function).path("Properties");
        if (props.path("EventInvokeConfig").path("DestinationConfig").path("OnFailure").path("Type").asText()
                .equals("SQS")) {
            out.put("sqs:SendMessage", "Lambda delivers failed asynchronous events to the on-failure queue");
        }
        kafkaMappings.values().forEach(r -> {
            if (r.path("Properties").path("FunctionName").path("Ref").asText().equals(function + "Alias" + alias())) {
                KAFKA_MAPPING.forEach(a -> out.put(a, "its Kafka event source mappings read the cluster"));
                if (r.path("Properties").has("DestinationConfig")) {
                    out.put("sqs:SendMessage", "its mappings deliver failed batches to the on-failure queue");
                }
            }
        });
        return out;
    }

    /**
     * The Kafka mappings the nested stacks make with these parameter values, in template.yaml's terms, each carrying
     * its stack's condition.
     */
    private static Map<String, JsonNode> kafkaMappings(Map<String, String> values) throws IOException {
        Map<String, JsonNode> out = new TreeMap<>();
        for (NestedStacks.Nested n : NestedStacks.of(root, template, values)) {
            n.resources("AWS::Lambda::EventSourceMapping").forEach((name, m) -> {
                if (!n.condition().isEmpty()) {
                    ((ObjectNode) m).put("Condition", n.condition());
                }
                assertThat(out.put(name, m)).as("mapping " + name + " in two nested stacks").isNull();
            });
        }
        return out;
    }

    /** Every object key under {@code node}, with its path. */
    private static void collectKeys(JsonNode node, String path, List<String> out) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectKeys(node.get(i), path + "[" + i + "]", out);
            }
        }
        node.fields().forEachRemaining(e -> {
            out.add(path + "." + e.getKey());
            collectKeys(e.getValue(), path + "." + e.getKey(), out);
        });
    }

    private static String roleOf(String function) {
        String role = functions().get(function).path("Properties").path("Role").path("Fn::GetAtt").asText();
        assertThat(role).as(function + " Role: !GetAtt <its own AWS::IAM::Role>.Arn").endsWith(".Arn");
        return role.substring(0, role.indexOf('.'));
    }

    /** The role's statements; a statement under Fn::If counts as granted (it is, under its condition). */
    private static List<JsonNode> roleStatements(String function) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode policy : template.path("Resources").path(roleOf(function)).path("Properties").path("Policies")) {
            for (JsonNode st : policy.path("PolicyDocument").path("Statement")) {
                if (st.has("Fn::If")) {
                    for (int i = 1; i < st.get("Fn::If").size(); i++) {
                        if (st.get("Fn::If").get(i).has("Effect")) {
                            out.add(st.get("Fn::If").get(i));
                        }
                    }
                } else {
                    out.add(st);
                }
            }
        }
        for (JsonNode st : out) {
            assertThat(st.path("Effect").asText()).as(roleOf(function) + " " + st).isEqualTo("Allow");
            assertThat(st.has("NotAction") || st.has("NotResource")).as(roleOf(function) + " " + st).isFalse();
        }
        return out;
    }

    private static List<String> actions(JsonNode statement) {
        List<String> out = new ArrayList<>();
        JsonNode a = statement.path("Action");
        (a.isArray() ? a : F.arrayNode().add(a)).forEach(x -> out.add(x.asText()));
        out.forEach(x -> assertThat(x).as("an action, not a wildcard").doesNotContain("*"));
        return out;
    }

    private static String sub(String text) {
        return F.objectNode().put("Fn::Sub", text).toString();
    }

    private static String logGroupOf(String function) {
        String group = functions().get(function).path("Properties").path("LoggingConfig").path("LogGroup")
                .path("Ref").asText();
        assertThat(group).as(function + " LoggingConfig.LogGroup: !Ref <its log group>").isNotEmpty();
        return group;
    }

    private static String alias() {
        return template.path("Globals").path("Function").path("AutoPublishAlias").asText();
    }

    private static Map<String, JsonNode> alarms() {
        Map<String, JsonNode> out = new TreeMap<>();
        template.path("Resources").fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::CloudWatch::Alarm")) {
                out.put(e.getKey(), e.getValue());
            }
        });
        assertThat(out).as("alarms in template.yaml").isNotEmpty();
        return out;
    }

    /**
     * The dashboard's widgets, from its body (JSON through !Sub; the ${...} placeholders sit inside JSON strings, so
     * it parses as it is). A value that is one placeholder becomes the reference it stands for ("${X}" → Ref X,
     * "${X.Attr}" → GetAtt), one with text around it a Fn::Sub, so widgets compare with the alarms' metrics.
     */
    private static List<JsonNode> dashboardWidgets() {
        List<JsonNode> out = new ArrayList<>();
        template.path("Resources").forEach(r -> {
            if (r.path("Type").asText().equals("AWS::CloudWatch::Dashboard")) {
                try {
                    JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.path("Properties")
                            .path("DashboardBody").path("Fn::Sub").asText());
                    body.path("widgets").forEach(w -> out.add(references(w)));
                } catch (IOException e) {
                    throw new AssertionError("the dashboard body is not JSON: " + e.getMessage(), e);
                }
            }
        });
        assertThat(out).as("dashboard widgets").isNotEmpty();
        return out;
    }

    private static JsonNode references(JsonNode n) {
        if (n.isArray()) {
            ArrayNode a = F.arrayNode();
            n.forEach(x -> a.add(references(x)));
            return a;
        }
        if (n.isObject()) {
            ObjectNode o = F.objectNode();
            n.fields().forEachRemaining(e -> o.set(e.getKey(), references(e.getValue())));
            return o;
        }
        Matcher whole = Pattern.compile("\\$\\{([^}]+)}").matcher(n.asText());
        if (n.isTextual() && whole.matches()) {
            String name = whole.group(1);
            return name.contains(".") && !name.startsWith("AWS::") ? F.objectNode().put("Fn::GetAtt", name)
                    : F.objectNode().put("Ref", name);
        }
        return n.isTextual() && n.asText().contains("${") ? F.objectNode().put("Fn::Sub", n.asText()) : n;
    }

    private static List<JsonNode> metric(JsonNode namespace, JsonNode name, JsonNode dimensions) {
        List<JsonNode> out = new ArrayList<>(List.of(namespace, name));
        dimensions.forEach(d -> {
            out.add(d.path("Name"));
            out.add(d.path("Value"));
        });
        return out;
    }

    private static String readmeOperations() throws IOException {
        String readme = Files.readString(root.resolve("README.md"));
        int start = readme.indexOf("\n## Operations");
        assertThat(start).as("README has an Operations section").isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    private static Map<String, JsonNode> functions() {
        Map<String, JsonNode> out = new java.util.TreeMap<>();
        template.path("Resources").fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::Serverless::Function")) {
                out.put(e.getKey(), e.getValue());
            }
        });
        assertThat(out).as("functions in template.yaml").containsKey("S3IngestFunction");
        return out;
    }

    /**
     * Invoked by a bucket's notification → S3Event; a schedule → ScheduledEvent; invoked by a Kafka event source
     * mapping → KafkaEvent.
     */
    private static Class<?> eventType(String function) {
        JsonNode events = template.path("Resources").path(function).path("Properties").path("Events");
        for (JsonNode e : events) {
            if (e.path("Type").asText().equals("Schedule")) {
                return ScheduledEvent.class;
            }
        }
        for (JsonNode r : template.path("Resources")) {
            for (JsonNode n : r.path("Properties").path("NotificationConfiguration").path("LambdaConfigurations")) {
                if (n.path("Function").path("Ref").asText().equals(function + "Alias" + alias())) {
                    return S3Event.class;
                }
            }
        }
        for (JsonNode r : kafkaMappings.values()) {
            if (r.path("Properties").path("FunctionName").path("Ref").asText().startsWith(function)) {
                assertThat(r.path("Properties").path("Topics")).as(function + " mapping: exactly one topic")
                        .hasSize(1);
                return KafkaEvent.class;
            }
        }
        throw new AssertionError(function + " has no schedule, and no bucket notification or event source mapping "
                + "invokes it");
    }

    private static void assertHandler(Path jar, String className, String method, Class<?> eventType)
            throws Exception {
        try (URLClassLoader cl = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> type = Class.forName(className, false, cl);
            assertThat(type.getClassLoader()).as(className + " comes from " + jar).isSameAs(cl);
            assertThat(Modifier.isPublic(type.getConstructor().getModifiers())).as(className + " no-arg constructor")
                    .isTrue();
            boolean found = false;
            for (Method m : type.getMethods()) {
                if (m.getName().equals(method) && !m.isBridge() && m.getParameterCount() == 2
                        && m.getParameterTypes()[0].getName().equals(eventType.getName())
                        && m.getParameterTypes()[1].getName()
                                .equals("com.amazonaws.services.lambda.runtime.Context")) {
                    found = true;
                }
            }
            assertThat(found).as(className + "::" + method + "(" + eventType.getSimpleName() + ", Context) in " + jar)
                    .isTrue();
            // The classes the handler needs at cold start resolve inside the jar alone.
            Class.forName(className, true, cl);
        }
    }

    /** No test libraries and no HTTP clients the functions do not use (the SDK runs on url-connection-client). */
    private static void assertLean(Path jar) throws IOException {
        List<String> unwanted = List.of("org/junit/", "org/assertj/", "net/jqwik/", "com/amazonaws/services/dynamodbv2/",
                "org/gaul/", "software/amazon/awssdk/http/apache", "software/amazon/awssdk/http/nio/netty",
                "io/netty/", "org/apache/http/", "org/apache/hc/");
        try (JarFile file = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                String entry = e.nextElement().getName();
                for (String prefix : unwanted) {
                    assertThat(entry).as(jar + " must not contain " + prefix).doesNotStartWith(prefix);
                }
            }
            assertThat(file.getEntry("software/amazon/awssdk/http/urlconnection/UrlConnectionHttpClient.class"))
                    .as("the HTTP client the SDK clients use").isNotNull();
        }
    }

    private static void walk(JsonNode node, String path, Set<String> declared, Set<String> conditions,
            List<String> unknown) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), path + "[" + i + "]", declared, conditions, unknown);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        node.fields().forEachRemaining(e -> {
            String key = e.getKey();
            JsonNode v = e.getValue();
            String at = path + "." + key;
            switch (key) {
                case "Ref" -> check(v.asText(), at, declared, unknown);
                case "Fn::GetAtt" -> check(v.isArray() ? v.get(0).asText() : v.asText().split("\\.")[0], at,
                        declared, unknown);
                case "Fn::Sub" -> {
                    String text = v.isArray() ? v.get(0).asText() : v.asText();
                    Set<String> local = new TreeSet<>();
                    if (v.isArray() && v.size() > 1) {
                        v.get(1).fieldNames().forEachRemaining(local::add);
                    }
                    Matcher m = SUB_VARIABLE.matcher(text);
                    while (m.find()) {
                        String name = m.group(1).split("\\.")[0];
                        if (!local.contains(name)) {
                            check(name, at, declared, unknown);
                        }
                    }
                }
                case "Fn::If" -> {
                    if (!conditions.contains(v.get(0).asText())) {
                        unknown.add(at + ": condition " + v.get(0).asText());
                    }
                }
                case "Condition" -> {
                    if (v.isTextual() && !conditions.contains(v.asText())) {
                        unknown.add(at + ": condition " + v.asText());
                    }
                }
                default -> { }
            }
            walk(v, at, declared, conditions, unknown);
        });
    }

    private static void check(String name, String at, Set<String> declared, List<String> unknown) {
        if (!name.startsWith("AWS::") && !declared.contains(name)) {
            unknown.add(at + ": " + name);
        }
    }

    private static Set<String> observeVariables() {
        Set<String> read = new TreeSet<>();
        Map<String, String> recording = new HashMap<>() {
            @Override
            public String get(Object key) {
                read.add(String.valueOf(key));
                return super.get(key);
            }

            @Override
            public String getOrDefault(Object key, String defaultValue) {
                read.add(String.valueOf(key));
                return super.getOrDefault(key, defaultValue);
            }

            @Override
            public boolean containsKey(Object key) {
                read.add(String.valueOf(key));
                return super.containsKey(key);
            }
        };
        Log.fromEnvironment(recording);
        Metrics.fromEnvironment(recording);
        assertThat(read).as("variables the observe package reads").isNotEmpty();
        return read;
    }

    /** template.yaml as a tree with short-form tags in their long forms (the local stack's reader). */
    static JsonNode readYaml(Path file) throws IOException {
        return io.inorder.local.lambda.SamTemplate.readYaml(file);
    }

    @Test
    void shortFormTagsBecomeTheirLongForms() throws IOException {
        Path yaml = Files.createTempFile("tags", ".yaml");
        try {
            Files.writeString(yaml, "a: !Ref X\nb: !GetAtt Q.Arn\nc: !If [C, !Sub 'x-${Y}', [1, 2]]\nd: plain\n");
            JsonNode n = readYaml(yaml);
            assertThat(n.path("a").path("Ref").asText()).isEqualTo("X");
            assertThat(n.path("b").path("Fn::GetAtt").asText()).isEqualTo("Q.Arn");
            assertThat(n.path("c").path("Fn::If").get(1).path("Fn::Sub").asText()).isEqualTo("x-${Y}");
            assertThat(n.path("c").path("Fn::If").get(2)).hasSize(2);
            assertThat(n.path("d").asText()).isEqualTo("plain");
        } finally {
            Files.delete(yaml);
        }
    }
}
