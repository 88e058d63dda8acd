package io.inorder.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The nested stacks of a template whose template is a local file (an {@code AWS::CloudFormation::Stack} with
 * {@code TemplateURL: msk-topics.yaml}, which {@code sam deploy} uploads), as CloudFormation creates them: the nested
 * template gets the parameter values the parent passes, and its {@code AWS::LanguageExtensions} run with those values
 * ({@link LanguageExtensions}). A passed value is known here when the parent's own parameters decide it (a literal, a
 * {@code Ref} to a parameter, {@code Fn::Join} over those), which is all a {@code Fn::ForEach} collection may be;
 * what only CloudFormation knows (a resource's Ref or GetAtt, a condition) stays the parent's expression, and
 * {@link Nested#inParent} puts it where the nested template refers to its parameter, so that a check reads a mapping's
 * {@code FunctionName} as the parent's {@code !Ref MskIngestFunctionAliaslive}.
 */
final class NestedStacks {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private NestedStacks() { }

    /** A nested stack: its resource in the parent and its template after the language extensions. */
    record Nested(String logicalId, JsonNode resource, JsonNode template) {

        JsonNode passed() {
            return resource.path("Properties").path("Parameters");
        }

        /** The parent's condition for the stack ("" if none): nothing in it exists unless it holds. */
        String condition() {
            return resource.path("Condition").asText("");
        }

        /** The nested template's resources of {@code type}, with its parameters replaced by what the parent passes. */
        Map<String, JsonNode> resources(String type) {
            Map<String, JsonNode> out = new TreeMap<>();
            template.path("Resources").fields().forEachRemaining(e -> {
                if (e.getValue().path("Type").asText().equals(type)) {
                    out.put(e.getKey(), inParent(e.getValue()));
                }
            });
            return out;
        }

        /** {@code node} with every {@code Ref} to a parameter of the nested template replaced by the parent's value. */
        JsonNode inParent(JsonNode node) {
            if (node.isArray()) {
                ArrayNode a = F.arrayNode();
                node.forEach(n -> a.add(inParent(n)));
                return a;
            }
            if (!node.isObject()) {
                return node;
            }
            if (node.size() == 1 && node.has("Ref") && passed().has(node.get("Ref").asText())) {
                return passed().get(node.get("Ref").asText()).deepCopy();
            }
            ObjectNode o = F.objectNode();
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("Fn::Sub") && template.path("Parameters").fieldNames().hasNext()) {
                    String text = e.getValue().isArray() ? e.getValue().get(0).asText() : e.getValue().asText();
                    template.path("Parameters").fieldNames().forEachRemaining(p -> {
                        if (text.contains("${" + p + "}")) {
                            throw new IllegalArgumentException(logicalId + ": Fn::Sub over parameter " + p
                                    + " of the nested template; use Ref, which this reads in the parent's terms");
                        }
                    });
                }
                o.set(e.getKey(), inParent(e.getValue()));
            });
            return o;
        }
    }

    /**
     * The template's nested stacks with a local template, the parent's parameters taking {@code values} or else their
     * defaults.
     *
     * @throws IllegalArgumentException when the language extensions would refuse the nested template
     */
    static List<Nested> of(Path dir, JsonNode parent, Map<String, String> values) throws IOException {
        List<Nested> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = parent.path("Resources").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String url = e.getValue().path("Properties").path("TemplateURL").asText("");
            if (!e.getValue().path("Type").asText().equals("AWS::CloudFormation::Stack") || url.isEmpty()
                    || url.contains("://")) {
                continue;
            }
            Path file = dir.resolve(url);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(e.getKey() + ": TemplateURL " + url + " is no file next to the "
                        + "template (sam package uploads a local TemplateURL)");
            }
            Map<String, String> passed = new LinkedHashMap<>();
            e.getValue().path("Properties").path("Parameters").fields().forEachRemaining(p ->
                    known(p.getValue(), parent, values).ifPresent(v -> passed.put(p.getKey(), v)));
            JsonNode nested = TemplateContractIT.readYaml(file);
            out.add(new Nested(e.getKey(), e.getValue(), LanguageExtensions.expand(nested, passed)));
        }
        return out;
    }

    /** The value of {@code expr} if the parent's parameters decide it. */
    private static Optional<String> known(JsonNode expr, JsonNode parent, Map<String, String> values) {
        if (expr.isValueNode()) {
            return Optional.of(expr.asText());
        }
        if (expr.size() == 1 && expr.has("Ref")) {
            JsonNode p = parent.path("Parameters").path(expr.get("Ref").asText());
            if (p.isMissingNode()) {
                return Optional.empty();
            }
            return Optional.ofNullable(values.getOrDefault(expr.get("Ref").asText(), p.path("Default").asText(null)));
        }
        JsonNode join = expr.path("Fn::Join");
        if (expr.size() == 1 && join.isArray() && join.size() == 2) {
            JsonNode items = join.get(1);
            List<String> parts = new ArrayList<>();
            if (items.isArray()) {
                for (JsonNode i : items) {
                    Optional<String> v = known(i, parent, values);
                    if (v.isEmpty()) {
                        return Optional.empty();
                    }
                    parts.add(v.get());
                }
            } else {
                // A Ref to a CommaDelimitedList: the list, which CloudFormation trims item by item.
                Optional<String> list = known(items, parent, values);
                if (list.isEmpty()) {
                    return Optional.empty();
                }
                for (String s : list.get().split(",", -1)) {
                    parts.add(s.strip());
                }
            }
            return Optional.of(String.join(join.get(0).asText(), parts));
        }
        return Optional.empty();
    }
}
