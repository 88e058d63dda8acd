package io.inorder.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The part of CloudFormation's {@code AWS::LanguageExtensions} transform the template uses, {@code Fn::ForEach}, applied
 * the way the CloudFormation docs define it (intrinsic function reference, Fn::ForEach): the collection is a literal
 * list or a {@code Ref} to a {@code CommaDelimitedList} parameter; in each output key {@code ${Id}} becomes the item
 * and {@code &{Id}} the item without its non-alphanumeric characters; in the output value {@code {"Ref": Id}} becomes
 * the item and {@code ${Id}} inside {@code Fn::Sub} strings too; an output key produced twice, or clashing with a key
 * already there, is an error. Loops nest.
 *
 * <p>An identifier left anywhere after expansion (a use this class does not resolve, e.g. in a plain string) fails the
 * expansion, so the contract test cannot check a template CloudFormation would expand differently.
 */
final class LanguageExtensions {

    private static final Pattern FOR_EACH = Pattern.compile("^Fn::ForEach::[A-Za-z0-9]+$");
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private LanguageExtensions() { }

    /**
     * The template with every {@code Fn::ForEach} expanded, parameters taking {@code values} or else their defaults.
     *
     * @throws IllegalArgumentException for a loop CloudFormation would refuse (a duplicate key, a bad collection)
     */
    static JsonNode expand(JsonNode template, Map<String, String> values) {
        ObjectNode out = template.deepCopy();
        for (String section : List.of("Conditions", "Resources", "Outputs")) {
            if (out.has(section)) {
                out.set(section, walk(out.get(section), out, values));
            }
        }
        return out;
    }

    private static JsonNode walk(JsonNode node, JsonNode template, Map<String, String> values) {
        if (node.isArray()) {
            ArrayNode a = F.arrayNode();
            node.forEach(n -> a.add(walk(n, template, values)));
            return a;
        }
        if (!node.isObject()) {
            return node;
        }
        ObjectNode o = F.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!FOR_EACH.matcher(e.getKey()).matches()) {
                put(o, e.getKey(), walk(e.getValue(), template, values));
                continue;
            }
            JsonNode loop = e.getValue();
            if (!loop.isArray() || loop.size() != 3 || !loop.get(0).isTextual() || !loop.get(2).isObject()) {
                throw new IllegalArgumentException(e.getKey() + ": takes [identifier, collection, {output}]");
            }
            String id = loop.get(0).asText();
            for (String item : collection(e.getKey(), loop.get(1), template, values)) {
                JsonNode produced = walk(substitute(loop.get(2), id, item, true), template, values);
                produced.fields().forEachRemaining(p -> put(o, p.getKey(), p.getValue()));
            }
        }
        return o;
    }

    private static void put(ObjectNode o, String key, JsonNode value) {
        if (o.has(key)) {
            throw new IllegalArgumentException("Fn::ForEach produces " + key + " twice (or a key already there): "
                    + "two items that differ only in non-alphanumeric characters name the same resource");
        }
        o.set(key, value);
    }

    private static List<String> collection(String loop, JsonNode c, JsonNode template, Map<String, String> values) {
        List<String> items = new ArrayList<>();
        if (c.isArray()) {
            c.forEach(i -> items.add(i.asText()));
            return items;
        }
        String ref = c.path("Ref").asText("");
        JsonNode p = template.path("Parameters").path(ref);
        if (!p.path("Type").asText().equals("CommaDelimitedList")) {
            throw new IllegalArgumentException(loop + ": the collection is a list or a Ref to a CommaDelimitedList "
                    + "parameter, not " + c);
        }
        String value = values.getOrDefault(ref, p.path("Default").asText(null));
        if (value == null) {
            throw new IllegalArgumentException(loop + ": parameter " + ref + " has no value and no default");
        }
        for (String s : value.split(",", -1)) {
            items.add(s.strip());
        }
        return items;
    }

    /** The loop's output for one item; {@code key} says whether object keys are output keys (the loop's top level). */
    private static JsonNode substitute(JsonNode node, String id, String item, boolean key) {
        if (node.isArray()) {
            ArrayNode a = F.arrayNode();
            node.forEach(n -> a.add(substitute(n, id, item, false)));
            return a;
        }
        if (!node.isObject()) {
            return node;
        }
        if (node.size() == 1 && node.path("Ref").asText("").equals(id)) {
            return TextNode.valueOf(item);
        }
        ObjectNode o = F.objectNode();
        node.fields().forEachRemaining(e -> {
            String k = key ? replace(e.getKey(), id, item) : e.getKey();
            JsonNode v = e.getValue();
            if (k.equals("Fn::Sub") && v.isTextual()) {
                o.set(k, TextNode.valueOf(replace(v.asText(), id, item)));
            } else if (k.equals("Fn::Sub") && v.isArray() && v.size() > 0 && v.get(0).isTextual()) {
                ArrayNode a = F.arrayNode().add(replace(v.get(0).asText(), id, item));
                for (int i = 1; i < v.size(); i++) {
                    a.add(substitute(v.get(i), id, item, false));
                }
                o.set(k, a);
            } else {
                o.set(k, substitute(v, id, item, false));
            }
        });
        if (key) {
            String left = o.toString();
            if (left.contains("${" + id + "}") || left.contains("&{" + id + "}")
                    || left.contains("\"Ref\":\"" + id + "\"")) {
                throw new IllegalArgumentException("Fn::ForEach: identifier " + id + " is used where this expansion "
                        + "does not resolve it: " + left);
            }
        }
        return o;
    }

    private static String replace(String s, String id, String item) {
        return s.replace("${" + id + "}", item).replace("&{" + id + "}", item.replaceAll("[^A-Za-z0-9]", ""));
    }
}
