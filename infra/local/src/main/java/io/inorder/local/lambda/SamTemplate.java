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
 * code ({@code CodeUri}), handler, memory, timeout and environment variables, the intrinsic functions in them
 * resolved the way CloudFormation would for a stack with the given parameters ({@code Ref}, {@code Fn::Sub},
 * {@code Fn::If} over the template's conditions, {@code Fn::Join}/{@code Select}/{@code Split},
 * {@code AWS::NoValue}), resource references resolved to the local stack's names, functions whose {@code Condition}
 * is false left out. Whatever it cannot resolve fails naming the function, the property and the expression, so a
 * template change the local stack does not follow is caught, not silently approximated.
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
            if (f.has("Condition") && !condition(f.get("Condition").asText(), id)) {
                return;
            }
            JsonNode props = f.path("Properties");
            String where = file.getFileName() + " " + id;
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
                    env));
        });
        return out;
    }

    /** The S3 event sources of a function: the bucket (local name), events and key filter rules. */
    public record S3Source(String function, String bucket, List<String> events, String prefix, String suffix) { }

    public List<S3Source> s3Sources() {
        List<S3Source> out = new ArrayList<>();
        functionResources().forEach((id, f) -> f.path("Properties").path("Events").fields().forEachRemaining(e -> {
            JsonNode p = e.getValue().path("Properties");
            if (!e.getValue().path("Type").asText().equals("S3")) {
                return;
            }
            String where = file.getFileName() + " " + id + " " + e.getKey();
            List<String> events = new ArrayList<>();
            JsonNode ev = eval(p.path("Events"), where);
            if (ev.isArray()) {
                ev.forEach(x -> events.add(x.asText()));
            } else {
                events.add(ev.asText());
            }
            String prefix = "";
            String suffix = "";
            JsonNode rules = eval(p.path("Filter").path("S3Key").path("Rules"), where + " Filter");
            if (rules != null) {
                for (JsonNode rule : rules) {
                    String name = rule.path("Name").asText();
                    if (name.equalsIgnoreCase("prefix")) {
                        prefix = rule.path("Value").asText();
                    } else if (name.equalsIgnoreCase("suffix")) {
                        suffix = rule.path("Value").asText();
                    }
                }
            }
            out.add(new S3Source(id, resolve(p.path("Bucket"), where + " Bucket"), events, prefix, suffix));
        }));
        return out;
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
            if (e.getValue().path("Type").asText().equals("Schedule")) {
                out.add(new Schedule(id, resolve(e.getValue().path("Properties").path("Schedule"),
                        file.getFileName() + " " + id + " " + e.getKey())));
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

    /** The logical ids of the resources of a type ({@code AWS::S3::Bucket}, ...), in template order. */
    public List<String> resourcesOfType(String type) {
        List<String> out = new ArrayList<>();
        template.path("Resources").fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals(type)) {
                out.add(e.getKey());
            }
        });
        return out;
    }

    private Map<String, JsonNode> functionResources() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        template.path("Resources").fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::Serverless::Function")) {
                out.put(e.getKey(), e.getValue());
            }
        });
        return out;
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
            return f.textNode(parameter(name));
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
            String value = local.containsKey(var) ? local.get(var) : ref(var, where).asText();
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
