package io.inorder.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The table configuration file ({@code tables.json}): the workspace and, per source table, its collection, key and
 * options. Immutable; validated completely when loaded, so a mistake stops the cold start with a message that names
 * the source, the table and the field.
 *
 * <pre>{@code
 * {"workspace": "commons",
 *  "unknownTables": "quarantine",
 *  "tables": {"shop.orders": {"collection": "orders", "primaryKey": ["id"]},
 *             "shop.order_items": {"collection": "order_items", "primaryKey": ["order_id", "line_no"]}}}
 * }</pre>
 */
public final class TableConfig {

    /** What happens to records of tables the file does not name. */
    public enum UnknownTables {
        /** Quarantined with a reason naming the table (the default: a typo in the file loses nothing). */
        QUARANTINE,
        /** Counted and skipped. */
        IGNORE
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP_FIELDS = Set.of("workspace", "unknownTables", "tables");
    private static final Set<String> TABLE_FIELDS = Set.of("collection", "primaryKey", "idFormat", "eventTime",
            "types", "csvColumns", "csvRealtimeColumns", "csvHeader", "csvDelimiter", "csvQuote", "csvEscape",
            "csvNull", "afterImage", "beforeImage", "topics", "snapshotTopics", "splitTopic", "prefixes",
            "snapshotPrefixes");

    private final String workspace;
    private final UnknownTables unknownTables;
    private final Map<String, TableMapping> tables;

    public TableConfig(String workspace, UnknownTables unknownTables, Collection<TableMapping> tables) {
        this.workspace = requireName(workspace, "workspace", "the config");
        this.unknownTables = unknownTables;
        Map<String, TableMapping> byName = new LinkedHashMap<>();
        Map<String, String> topicOwners = new LinkedHashMap<>();
        for (TableMapping t : tables) {
            if (byName.put(t.table(), t) != null) {
                throw new TableConfigException("table '" + t.table() + "' is configured twice");
            }
            for (List<String> list : List.of(t.topics(), t.snapshotTopics())) {
                for (String topic : list) {
                    String other = topicOwners.put(topic, t.table());
                    if (other != null) {
                        throw new TableConfigException("topic '" + topic + "' is listed by table '" + other
                                + "' and by table '" + t.table() + "' (\"topics\", \"snapshotTopics\"): a topic"
                                + " belongs to one table");
                    }
                }
            }
        }
        this.tables = Map.copyOf(byName);
    }

    /** Reads and validates a config file. */
    public static TableConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new TableConfigException(file + ": no such file; pass the table config with --config FILE");
        } catch (IOException e) {
            throw new TableConfigException(file + ": cannot read the table config: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses and validates config text; {@code source} names it in messages (a file, a variable, a parameter). */
    public static TableConfig parse(String text, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new TableConfigException(source + ": not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new TableConfigException(source + ": expected a JSON object with \"workspace\" and \"tables\"");
        }
        unknownFields(root, TOP_FIELDS, source);
        String workspace = text(root, "workspace", source, null);
        if (workspace == null) {
            throw new TableConfigException(source + ": \"workspace\" is required (the Rockset workspace name)");
        }
        UnknownTables unknown = UnknownTables.QUARANTINE;
        String u = text(root, "unknownTables", source, null);
        if (u != null) {
            try {
                unknown = UnknownTables.valueOf(u.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TableConfigException(source + ": \"unknownTables\" must be \"quarantine\" or \"ignore\", not '"
                        + u + "'");
            }
        }
        JsonNode tablesNode = root.get("tables");
        if (tablesNode == null || !tablesNode.isObject() || tablesNode.isEmpty()) {
            throw new TableConfigException(source + ": \"tables\" must be a non-empty object: "
                    + "{\"<catalog.schema.table>\": {\"collection\": ..., \"primaryKey\": [...]}}");
        }
        List<TableMapping> tables = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = tablesNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            tables.add(table(e.getKey(), e.getValue(), source));
        }
        try {
            return new TableConfig(workspace, unknown, tables);
        } catch (TableConfigException e) {
            throw new TableConfigException(source + ": " + e.getMessage());
        }
    }

    private static TableMapping table(String name, JsonNode node, String source) {
        String where = source + ": table '" + name + "'";
        if (name.isBlank()) {
            throw new TableConfigException(source + ": a table name is empty");
        }
        if (!node.isObject()) {
            throw new TableConfigException(where + ": expected an object with \"collection\" and \"primaryKey\"");
        }
        unknownFields(node, TABLE_FIELDS, where);
        String collection = requireName(text(node, "collection", where, null), "collection", where);
        List<String> key = strings(node, "primaryKey", where);
        if (!node.has("primaryKey")) {
            throw new TableConfigException(where + ": \"primaryKey\" is required: the key column(s), e.g. [\"id\"]; "
                    + "use [] only for JSON CDC topics whose message key carries the key");
        }
        if (Set.copyOf(key).size() != key.size()) {
            throw new TableConfigException(where + ": \"primaryKey\" names a column twice: " + key);
        }
        IdFormat idFormat = IdFormat.TEXT;
        String f = text(node, "idFormat", where, null);
        if (f != null) {
            try {
                idFormat = IdFormat.valueOf(f.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TableConfigException(where + ": \"idFormat\" must be \"text\" or \"sha256\", not '" + f + "'");
            }
        }
        boolean eventTime = bool(node, "eventTime", true, where, "");
        Map<String, ColumnType> types = new LinkedHashMap<>();
        JsonNode t = node.get("types");
        if (t != null) {
            if (!t.isObject()) {
                throw new TableConfigException(where + ": \"types\" must be an object {\"column\": \"number\", ...}");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                try {
                    types.put(e.getKey(), ColumnType.parse(e.getValue().asText()));
                } catch (IllegalArgumentException ex) {
                    throw new TableConfigException(where + ": \"types\"." + e.getKey() + ": " + ex.getMessage());
                }
            }
        }
        TableMapping.CsvLayout csv = csvLayout(node, key, where);
        TableMapping.AfterImage afterImage = choice(node, "afterImage", TableMapping.AfterImage.class,
                TableMapping.AfterImage.UPDATED, where, "Arcion's after-image-format");
        TableMapping.BeforeImage beforeImage = choice(node, "beforeImage", TableMapping.BeforeImage.class,
                TableMapping.BeforeImage.KEY, where, "Arcion's before-image-format");
        boolean splitTopic = bool(node, "splitTopic", true, where, " (Arcion's split-topic)");
        List<String> topics = strings(node, "topics", where);
        List<String> snapshotTopics = strings(node, "snapshotTopics", where);
        if (!splitTopic && !snapshotTopics.isEmpty()) {
            throw new TableConfigException(where + ": \"snapshotTopics\" is set but \"splitTopic\" is false: with "
                    + "split-topic false one topic carries the snapshot and the changes; list it under \"topics\"");
        }
        for (String topic : snapshotTopics) {
            if (topics.contains(topic)) {
                throw new TableConfigException(where + ": topic '" + topic + "' is in both \"topics\" and "
                        + "\"snapshotTopics\"; with split topics the snapshot topic and the change topic differ");
            }
        }
        List<String> prefixes = strings(node, "prefixes", where);
        List<String> snapshotPrefixes = strings(node, "snapshotPrefixes", where);
        for (String p : snapshotPrefixes) {
            if (prefixes.contains(p)) {
                throw new TableConfigException(where + ": prefix '" + p + "' is in both \"prefixes\" and "
                        + "\"snapshotPrefixes\": snapshot files that form streams of their own need a prefix that "
                        + "change files do not have");
            }
        }
        return new TableMapping(name, collection, key, idFormat, eventTime, types, csv, afterImage, beforeImage,
                topics, snapshotTopics, splitTopic, prefixes, snapshotPrefixes);
    }

    /** The CSV settings, each validated here so a mistake names the table and the field. */
    private static TableMapping.CsvLayout csvLayout(JsonNode node, List<String> key, String where) {
        List<String> columns = strings(node, "csvColumns", where);
        List<String> realtime = strings(node, "csvRealtimeColumns", where);
        for (Map.Entry<String, List<String>> e : Map.of("csvColumns", columns, "csvRealtimeColumns", realtime)
                .entrySet()) {
            List<String> list = e.getValue();
            if (Set.copyOf(list).size() != list.size()) {
                throw new TableConfigException(where + ": \"" + e.getKey() + "\" names a column twice: " + list);
            }
            if (!list.isEmpty() && !list.containsAll(key)) {
                throw new TableConfigException(where + ": \"" + e.getKey() + "\" " + list + " lacks primary key "
                        + "column(s) " + key.stream().filter(k -> !list.contains(k)).toList() + ": list every "
                        + "column of the CSV lines, in file order");
            }
        }
        if (!columns.isEmpty() && !realtime.isEmpty() && !Set.copyOf(columns).equals(Set.copyOf(realtime))) {
            throw new TableConfigException(where + ": \"csvColumns\" " + columns + " and \"csvRealtimeColumns\" "
                    + realtime + " must name the same columns (realtime triplets only order them differently)");
        }
        io.inorder.arcion.ReaderOptions.CsvHeader header = choice(node, "csvHeader",
                io.inorder.arcion.ReaderOptions.CsvHeader.class, io.inorder.arcion.ReaderOptions.CsvHeader.AUTO, where,
                "Arcion's include-header: present for true, absent for false, auto to recognise a header by its "
                        + "column names");
        TableMapping.CsvLayout d = TableMapping.CsvLayout.DEFAULT;
        char delimiter = csvChar(node, "csvDelimiter", d.delimiter(), where);
        char quote = csvChar(node, "csvQuote", d.quote(), where);
        char escape = csvChar(node, "csvEscape", quote, where);
        if (delimiter == quote || delimiter == escape) {
            throw new TableConfigException(where + ": \"csvDelimiter\" '" + delimiter + "' must differ from "
                    + "\"csvQuote\" and \"csvEscape\"");
        }
        String nullMarker = text(node, "csvNull", where, d.nullMarker());
        return new TableMapping.CsvLayout(columns, realtime, header, delimiter, quote, escape, nullMarker);
    }

    private static char csvChar(JsonNode node, String field, char dflt, String where) {
        String v = text(node, field, where, null);
        if (v == null) {
            return dflt;
        }
        if (v.length() != 1 || v.charAt(0) >= 0x80 || v.charAt(0) == '\n' || v.charAt(0) == '\r') {
            throw new TableConfigException(where + ": \"" + field + "\" must be one ASCII character other than a "
                    + "line break, not '" + v + "'");
        }
        return v.charAt(0);
    }

    private static <E extends Enum<E>> E choice(JsonNode node, String field, Class<E> type, E dflt, String where,
            String meaning) {
        String v = text(node, field, where, null);
        if (v == null) {
            return dflt;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(v)) {
                return e;
            }
        }
        throw new TableConfigException(where + ": \"" + field + "\" must be one of " + java.util.Arrays.stream(
                type.getEnumConstants()).map(e -> "\"" + e.name().toLowerCase(Locale.ROOT) + "\"").toList()
                + " (" + meaning + "), not '" + v + "'");
    }

    private static boolean bool(JsonNode node, String field, boolean dflt, String where, String meaning) {
        JsonNode v = node.get(field);
        if (v == null) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new TableConfigException(where + ": \"" + field + "\" must be true or false" + meaning);
        }
        return v.booleanValue();
    }

    private static void unknownFields(JsonNode node, Set<String> known, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                throw new TableConfigException(where + ": unknown field \"" + field + "\" (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String text(JsonNode node, String field, String where, String dflt) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new TableConfigException(where + ": \"" + field + "\" must be a string");
        }
        return v.textValue();
    }

    private static List<String> strings(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new TableConfigException(where + ": \"" + field + "\" must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual() || item.textValue().isEmpty()) {
                throw new TableConfigException(where + ": \"" + field + "\" must hold non-empty strings only");
            }
            out.add(item.textValue());
        }
        return out;
    }

    private static String requireName(String name, String field, String where) {
        if (name == null || name.isEmpty()) {
            throw new TableConfigException(where + ": \"" + field + "\" is required");
        }
        // Rockset allows only alphanumerics, '-' and '_' in workspace and collection names (rockset-write-api.md §1).
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw new TableConfigException(where + ": \"" + field + "\" '" + name
                    + "' may hold only letters, digits, '-' and '_' (Rockset's naming rule)");
        }
        return name;
    }

    public String workspace() {
        return workspace;
    }

    public UnknownTables unknownTables() {
        return unknownTables;
    }

    public Collection<TableMapping> tables() {
        return tables.values();
    }

    /**
     * The mapping of a source table: by exact name, else by a case-insensitive match when exactly one table matches
     * (some sources report upper-case names).
     */
    public Optional<TableMapping> table(String name) {
        TableMapping exact = tables.get(name);
        if (exact != null) {
            return Optional.of(exact);
        }
        TableMapping found = null;
        for (TableMapping t : tables.values()) {
            if (t.table().equalsIgnoreCase(name)) {
                if (found != null) {
                    return Optional.empty();
                }
                found = t;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The table whose {@code prefixes} or {@code snapshotPrefixes} contain the longest prefix of an S3 key, if any. */
    public Optional<TableMapping> tableForKey(String key) {
        return Optional.ofNullable(longestMatch(key)).map(Map.Entry::getKey);
    }

    /**
     * The table an S3 key is a snapshot file of: the key's longest matching prefix is one of the table's
     * {@code snapshotPrefixes}.
     */
    public Optional<TableMapping> snapshotTableForKey(String key) {
        Map.Entry<TableMapping, Boolean> m = longestMatch(key);
        return m != null && m.getValue() ? Optional.of(m.getKey()) : Optional.empty();
    }

    /** The table with the longest prefix of {@code key}, and whether that prefix is a snapshot prefix; or null. */
    private Map.Entry<TableMapping, Boolean> longestMatch(String key) {
        Map.Entry<TableMapping, Boolean> best = null;
        int bestLength = -1;
        for (TableMapping t : tables.values()) {
            for (int kind = 0; kind < 2; kind++) {
                boolean snapshot = kind == 1;
                for (String p : snapshot ? t.snapshotPrefixes() : t.prefixes()) {
                    if (key.startsWith(p) && p.length() > bestLength) {
                        best = Map.entry(t, snapshot);
                        bestLength = p.length();
                    }
                }
            }
        }
        return best;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TableConfig c && c.workspace.equals(workspace) && c.unknownTables == unknownTables
                && c.tables.equals(tables);
    }

    @Override
    public int hashCode() {
        return workspace.hashCode() * 31 + tables.hashCode();
    }

    @Override
    public String toString() {
        return "TableConfig[workspace=" + workspace + ", tables=" + tables.keySet() + "]";
    }
}
