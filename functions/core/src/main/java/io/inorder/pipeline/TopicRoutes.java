package io.inorder.pipeline;

import io.inorder.mapping.TableConfig;
import io.inorder.mapping.TableMapping;
import java.util.Locale;
import java.util.Objects;

/**
 * Which source table a Kafka topic carries, and in which role (arcion-cdc-formats.md §8.1). In order:
 * {@code replicate_io_*} topics (Replicant's own schema and heartbeat traffic) are ignored; a table whose
 * {@code "snapshotTopics"} or {@code "topics"} list names the topic wins; otherwise Arcion's default names apply —
 * {@code <db>_<table>} for snapshot rows and {@code <db>_<table>_cdc_logs} for realtime changes — matched against the
 * configured tables with their dots read as underscores, case-insensitively, when exactly one table matches. A table
 * with {@code "splitTopic": false} (Arcion {@code split-topic: false}) gets its snapshot and its changes on one topic,
 * under either name. Immutable and thread-safe.
 */
public final class TopicRoutes {

    /** Where a topic's records go. */
    public sealed interface Route permits Table, Ignored, Unmapped { }

    /** What a table's topic carries. */
    public enum Role {
        /** The snapshot rows of a table whose changes come on another topic (split-topic true). */
        SNAPSHOT,
        /** The changes of a table whose snapshot comes on another topic: applied once the snapshot is complete. */
        CHANGES,
        /** Snapshot rows and changes of the table, in one order (split-topic false). */
        COMBINED
    }

    /** The topic carries this configured table, in this role. */
    public record Table(String table, Role role) implements Route { }

    /** Replicant's own topic: its records are counted and skipped. */
    public record Ignored() implements Route { }

    /**
     * No configured table matches: records naming their own table (NATIVE realtime envelopes, JSON CDC) still go
     * on; records that name none (NATIVE snapshot rows) are quarantined with {@link #reason}.
     */
    public record Unmapped(String reason) implements Route { }

    static final String CDC_LOGS_SUFFIX = "_cdc_logs";
    static final String REPLICANT_PREFIX = "replicate_io_";

    private final TableConfig config;

    public TopicRoutes(TableConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    public Route route(String topic) {
        if (topic.toLowerCase(Locale.ROOT).startsWith(REPLICANT_PREFIX)) {
            return new Ignored();
        }
        for (TableMapping t : config.tables()) {
            if (t.snapshotTopics().contains(topic)) {
                return new Table(t.table(), Role.SNAPSHOT);
            }
            if (t.topics().contains(topic)) {
                return new Table(t.table(), t.splitTopic() ? Role.CHANGES : Role.COMBINED);
            }
        }
        boolean changes = topic.toLowerCase(Locale.ROOT).endsWith(CDC_LOGS_SUFFIX);
        String base = changes ? topic.substring(0, topic.length() - CDC_LOGS_SUFFIX.length()) : topic;
        TableMapping found = null;
        int matches = 0;
        for (TableMapping t : config.tables()) {
            if (t.table().replace('.', '_').equalsIgnoreCase(base)) {
                found = t;
                matches++;
            }
        }
        if (matches == 1) {
            return new Table(found.table(), !found.splitTopic() ? Role.COMBINED : changes ? Role.CHANGES
                    : Role.SNAPSHOT);
        }
        String why = matches == 0 ? "matches no configured table by Arcion's default names (<db>_<table>, "
                + "<db>_<table>_cdc_logs)" : "matches " + matches + " configured tables by Arcion's default names";
        return new Unmapped("topic '" + topic + "' " + why + " and records on it name no table: add \"topics\": [\""
                + topic + "\"] (or \"snapshotTopics\" for a snapshot topic) to its table in the table config");
    }
}
