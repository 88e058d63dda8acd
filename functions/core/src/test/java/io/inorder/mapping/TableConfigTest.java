package io.inorder.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableConfigTest {

    @Test
    void readsTheDocumentedExample(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tables.json");
        Files.writeString(file, """
                {"workspace": "commons",
                 "tables": {"shop.orders": {"collection": "orders", "primaryKey": ["id"]},
                            "shop.order_items": {"collection": "order_items", "primaryKey": ["order_id", "line_no"]}}}
                """);

        TableConfig config = TableConfig.load(file);

        assertThat(config.workspace()).isEqualTo("commons");
        assertThat(config.unknownTables()).isEqualTo(TableConfig.UnknownTables.QUARANTINE);
        assertThat(config.table("shop.order_items")).get()
                .isEqualTo(TableMapping.of("shop.order_items", "order_items", List.of("order_id", "line_no")));
    }

    @Test
    void missingFileSaysHowToPassIt(@TempDir Path dir) {
        assertThatThrownBy(() -> TableConfig.load(dir.resolve("nope.json")))
                .hasMessageContaining("nope.json: no such file").hasMessageContaining("--config");
    }

    @Test
    void invalidJsonNamesLineAndColumn() {
        assertThatThrownBy(() -> TableConfig.parse("{\"workspace\": \"w\",\n \"tables\": {", "tables.json"))
                .isInstanceOf(TableConfigException.class).hasMessageContaining("tables.json: not valid JSON")
                .hasMessageContaining("line 2");
    }

    @Test
    void misspelledFieldIsRefusedNamingTheTableAndTheKnownFields() {
        assertThatThrownBy(() -> TableConfig.parse("""
                {"workspace": "w", "tables": {"a": {"collection": "a", "primarykey": ["id"]}}}""", "tables.json"))
                .hasMessageContaining("table 'a': unknown field \"primarykey\"")
                .hasMessageContaining("primaryKey");
    }

    @Test
    void missingPrimaryKeyIsRefusedWithAnExample() {
        assertThatThrownBy(() -> TableConfig.parse("""
                {"workspace": "w", "tables": {"a": {"collection": "a"}}}""", "tables.json"))
                .hasMessageContaining("\"primaryKey\" is required").hasMessageContaining("[\"id\"]");
    }

    @Test
    void collectionNamesFollowRocksetNamingRules() {
        assertThatThrownBy(() -> TableConfig.parse("""
                {"workspace": "w", "tables": {"a": {"collection": "my.orders", "primaryKey": ["id"]}}}""", "t"))
                .hasMessageContaining("'my.orders' may hold only letters, digits");
    }

    @Test
    void missingWorkspaceAndEmptyTablesAreRefused() {
        assertThatThrownBy(() -> TableConfig.parse("{\"tables\": {}}", "t")).hasMessageContaining("\"workspace\"");
        assertThatThrownBy(() -> TableConfig.parse("{\"workspace\": \"w\", \"tables\": {}}", "t"))
                .hasMessageContaining("\"tables\" must be a non-empty object");
    }

    @Test
    void unknownTypeHintIsRefused() {
        assertThatThrownBy(() -> TableConfig.parse("""
                {"workspace": "w", "tables": {"a": {"collection": "a", "primaryKey": ["id"],
                 "types": {"x": "decimal"}}}}""", "t"))
                .hasMessageContaining("\"types\".x: unknown type 'decimal'");
    }

    @Test
    void longestMatchingPrefixDecidesTheTableOfAKey() {
        TableConfig config = TableConfig.parse("""
                {"workspace": "w", "tables": {
                  "a": {"collection": "a", "primaryKey": ["id"], "prefixes": ["snap/"]},
                  "b": {"collection": "b", "primaryKey": ["id"], "prefixes": ["snap/b/"]}}}""", "t");

        assertThat(config.tableForKey("snap/b/part_1.csv")).get().extracting(TableMapping::table).isEqualTo("b");
        assertThat(config.tableForKey("snap/x_1.csv")).get().extracting(TableMapping::table).isEqualTo("a");
        assertThat(config.tableForKey("other/x_1.csv")).isEmpty();
    }
    private static TableMapping table(String settings) {
        return TableConfig.parse("{\"workspace\": \"w\", \"tables\": {\"shop.orders\": {\"collection\": \"orders\", "
                + "\"primaryKey\": [\"id\"]" + (settings.isEmpty() ? "" : ", " + settings) + "}}}", "tables.json")
                .table("shop.orders").orElseThrow();
    }

    private static void refused(String settings, String... parts) {
        org.assertj.core.api.AbstractThrowableAssert<?, ?> a = assertThatThrownBy(() -> table(settings))
                .isInstanceOf(TableConfigException.class).hasMessageContaining("tables.json: table 'shop.orders'");
        for (String p : parts) {
            a.hasMessageContaining(p);
        }
    }

    @Test
    void arcionsCsvDialectImagesAndTopicSettingsAreTableSettingsWithArcionsDefaults() {
        TableMapping d = table("");
        assertThat(d.csv()).isEqualTo(TableMapping.CsvLayout.DEFAULT);
        assertThat(d.afterImage()).isEqualTo(TableMapping.AfterImage.UPDATED);
        assertThat(d.beforeImage()).isEqualTo(TableMapping.BeforeImage.KEY);
        assertThat(d.splitTopic()).isTrue();

        TableMapping t = table("""
                "csvColumns": ["id", "status"], "csvRealtimeColumns": ["status", "id"], "csvHeader": "absent",
                "csvDelimiter": ";", "csvQuote": "'", "csvEscape": "\\\\", "csvNull": "",
                "afterImage": "all", "beforeImage": "ALL", "splitTopic": false, "topics": ["orders-all"]""");
        assertThat(t.csv()).isEqualTo(new TableMapping.CsvLayout(List.of("id", "status"), List.of("status", "id"),
                io.inorder.arcion.ReaderOptions.CsvHeader.ABSENT, ';', '\'', '\\', ""));
        assertThat(t.afterImage()).isEqualTo(TableMapping.AfterImage.ALL);
        assertThat(t.beforeImage()).isEqualTo(TableMapping.BeforeImage.ALL);
        assertThat(t.splitTopic()).isFalse();
        assertThat(table("\"csvQuote\": \"'\"").csv().escape()).as("an escape not given doubles the quote")
                .isEqualTo('\'');
        io.inorder.arcion.ReaderOptions.Csv read = t.readerOptions(io.inorder.arcion.ArcionFormat.AUTO).csv();
        assertThat(read.keyColumns()).containsExactly("id");
        assertThat(read.table()).isEqualTo("shop.orders");
        assertThat(read.tripletColumns()).containsExactly("status", "id");
    }

    @Test
    void eachNewSettingIsValidatedAtLoadNamingTheTableAndTheField() {
        refused("\"csvHeader\": \"yes\"", "\"csvHeader\" must be one of [\"auto\", \"present\", \"absent\"]",
                "include-header");
        refused("\"csvDelimiter\": \";;\"", "\"csvDelimiter\" must be one ASCII character");
        refused("\"csvQuote\": \",\"", "\"csvDelimiter\" ',' must differ from \"csvQuote\"");
        refused("\"csvColumns\": [\"status\"]", "\"csvColumns\" [status] lacks primary key column(s) [id]");
        refused("\"csvColumns\": [\"id\", \"id\"]", "\"csvColumns\" names a column twice");
        refused("\"csvColumns\": [\"id\", \"a\"], \"csvRealtimeColumns\": [\"id\", \"b\"]", "must name the same columns");
        refused("\"afterImage\": \"changed\"", "\"afterImage\" must be one of [\"updated\", \"all\"]",
                "after-image-format");
        refused("\"beforeImage\": \"all-columns\"", "\"beforeImage\" must be one of [\"key\", \"all\"]");
        refused("\"splitTopic\": \"no\"", "\"splitTopic\" must be true or false");
        refused("\"splitTopic\": false, \"snapshotTopics\": [\"s\"]", "\"snapshotTopics\" is set but \"splitTopic\"");
        refused("\"topics\": [\"t\"], \"snapshotTopics\": [\"t\"]", "in both \"topics\" and \"snapshotTopics\"");
        refused("\"prefixes\": [\"cdc/\"], \"snapshotPrefixes\": [\"cdc/\"]",
                "in both \"prefixes\" and \"snapshotPrefixes\"");
        assertThatThrownBy(() -> TableConfig.parse("""
                {"workspace": "w", "tables": {"a": {"collection": "a", "primaryKey": ["id"], "topics": ["t"]},
                                              "b": {"collection": "b", "primaryKey": ["id"], "snapshotTopics": ["t"]}}}
                """, "tables.json")).hasMessageContaining("topic 't' is listed by table 'a' and by table 'b'");
    }

    @Test
    void snapshotPrefixesNameTheTableOfAKeyAndMarkItsSnapshotFiles() {
        TableConfig c = TableConfig.parse("""
                {"workspace": "w", "tables": {"shop.orders": {"collection": "orders", "primaryKey": ["id"],
                  "prefixes": ["cdc/orders"], "snapshotPrefixes": ["snapshot/orders", "cdc/orders/snap"]}}}""", "t");
        assertThat(c.tableForKey("snapshot/orders_1.csv")).isPresent();
        assertThat(c.snapshotTableForKey("snapshot/orders_1.csv")).isPresent();
        assertThat(c.snapshotTableForKey("cdc/orders_1.csv")).isEmpty();
        assertThat(c.snapshotTableForKey("cdc/orders/snap_1.csv")).as("the longest prefix decides").isPresent();
    }
}
