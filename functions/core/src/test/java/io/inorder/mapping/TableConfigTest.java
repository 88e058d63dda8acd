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
}
