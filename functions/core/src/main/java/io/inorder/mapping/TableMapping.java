package io.inorder.mapping;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How one source table maps to one collection. Immutable.
 *
 * @param table       the source table, {@code catalog.schema.name} with null parts left out
 * @param collection  the target collection (a name, not an alias: the Write API refuses aliases)
 * @param primaryKey  the key columns, in order; empty means "use the JSON CDC message key"
 * @param idFormat    how {@code _id} is built from the key values
 * @param eventTime   whether inserts carry {@code _event_time} from the source timestamp
 * @param types       column type hints (column → type)
 * @param csvColumns  the column names of header-less CSV files of this table, or empty
 * @param topics      Kafka topics carrying this table when they do not follow Arcion's default names, or empty
 * @param prefixes    S3 key prefixes whose records carry no table name (flat snapshot rows, CSV) and belong to
 *                    this table, or empty
 */
public record TableMapping(
        String table,
        String collection,
        List<String> primaryKey,
        IdFormat idFormat,
        boolean eventTime,
        Map<String, ColumnType> types,
        List<String> csvColumns,
        List<String> topics,
        List<String> prefixes) {

    public TableMapping {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(collection, "collection");
        primaryKey = List.copyOf(primaryKey);
        Objects.requireNonNull(idFormat, "idFormat");
        types = Map.copyOf(types);
        csvColumns = List.copyOf(csvColumns);
        topics = List.copyOf(topics);
        prefixes = List.copyOf(prefixes);
    }

    /** A mapping with the defaults: text ids, {@code _event_time} on inserts, no hints. */
    public static TableMapping of(String table, String collection, List<String> primaryKey) {
        return new TableMapping(table, collection, primaryKey, IdFormat.TEXT, true, Map.of(), List.of(), List.of(),
                List.of());
    }
}
