package io.inorder.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Applies a Write API patch ({@code rockset-write-api.md} §2): RFC 6902 operations with JSON Pointer paths (RFC 6901)
 * plus Rockset's INCREMENT, op names case-insensitive. A patch is all-or-nothing: the input document is never
 * modified; the result is a new document, or {@link Failure} when any operation fails (a failing {@code test}, a
 * missing path, a bad index), which the emulator reports as that item's {@code ERROR}.
 *
 * <p>INCREMENT ({@code rockset-write-api.md} lists it, no public source defines its edge cases; this is the emulator's
 * choice): adds a numeric {@code value} to the number at {@code path}, integers staying integers; a missing target is
 * set to {@code value}; a non-numeric target fails. Paths under {@code /_id} fail because they would move the document.
 */
final class DocumentPatch {

    /** The operations the spec's enum allows, upper case. */
    static final List<String> OPERATIONS = List.of("ADD", "REMOVE", "REPLACE", "COPY", "MOVE", "TEST", "INCREMENT");

    /** Why a patch did not apply; the message names the operation index and the path. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    private DocumentPatch() {
    }

    static ObjectNode apply(ObjectNode document, ArrayNode operations) throws Failure {
        ObjectNode result = document.deepCopy();
        for (int i = 0; i < operations.size(); i++) {
            JsonNode operation = operations.get(i);
            String op = operation.path("op").asText().toUpperCase(Locale.ROOT);
            String path = operation.path("path").asText();
            try {
                applyOne(result, op, path, operation);
            } catch (Failure failure) {
                throw new Failure("Patch operation " + i + " (" + op.toLowerCase(Locale.ROOT) + " " + path + ") failed: "
                        + failure.getMessage());
            }
        }
        return result;
    }

    private static void applyOne(ObjectNode root, String op, String path, JsonNode operation) throws Failure {
        List<String> tokens = pointer(path);
        if (tokens.isEmpty()) {
            throw new Failure("the document root cannot be patched");
        }
        if (tokens.get(0).equals("_id")) {
            throw new Failure("_id cannot be patched");
        }
        switch (op) {
            case "ADD" -> add(root, tokens, value(operation, op));
            case "REMOVE" -> remove(root, tokens);
            case "REPLACE" -> replace(root, tokens, value(operation, op));
            case "COPY" -> add(root, tokens, get(root, pointer(from(operation))).deepCopy());
            case "MOVE" -> {
                String from = from(operation);
                if (path.startsWith(from + "/")) {
                    throw new Failure("cannot move a value into itself (from " + from + ")");
                }
                List<String> fromTokens = pointer(from);
                if (fromTokens.isEmpty() || fromTokens.get(0).equals("_id")) {
                    throw new Failure("cannot move from " + (fromTokens.isEmpty() ? "the root" : "_id"));
                }
                JsonNode moved = get(root, fromTokens);
                remove(root, fromTokens);
                add(root, tokens, moved);
            }
            case "TEST" -> {
                JsonNode expected = value(operation, op);
                JsonNode actual = get(root, tokens);
                if (!sameJson(actual, expected)) {
                    throw new Failure("test failed: the value is " + actual + ", not " + expected);
                }
            }
            case "INCREMENT" -> increment(root, tokens, value(operation, op));
            default -> throw new Failure("unknown operation");
        }
    }

    private static JsonNode value(JsonNode operation, String op) throws Failure {
        if (!operation.has("value")) {
            throw new Failure(op.toLowerCase(Locale.ROOT) + " needs a value");
        }
        return operation.get("value").deepCopy();
    }

    private static String from(JsonNode operation) throws Failure {
        JsonNode from = operation.get("from");
        if (from == null || !from.isTextual()) {
            throw new Failure("copy and move need a string 'from' pointer");
        }
        return from.asText();
    }

    static List<String> pointer(String path) throws Failure {
        if (path.isEmpty()) {
            return List.of();
        }
        if (path.charAt(0) != '/') {
            throw new Failure("'" + path + "' is not a JSON Pointer (it must start with '/')");
        }
        List<String> tokens = new ArrayList<>();
        for (String raw : path.substring(1).split("/", -1)) {
            StringBuilder token = new StringBuilder(raw.length());
            for (int i = 0; i < raw.length(); i++) {
                char c = raw.charAt(i);
                if (c == '~') {
                    char next = i + 1 < raw.length() ? raw.charAt(i + 1) : ' ';
                    if (next == '0') {
                        token.append('~');
                    } else if (next == '1') {
                        token.append('/');
                    } else {
                        throw new Failure("'" + path + "' has an invalid '~' escape");
                    }
                    i++;
                } else {
                    token.append(c);
                }
            }
            tokens.add(token.toString());
        }
        return tokens;
    }

    private static JsonNode get(JsonNode root, List<String> tokens) throws Failure {
        JsonNode node = root;
        for (String token : tokens) {
            if (node instanceof ObjectNode object) {
                node = object.get(token);
            } else if (node instanceof ArrayNode array) {
                int index = index(token, array.size() - 1);
                node = array.get(index);
            } else {
                node = null;
            }
            if (node == null) {
                throw new Failure("the path does not exist");
            }
        }
        return node;
    }

    private static ContainerNode<?> parent(ObjectNode root, List<String> tokens) throws Failure {
        JsonNode parent = get(root, tokens.subList(0, tokens.size() - 1));
        if (!(parent instanceof ContainerNode<?> container)) {
            throw new Failure("the parent of the path is neither an object nor an array");
        }
        return container;
    }

    private static void add(ObjectNode root, List<String> tokens, JsonNode value) throws Failure {
        ContainerNode<?> parent = parent(root, tokens);
        String last = tokens.get(tokens.size() - 1);
        if (parent instanceof ObjectNode object) {
            object.set(last, value);
        } else {
            ArrayNode array = (ArrayNode) parent;
            if (last.equals("-")) {
                array.add(value);
            } else {
                array.insert(index(last, array.size()), value);
            }
        }
    }

    private static void remove(ObjectNode root, List<String> tokens) throws Failure {
        ContainerNode<?> parent = parent(root, tokens);
        String last = tokens.get(tokens.size() - 1);
        if (parent instanceof ObjectNode object) {
            if (object.remove(last) == null) {
                throw new Failure("the path does not exist");
            }
        } else {
            ArrayNode array = (ArrayNode) parent;
            array.remove(index(last, array.size() - 1));
        }
    }

    private static void increment(ObjectNode root, List<String> tokens, JsonNode by) throws Failure {
        if (!by.isNumber()) {
            throw new Failure("increment needs a numeric value, got " + by);
        }
        ContainerNode<?> parent = parent(root, tokens);
        String last = tokens.get(tokens.size() - 1);
        JsonNode current = parent instanceof ObjectNode object ? object.get(last) : get(root, tokens);
        if (current == null) {
            add(root, tokens, by);
            return;
        }
        if (!current.isNumber()) {
            throw new Failure("increment needs a number at the path, found " + current);
        }
        JsonNode sum;
        if (current.isIntegralNumber() && by.isIntegralNumber()) {
            sum = JsonNodeFactory.instance.numberNode(current.bigIntegerValue().add(by.bigIntegerValue()));
            if (sum.canConvertToLong()) {
                sum = JsonNodeFactory.instance.numberNode(sum.longValue());
            }
        } else {
            sum = JsonNodeFactory.instance.numberNode(current.decimalValue().add(by.decimalValue()));
        }
        replace(root, tokens, sum);
    }

    /** Replaces an existing value in place, so an object member keeps its position. */
    private static void replace(ObjectNode root, List<String> tokens, JsonNode value) throws Failure {
        ContainerNode<?> parent = parent(root, tokens);
        String last = tokens.get(tokens.size() - 1);
        if (parent instanceof ObjectNode object) {
            if (!object.has(last)) {
                throw new Failure("the path does not exist");
            }
            object.set(last, value);
        } else {
            ArrayNode array = (ArrayNode) parent;
            array.set(index(last, array.size() - 1), value);
        }
    }

    /** Array index per RFC 6901: decimal digits, no leading zero, at most {@code max}. */
    private static int index(String token, int max) throws Failure {
        if (!token.matches("0|[1-9][0-9]{0,8}")) {
            throw new Failure("'" + token + "' is not an array index");
        }
        int index = Integer.parseInt(token);
        if (index > max) {
            throw new Failure("array index " + index + " is out of bounds");
        }
        return index;
    }

    /** JSON equality as RFC 6902 {@code test} defines it: numbers compare by value, objects ignore member order. */
    static boolean sameJson(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return toDecimal(a).compareTo(toDecimal(b)) == 0;
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Map.Entry<String, JsonNode> field : a.properties()) {
                JsonNode other = b.get(field.getKey());
                if (other == null || !sameJson(field.getValue(), other)) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!sameJson(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    private static BigDecimal toDecimal(JsonNode number) {
        return number.isIntegralNumber() ? new BigDecimal(number.bigIntegerValue()) : number.decimalValue();
    }
}
