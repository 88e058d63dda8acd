package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
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
 * The contract between template.yaml, the built deployment jars, the configuration code and events/: what `sam deploy`
 * and `sam local invoke` rely on but no schema can check. Runs in `mvn verify`, after the function modules are packaged.
 * The MSK function is checked fully when its module (functions/msk-ingest) exists; without the module only its
 * template side is checked.
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

    /** Read by IngestConfig but meaningful only to the MSK function, so the S3 function must not set it. */
    private static final String MSK_ONLY = IngestConfig.REPORT_BATCH_ITEM_FAILURES.name();
    /** Read by IngestConfig but meaningful only to the reconciler. */
    private static final String RECONCILER_ONLY = IngestConfig.REDRIVE_FUNCTION.name();

    /** Actions AWS does not let a policy scope to a resource; only these may use Resource "*". */
    private static final Set<String> UNSCOPABLE_ACTIONS = Set.of("ec2:CreateNetworkInterface",
            "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DeleteNetworkInterface", "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups");

    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^!}][^}]*)}");

    private static Path root;
    private static JsonNode template;

    @BeforeAll
    static void readTemplate() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("template.yaml"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("template.yaml in the project root above " + Path.of("").toAbsolutePath()).isNotNull();
        root = dir;
        template = readYaml(root.resolve("template.yaml"));
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
                expected.remove(MSK_ONLY);
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
        String readme = Files.readString(root.resolve("README.md"));
        int start = readme.indexOf("\n## Operations");
        assertThat(start).as("README has an Operations section").isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        String operations = readme.substring(start, end < 0 ? readme.length() : end);
        List<String> alarms = new ArrayList<>();
        template.path("Resources").fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::CloudWatch::Alarm")) {
                alarms.add(e.getKey());
            }
        });
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
    void everyReferenceNamesSomethingTheTemplateDeclares() {
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
    }

    @Test
    void policiesNameOnlyTheirOwnResources() {
        functions().forEach((name, f) -> {
            JsonNode policies = f.path("Properties").path("Policies");
            assertThat(policies.isArray()).as(name + " Policies").isTrue();
            for (JsonNode p : policies) {
                assertThat(p.isObject()).as(name + ": a policy is a template or a statement list, not a managed "
                        + "policy name (those grant on *): " + p).isTrue();
                for (JsonNode st : p.path("Statement")) {
                    JsonNode resource = st.path("Resource");
                    if (resource.isTextual() && resource.asText().equals("*")) {
                        List<String> actions = new ArrayList<>();
                        st.path("Action").forEach(a -> actions.add(a.asText()));
                        if (st.path("Action").isTextual()) {
                            actions.add(st.path("Action").asText());
                        }
                        assertThat(UNSCOPABLE_ACTIONS).as(name + ": Resource \"*\" only for actions AWS cannot scope")
                                .containsAll(actions);
                    }
                }
            }
            String secret = template.path("Globals").path("Function").path("Environment").path("Variables")
                    .path(IngestConfig.API_KEY_SECRET_ARN.name()).toString();
            if (eventType(name) == ScheduledEvent.class) {
                // The reconciler never writes to Rockset: least privilege keeps the API key out of its reach.
                assertThat(policies.findValues("AWSSecretsManagerGetSecretValuePolicy")).as(name + " secret access")
                        .isEmpty();
                return;
            }
            assertThat(policies.findValues("AWSSecretsManagerGetSecretValuePolicy")).as(name + " secret access")
                    .singleElement().satisfies(p -> assertThat(p.path("SecretArn").toString()).isEqualTo(secret));
        });
    }

    @Test
    void theReconcilerReDrivesThroughTheS3FunctionsAliasAndMayInvokeIt() {
        JsonNode r = functions().get("ReconcilerFunction").path("Properties");
        String alias = template.path("Globals").path("Function").path("AutoPublishAlias").asText();
        assertThat(r.path("Environment").path("Variables").path(IngestConfig.REDRIVE_FUNCTION.name())
                .path("Ref").asText()).isEqualTo("S3IngestFunctionAlias" + alias);
        List<String> invokable = new ArrayList<>();
        for (JsonNode p : r.path("Policies")) {
            for (JsonNode st : p.path("Statement")) {
                if (st.path("Action").asText().equals("lambda:InvokeFunction")) {
                    st.path("Resource").forEach(x -> invokable.add(x.path("Fn::Sub").asText()));
                }
            }
        }
        String s3 = functions().get("S3IngestFunction").path("Properties").path("FunctionName").path("Fn::Sub")
                .asText();
        assertThat(invokable).contains("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:" + s3
                + ":*");
        assertThat(r.path("Events").path("Sweep").path("Type").asText()).isEqualTo("Schedule");
    }

    @Test
    void theS3FunctionMayInvokeItselfForItsContinuation() {
        JsonNode f = functions().get("S3IngestFunction").path("Properties");
        String name = f.path("FunctionName").path("Fn::Sub").asText();
        assertThat(name).as("S3IngestFunction FunctionName").isNotEmpty();
        List<String> invokable = new ArrayList<>();
        for (JsonNode p : f.path("Policies")) {
            for (JsonNode st : p.path("Statement")) {
                if (st.path("Action").asText().equals("lambda:InvokeFunction")) {
                    st.path("Resource").forEach(r -> invokable.add(r.path("Fn::Sub").asText()));
                }
            }
        }
        assertThat(invokable).contains(
                "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:" + name,
                "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:" + name + ":*");
    }

    // ---- helpers ----

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

    /** S3 event source → S3Event; a schedule → ScheduledEvent; invoked by a Kafka event source mapping → KafkaEvent. */
    private static Class<?> eventType(String function) {
        JsonNode events = template.path("Resources").path(function).path("Properties").path("Events");
        for (JsonNode e : events) {
            if (e.path("Type").asText().equals("S3")) {
                return S3Event.class;
            }
            if (e.path("Type").asText().equals("Schedule")) {
                return ScheduledEvent.class;
            }
        }
        for (JsonNode r : template.path("Resources")) {
            if (r.path("Type").asText().equals("AWS::Lambda::EventSourceMapping")
                    && r.path("Properties").path("FunctionName").path("Ref").asText().startsWith(function)) {
                assertThat(r.path("Properties").path("Topics")).as(function + " mapping: exactly one topic")
                        .hasSize(1);
                return KafkaEvent.class;
            }
        }
        throw new AssertionError(function + " has no S3 event and no event source mapping invokes it");
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
