package io.inorder.mapping;

import io.inorder.arcion.ArcionFormat;
import io.inorder.arcion.ReaderOptions;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How one source table maps to one collection, and how Arcion writes it. Immutable.
 *
 * @param table          the source table, {@code catalog.schema.name} with null parts left out
 * @param collection     the target collection (a name, not an alias: the Write API refuses aliases)
 * @param primaryKey     the key columns, in order; empty means "use the JSON CDC message key"
 * @param idFormat       how {@code _id} is built from the key values
 * @param eventTime      whether inserts carry {@code _event_time} from the source timestamp
 * @param types          column type hints (column → type)
 * @param csv            how the table's CSV files are laid out
 * @param afterImage     Arcion's {@code after-image-format} for this table's records that carry no {@code exists}
 *                       map (NATIVE, JSON CDC)
 * @param beforeImage    Arcion's {@code before-image-format} for the same records
 * @param topics         Kafka topics carrying this table's changes (or, with {@code splitTopic} false, everything)
 *                       when they do not follow Arcion's default names, or empty
 * @param snapshotTopics Kafka topics carrying this table's snapshot rows when they do not follow Arcion's default
 *                       name, or empty
 * @param splitTopic     Arcion's {@code split-topic}: true when the snapshot and the changes come on separate topics,
 *                       whose changes then wait until the snapshot is complete
 * @param prefixes       S3 key prefixes whose records carry no table name (flat snapshot rows, CSV) and belong to
 *                       this table, or empty
 * @param snapshotPrefixes S3 key prefixes of this table's snapshot files when they form streams of their own (apart
 *                       from its change files), or empty: the table's changes on other streams then wait until its
 *                       snapshot is complete, as with split Kafka topics
 */
public record TableMapping(
        String table,
        String collection,
        List<String> primaryKey,
        IdFormat idFormat,
        boolean eventTime,
        Map<String, ColumnType> types,
        CsvLayout csv,
        AfterImage afterImage,
        BeforeImage beforeImage,
        List<String> topics,
        List<String> snapshotTopics,
        boolean splitTopic,
        List<String> prefixes,
        List<String> snapshotPrefixes) {

    /** Arcion's {@code after-image-format} (applier-reference.md): which columns an update's after image holds. */
    public enum AfterImage {
        /** Only the changed columns (Arcion's default): an update becomes a patch of the columns it carries. */
        UPDATED,
        /** Every column: an update becomes an upsert of the whole row. */
        ALL
    }

    /** Arcion's {@code before-image-format}: which columns an update's or a delete's before image holds. */
    public enum BeforeImage {
        /** Only the key columns (Arcion's default). */
        KEY,
        /** Every column: a key-changing update with a partial after image can be rebuilt from it. */
        ALL
    }

    /**
     * The CSV layout of a table's files (Arcion applier {@code delimiter}, {@code quote}, {@code escape},
     * {@code include-header}).
     *
     * @param columns         snapshot line column order for files without a header, or empty
     * @param realtimeColumns realtime triplet order for files without a header, or empty for {@code columns}' order
     * @param header          whether files start with a header line
     * @param delimiter       the field separator
     * @param quote           the quote character
     * @param escape          the escape of a quote inside a quoted field ({@code quote} itself means doubling)
     * @param nullMarker      the unquoted field text that means SQL NULL
     */
    public record CsvLayout(List<String> columns, List<String> realtimeColumns, ReaderOptions.CsvHeader header,
                            char delimiter, char quote, char escape, String nullMarker) {

        /** Arcion's CSV as the readers assume it: no configured columns, header AUTO, {@code , " "} and NULL. */
        public static final CsvLayout DEFAULT = new CsvLayout(List.of(), List.of(), ReaderOptions.CsvHeader.AUTO, ',',
                '"', '"', "NULL");

        public CsvLayout {
            columns = List.copyOf(columns);
            realtimeColumns = List.copyOf(realtimeColumns);
            Objects.requireNonNull(header, "header");
            Objects.requireNonNull(nullMarker, "nullMarker");
        }
    }

    public TableMapping {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(collection, "collection");
        primaryKey = List.copyOf(primaryKey);
        Objects.requireNonNull(idFormat, "idFormat");
        types = Map.copyOf(types);
        Objects.requireNonNull(csv, "csv");
        Objects.requireNonNull(afterImage, "afterImage");
        Objects.requireNonNull(beforeImage, "beforeImage");
        topics = List.copyOf(topics);
        snapshotTopics = List.copyOf(snapshotTopics);
        prefixes = List.copyOf(prefixes);
        snapshotPrefixes = List.copyOf(snapshotPrefixes);
    }

    /**
     * A mapping with the defaults: text ids, {@code _event_time} on inserts, no hints, Arcion's defaults for CSV,
     * images ({@code KEY}/{@code UPDATED}) and topics ({@code split-topic: true}, default names).
     */
    public static TableMapping of(String table, String collection, List<String> primaryKey) {
        return new TableMapping(table, collection, primaryKey, IdFormat.TEXT, true, Map.of(), CsvLayout.DEFAULT,
                AfterImage.UPDATED, BeforeImage.KEY, List.of(), List.of(), true, List.of(), List.of());
    }

    /** The options that read this table's files: its CSV layout, its key and name (for header rules and advice). */
    public ReaderOptions readerOptions(ArcionFormat format) {
        return ReaderOptions.defaults().withFormat(format)
                .withCsv(new ReaderOptions.Csv(csv.columns().isEmpty() ? null : csv.columns(),
                        csv.realtimeColumns().isEmpty() ? null : csv.realtimeColumns(), primaryKey, table,
                        csv.delimiter(), csv.quote(), csv.escape(), csv.header(), csv.nullMarker()));
    }
}
