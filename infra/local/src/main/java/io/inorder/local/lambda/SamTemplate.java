package io.inorder.local.lambda;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The project's {@code template.yaml} as a local deployment sees it: its {@code AWS::Serverless::Function}s with their
 * code ({@code CodeUri}), handler, memory, timeout, SnapStart and environment variables (Globals merged as SAM merges
 * them), their schedules, the buckets' Lambda notifications with the permissions S3 checks for them, the intrinsic
 * functions in them resolved the way CloudFormation would for a stack with the given parameters ({@code Ref}, list
 * parameters as lists, {@code Fn::Sub}, {@code Fn::If} over the template's conditions,
 * {@code Fn::Join}/{@code Select}/{@code Split}/{@code FindInMap}, {@code AWS::NoValue}), resource references
 * resolved to the local stack's names, resources whose {@code Condition} is false left out, and the template's
 * {@code Rules} checked before anything is deployed, as CloudFormation checks them. Whatever it cannot resolve fails
 * naming the resource, the property and the expression, so a template change the local stack does not follow is
 * caught, not silently approximated.
 */
public final class SamTemplate {

    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^!}][^}]*)}");

    private final Path file;
    private final JsonNode template;
    private final String stackName;
    private final String region;
    private final String accountId;
    private final Map<String, String> parameters = new HashMap<>();
    private final Map<String, String> resources;
    private final Map<String, Boolean> conditions = new HashMap<>();

    /**
     * @param parameterOverrides values for the template's parameters (the rest take their defaults)
     * @param resources          the local name of each resource a function's environment refers to, by logical id
     *                           (functions and their {@code live} aliases are named by this class)
     */
    private SamTemplate(Path file, JsonNode template, String stackName, String region, String accountId,
            Map<String, String> parameterOverrides, Map<String, String> resources) {
        this.file = file;
        this.template = template;
        this.stackName = stackName;
        this.region = region;
        this.accountId = accountId;
        this.resources = new HashMap<>(resources);
        template.path("Parameters").fields().forEachRemaining(p -> {
            JsonNode d = p.getValue().get("Default");
            if (d != null) {
                parameters.put(p.getKey(), d.asText());
            }
        });
        parameterOverrides.forEach((k, v) -> {
            if (!template.path("Parameters").has(k)) {
                throw new IllegalArgumentException(file + " has no parameter " + k);
            }
            parameters.put(k, v);
        });
        String alias = template.path("Globals").path("Function").path("AutoPublishAlias").asText("");
        functionResources().forEach((id, f) -> {
            String name = functionName(id, f);
            this.resources.putIfAbsent(id, name);
            if (!alias.isEmpty()) {
                this.resources.putIfAbsent(id + "Alias" + alias, "arn:aws:lambda:" + region + ":" + accountId
                        + ":function:" + name + ":" + alias);
            }
        });
        checkRules();
    }

    /** Parameters a rule of the template refuses: the deployment stops before anything is created. */
    public static final class RuleViolation extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        RuleViolation(String message) {
            super(message);
        }
    }

    /**
     * The template's {@code Rules}, as CloudFormation applies them before it creates or changes anything: each rule
     * whose {@code RuleCondition} holds (or that has none) needs every {@code Assert} true, else the deployment stops
     * with the assertion's description.
     */
    private void checkRules() {
        template.path("Rules").fields().forEachRemaining(rule -> {
            String where = file.getFileName() + " rule " + rule.getKey();
            JsonNode condition = rule.getValue().get("RuleCondition");
            if (condition != null && !eval(condition, where).asBoolean()) {
                return;
            }
            for (JsonNode assertion : rule.getValue().path("Assertions")) {
                if (!eval(assertion.path("Assert"), where).asBoolean()) {
                    throw new RuleViolation(where + " refuses these parameters: "
                            + assertion.path("AssertDescription").asText("(no description)"));
                }
            }
        });
    }

    /** Reads {@code file} as a stack named {@code stackName} in {@code region} of account {@code accountId}. */
    public static SamTemplate read(Path file, String stackName, String region, String accountId,
            Map<String, String> parameterOverrides, Map<String, String> resources) throws IOException {
        return new SamTemplate(file, readYaml(file), stackName, region, accountId, parameterOverrides, resources);
    }

    /** The directory holding {@code template.yaml}, searched from {@code start} upwards. */
    public static Optional<Path> findRoot(Path start) {
        for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("template.yaml"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    public JsonNode tree() {
        return template;
    }

    /** A parameter's value in this stack. */
    public String parameter(String name) {
        String v = parameters.get(name);
        if (v == null) {
            throw new IllegalArgumentException(file + ": parameter " + name + " has no default and no value");
        }
        return v;
    }

    /** Resolves any template expression to text (numbers and booleans as CloudFormation passes them). */
    public String resolve(JsonNode value, String where) {
        JsonNode r = eval(value, where);
        if (r == null) {
            throw new IllegalArgumentException(where + " resolves to AWS::NoValue");
        }
        return r.asText();
    }

    /** The functions this stack deploys, in template order. */
    public List<FunctionSpec> functions() {
        List<FunctionSpec> out = new ArrayList<>();
        JsonNode globals = template.path("Globals").path("Function");
        functionResources().forEach((id, f) -> {
            JsonNode props = f.path("Properties");
            String where = file.getFileName() + " " + id;
            props.path("Events").fields().forEachRemaining(e -> {
                String type = e.getValue().path("Type").asText();
                if (!type.equals("Schedule")) {
                    // S3 notifications are the bucket's (NotificationConfiguration), which SAM would also write for
                    // an S3 event; other sources have no local counterpart, and ignoring one would hide it.
                    throw new IllegalArgumentException(where + " event " + e.getKey() + ": the local stack runs "
                            + "Schedule events only, not " + type + " (S3 notifications: the bucket's "
                            + "NotificationConfiguration and an AWS::Lambda::Permission)");
                }
            });
            Map<String, String> env = new TreeMap<>();
            variables(globals.path("Environment").path("Variables"), where, env);
            variables(props.path("Environment").path("Variables"), where, env);
            JsonNode memory = props.has("MemorySize") ? props.get("MemorySize") : globals.get("MemorySize");
            JsonNode timeout = props.has("Timeout") ? props.get("Timeout") : globals.get("Timeout");
            String codeUri = resolve(props.path("CodeUri"), where + " CodeUri");
            out.add(new FunctionSpec(id, functionName(id, f), resolve(props.path("Handler"), where + " Handler"),
                    file.toAbsolutePath().getParent().resolve(codeUri).normalize(), List.of(),
                    memory == null ? 128 : Integer.parseInt(resolve(memory, where + " MemorySize")),
                    Duration.ofSeconds(timeout == null ? 3 : Long.parseLong(resolve(timeout, where + " Timeout"))),
                    env, snapStart(props, globals, where)));
        });
        return out;
    }

    /**
     * Whether invocations of the function restore from a SnapStart snapshot: {@code SnapStart.ApplyOn} (the
     * function's, else the Globals') is {@code PublishedVersions} and there is a published version to apply it to
     * ({@code AutoPublishAlias}, whose alias every event source of the template invokes).
     */
    private boolean snapStart(JsonNode props, JsonNode globals, String where) {
        JsonNode snapStart = props.has("SnapStart") ? props.get("SnapStart") : globals.get("SnapStart");
        JsonNode alias = props.has("AutoPublishAlias") ? props.get("AutoPublishAlias")
                : globals.get("AutoPublishAlias");
        JsonNode applyOn = snapStart == null ? null : eval(snapStart.path("ApplyOn"), where + " SnapStart.ApplyOn");
        JsonNode published = alias == null ? null : eval(alias, where + " AutoPublishAlias");
        return applyOn != null && applyOn.asText().equals("PublishedVersions") && published != null
                && !published.asText().isEmpty();
    }

    /**
     * One Lambda notification of a bucket ({@code NotificationConfiguration.LambdaConfigurations}): objects of
     * {@code event} ({@code s3:ObjectCreated:*}, ...) whose keys start with {@code prefix} and end with
     * {@code suffix} invoke {@code function} (a name or ARN, with its qualifier, as the template gives it).
     */
    public record S3Notification(String bucket, String function, String event, String prefix, String suffix) {
        /** Whether S3 sends this notification for {@code eventName} ({@code ObjectCreated:Put}, ...) on key. */
        public boolean matches(String bucketName, String eventName, String key) {
            String type = eventName.startsWith("s3:") ? eventName : "s3:" + eventName;
            boolean eventMatches = event.equals(type) || (event.endsWith(":*")
                    && type.startsWith(event.substring(0, event.length() - 1)));
            return bucket.equals(bucketName) && eventMatches && key.startsWith(prefix) && key.endsWith(suffix);
        }
    }

    /**
     * The Lambda notifications of the stack's buckets. S3 refuses a notification configuration whose function does
     * not let S3 invoke it ("Unable to validate the following destination configurations"), so a notification
     * without a matching {@code AWS::Lambda::Permission} (principal {@code s3.amazonaws.com}, the same function and
     * qualifier, and the bucket's ARN and the account if it names them) fails here as the stack would.
     */
    public List<S3Notification> s3Notifications() {
        List<S3Notification> out = new ArrayList<>();
        for (String id : resourcesOfType("AWS::S3::Bucket")) {
            String where = file.getFileName() + " " + id + " NotificationConfiguration";
            JsonNode configurations = eval(template.path("Resources").path(id).path("Properties")
                    .path("NotificationConfiguration").path("LambdaConfigurations"), where);
            if (configurations == null) {
                continue;
            }
            String bucket = physicalName(id).orElseThrow(() -> new IllegalArgumentException(where
                    + ": the bucket has no BucketName"));
            for (JsonNode c : configurations) {
                String prefix = "";
                String suffix = "";
                for (JsonNode rule : c.path("Filter").path("S3Key").path("Rules")) {
                    String name = rule.path("Name").asText();
                    if (name.equalsIgnoreCase("prefix")) {
                        prefix = rule.path("Value").asText();
                    } else if (name.equalsIgnoreCase("suffix")) {
                        suffix = rule.path("Value").asText();
                    } else {
                        throw new IllegalArgumentException(where + ": S3 knows no key filter rule " + name);
                    }
                }
                S3Notification n = new S3Notification(bucket, c.path("Function").asText(), c.path("Event").asText(),
                        prefix, suffix);
                if (!s3MayInvoke(n)) {
                    throw new IllegalArgumentException(where + ": S3 would refuse the notification to " + n.function()
                            + ": no AWS::Lambda::Permission lets s3.amazonaws.com invoke it for arn:aws:s3:::"
                            + bucket + " in account " + accountId);
                }
                out.add(n);
            }
        }
        return out;
    }

    private boolean s3MayInvoke(S3Notification n) {
        Optional<LocalLambda.Target> function = LocalLambda.Target.parse(n.function());
        for (String id : resourcesOfType("AWS::Lambda::Permission")) {
            String where = file.getFileName() + " " + id;
            JsonNode p = eval(template.path("Resources").path(id).path("Properties"), where);
            String action = p.path("Action").asText();
            if (!p.path("Principal").asText().equals("s3.amazonaws.com")
                    || !(action.equals("lambda:InvokeFunction") || action.equals("lambda:*"))
                    || function.isEmpty()
                    || !LocalLambda.Target.parse(p.path("FunctionName").asText()).equals(function)) {
                continue;
            }
            boolean arnMatches = !p.has("SourceArn") || globMatches(p.path("SourceArn").asText(),
                    "arn:aws:s3:::" + n.bucket());
            boolean accountMatches = !p.has("SourceAccount") || p.path("SourceAccount").asText().equals(accountId);
            if (arnMatches && accountMatches) {
                return true;
            }
        }
        return false;
    }

    /** IAM's ArnLike: {@code *} any run of characters, {@code ?} any one. */
    private static boolean globMatches(String pattern, String value) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return value.matches(regex.toString());
    }

    /** The schedule event sources: function and expression ({@code rate(5 minutes)}). */
    public record Schedule(String function, String expression) {
        /** The period of a {@code rate(...)} expression. */
        public Duration period() {
            Matcher m = Pattern.compile("rate\\((\\d+) (minute|minutes|hour|hours|day|days)\\)").matcher(expression);
            if (!m.matches()) {
                throw new IllegalArgumentException("only rate(...) schedules run locally, not " + expression);
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "minute", "minutes" -> Duration.ofMinutes(n);
                case "hour", "hours" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
    }

    public List<Schedule> schedules() {
        List<Schedule> out = new ArrayList<>();
        functionResources().forEach((id, f) -> f.path("Properties").path("Events").fields().forEachRemaining(e -> {
            String where = file.getFileName() + " " + id + " " + e.getKey();
            JsonNode p = e.getValue().path("Properties");
            JsonNode enabled = eval(p.path("Enabled"), where + " Enabled");
            JsonNode state = eval(p.path("State"), where + " State");
            // SAM creates the rule disabled for Enabled: false or State: DISABLED; it then never fires.
            boolean runs = (enabled == null || enabled.asBoolean()) && (state == null
                    || state.asText().equals("ENABLED"));
            if (e.getValue().path("Type").asText().equals("Schedule") && runs) {
                out.add(new Schedule(id, resolve(p.path("Schedule"), where)));
            }
        }));
        return out;
    }

    /**
     * The name a table or bucket is given by its own {@code TableName} or {@code BucketName}: what {@code Ref}
     * returns for it in CloudFormation.
     */
    public Optional<String> physicalName(String logicalId) {
        JsonNode props = template.path("Resources").path(logicalId).path("Properties");
        for (String p : List.of("TableName", "BucketName")) {
            if (props.has(p)) {
                return Optional.of(resolve(props.get(p), file.getFileName() + " " + logicalId + " " + p));
            }
        }
        return Optional.empty();
    }

    /**
     * The logical ids of the resources of a type ({@code AWS::S3::Bucket}, ...) this stack creates (their
     * {@code Condition}, if any, holds), in template order.
     */
    public List<String> resourcesOfType(String type) {
        return new ArrayList<>(resources(type).keySet());
    }

    private Map<String, JsonNode> resources(String type) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        template.path("Resources").fields().forEachRemaining(e -> {
            JsonNode r = e.getValue();
            if (r.path("Type").asText().equals(type)
                    && (!r.has("Condition") || condition(r.get("Condition").asText(), e.getKey()))) {
                out.put(e.getKey(), r);
            }
        });
        return out;
    }

    private Map<String, JsonNode> functionResources() {
        return resources("AWS::Serverless::Function");
    }

    private String functionName(String id, JsonNode f) {
        JsonNode name = f.path("Properties").get("FunctionName");
        // CloudFormation would add a random suffix to a generated name; locally the name stays predictable.
        return name == null ? stackName + "-" + id : resolve(name, file.getFileName() + " " + id + " FunctionName");
    }

    private void variables(JsonNode vars, String where, Map<String, String> into) {
        vars.fields().forEachRemaining(v -> {
            JsonNode r = eval(v.getValue(), where + " variable " + v.getKey());
            if (r == null) {
                into.remove(v.getKey());
            } else {
                into.put(v.getKey(), r.asText());
            }
        });
    }

    private boolean condition(String name, String where) {
        Boolean known = conditions.get(name);
        if (known != null) {
            return known;
        }
        JsonNode c = template.path("Conditions").get(name);
        if (c == null) {
            throw new IllegalArgumentException(where + ": unknown condition " + name);
        }
        boolean value = eval(c, "condition " + name).asBoolean();
        conditions.put(name, value);
        return value;
    }

    /** The value of an expression; null for AWS::NoValue. */
    private JsonNode eval(JsonNode node, String where) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (node == null || node.isMissingNode()) {
            return null;
        }
        if (node.isArray()) {
            ArrayNode a = f.arrayNode();
            for (JsonNode n : node) {
                JsonNode v = eval(n, where);
                if (v != null) {
                    a.add(v);
                }
            }
            return a;
        }
        if (!node.isObject()) {
            return node;
        }
        if (node.size() == 1) {
            String key = node.fieldNames().next();
            JsonNode arg = node.get(key);
            switch (key) {
                case "Ref":
                    return ref(arg.asText(), where);
                case "Fn::Sub":
                    return f.textNode(sub(arg, where));
                case "Fn::If": {
                    boolean c = condition(arg.get(0).asText(), where);
                    return eval(arg.get(c ? 1 : 2), where);
                }
                case "Fn::Equals":
                    return f.booleanNode(eval(arg.get(0), where).asText().equals(eval(arg.get(1), where).asText()));
                case "Fn::Not":
                    return f.booleanNode(!eval(arg.get(0), where).asBoolean());
                case "Fn::And": {
                    boolean all = true;
                    for (JsonNode c : arg) {
                        all &= eval(c, where).asBoolean();
                    }
                    return f.booleanNode(all);
                }
                case "Fn::Or": {
                    boolean any = false;
                    for (JsonNode c : arg) {
                        any |= eval(c, where).asBoolean();
                    }
                    return f.booleanNode(any);
                }
                case "Condition":
                    return f.booleanNode(condition(arg.asText(), where));
                case "Fn::Join": {
                    List<String> parts = new ArrayList<>();
                    eval(arg.get(1), where).forEach(p -> parts.add(p.asText()));
                    return f.textNode(String.join(arg.get(0).asText(), parts));
                }
                case "Fn::Contains": {
                    String value = eval(arg.get(1), where).asText();
                    boolean found = false;
                    for (JsonNode m : eval(arg.get(0), where)) {
                        found |= m.asText().equals(value);
                    }
                    return f.booleanNode(found);
                }
                case "Fn::EachMemberEquals": {
                    String value = eval(arg.get(1), where).asText();
                    boolean all = true;
                    for (JsonNode m : eval(arg.get(0), where)) {
                        all &= m.asText().equals(value);
                    }
                    return f.booleanNode(all);
                }
                case "Fn::EachMemberIn": {
                    List<String> allowed = new ArrayList<>();
                    eval(arg.get(1), where).forEach(a -> allowed.add(a.asText()));
                    boolean all = true;
                    for (JsonNode m : eval(arg.get(0), where)) {
                        all &= allowed.contains(m.asText());
                    }
                    return f.booleanNode(all);
                }
                case "Fn::FindInMap": {
                    String map = eval(arg.get(0), where).asText();
                    String top = eval(arg.get(1), where).asText();
                    String second = eval(arg.get(2), where).asText();
                    JsonNode v = template.path("Mappings").path(map).path(top).get(second);
                    if (v == null) {
                        throw new IllegalArgumentException(where + ": Fn::FindInMap finds no " + map + "/" + top + "/"
                                + second);
                    }
                    return v;
                }
                case "Fn::Select":
                    return eval(arg.get(1), where).get(Integer.parseInt(eval(arg.get(0), where).asText()));
                case "Fn::Split": {
                    ArrayNode a = f.arrayNode();
                    for (String s : eval(arg.get(1), where).asText().split(Pattern.quote(arg.get(0).asText()), -1)) {
                        a.add(s);
                    }
                    return a;
                }
                default:
                    if (key.startsWith("Fn::")) {
                        throw new IllegalArgumentException(where + ": the local stack cannot resolve " + key);
                    }
            }
        }
        ObjectNode o = f.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = eval(e.getValue(), where);
            if (v != null) {
                o.set(e.getKey(), v);
            }
        }
        return o;
    }

    private JsonNode ref(String name, String where) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (name) {
            case "AWS::NoValue":
                return null;
            case "AWS::StackName":
                return f.textNode(stackName);
            case "AWS::Region":
                return f.textNode(region);
            case "AWS::AccountId":
                return f.textNode(accountId);
            case "AWS::Partition":
                return f.textNode("aws");
            case "AWS::URLSuffix":
                return f.textNode("amazonaws.com");
            default:
                break;
        }
        if (template.path("Parameters").has(name)) {
            String type = template.path("Parameters").path(name).path("Type").asText();
            if (!type.equals("CommaDelimitedList") && !type.startsWith("List<")) {
                return f.textNode(parameter(name));
            }
            // A list parameter is a list: its comma-separated members, each with its spaces trimmed.
            ArrayNode members = f.arrayNode();
            for (String m : parameter(name).split(",", -1)) {
                members.add(m.trim());
            }
            return members;
        }
        String resource = resources.get(name);
        if (resource != null) {
            return f.textNode(resource);
        }
        Optional<String> named = physicalName(name);
        if (named.isPresent()) {
            return f.textNode(named.get());
        }
        throw new IllegalArgumentException(where + ": Ref " + name + " names a resource the local stack has no name "
                + "for");
    }

    private String sub(JsonNode arg, String where) {
        String text = arg.isArray() ? arg.get(0).asText() : arg.asText();
        Map<String, String> local = new HashMap<>();
        if (arg.isArray() && arg.size() > 1) {
            arg.get(1).fields().forEachRemaining(e -> local.put(e.getKey(), resolve(e.getValue(), where)));
        }
        Matcher m = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String var = m.group(1);
            String value;
            if (local.containsKey(var)) {
                value = local.get(var);
            } else {
                JsonNode r = ref(var, where);
                if (!r.isValueNode()) {
                    throw new IllegalArgumentException(where + ": Fn::Sub over ${" + var + "}, a list");
                }
                value = r.asText();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * Reads YAML into a tree in which CloudFormation's short-form tags become their long forms ({@code !Ref X} →
     * {"Ref": "X"}, {@code !Sub s} → {"Fn::Sub": s}), so references can be told from plain strings.
     */
    public static JsonNode readYaml(Path file) throws IOException {
        try (YAMLParser p = new YAMLFactory().createParser(file.toFile())) {
            p.nextToken();
            return node(p);
        }
    }

    private static JsonNode node(YAMLParser p) throws IOException {
        // YAMLParser reports a local tag without its "!" (!Ref -> "Ref"); YAML's own tags are URIs (tag:yaml.org,...).
        String id = p.getTypeId();
        String tag = id != null && !id.contains(":") ? id : null;
        JsonNodeFactory f = JsonNodeFactory.instance;
        JsonNode value;
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            ObjectNode o = f.objectNode();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                o.set(name, node(p));
            }
            value = o;
        } else if (t == JsonToken.START_ARRAY) {
            ArrayNode a = f.arrayNode();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                a.add(node(p));
            }
            value = a;
        } else if (t == JsonToken.VALUE_NUMBER_INT) {
            value = f.numberNode(p.getLongValue());
        } else if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            value = f.numberNode(p.getDecimalValue());
        } else if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
            value = f.booleanNode(t == JsonToken.VALUE_TRUE);
        } else if (t == JsonToken.VALUE_NULL) {
            value = f.nullNode();
        } else {
            value = f.textNode(p.getText());
        }
        if (tag == null) {
            return value;
        }
        String longForm = tag.equals("Ref") || tag.equals("Condition") ? tag : "Fn::" + tag;
        return f.objectNode().set(longForm, value);
    }
}
