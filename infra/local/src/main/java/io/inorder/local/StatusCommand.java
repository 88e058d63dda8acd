package io.inorder.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.arcion.Origin;
import io.inorder.ledger.Arrival;
import io.inorder.ledger.FileLedger;
import io.inorder.ledger.LedgerIndex;
import io.inorder.ledger.PartitionCursor;
import io.inorder.ledger.SkipRecord;
import io.inorder.ledger.StreamState;
import io.inorder.ledger.TableCursor;
import io.inorder.ledger.TableProgress;
import io.inorder.pipeline.S3Quarantine;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code inorder status}: where every S3 stream, Kafka partition and source table stands, read from the ledger of a
 * deployed stack, a bare table or the local stack — next sequence, files waiting, the gap (which file, since when),
 * the lease holder, skips, table marks and lag, and the quarantined records per source. Read-only. A readable table, or {@code --json} for scripts.
 */
final class StatusCommand {

    static final String USAGE = """
            usage: inorder status (--stack NAME | --table T | --local) [--region R] [--stream S] [--json]
              --stream S   only streams whose id contains S (bucket/stream)
              --json       one JSON document instead of the tables
            """ + Deployment.OPTIONS_USAGE + """

            Exit 0, or 3 when a stream is blocked on a missing file (named in the output).""";

    private static final Set<String> VALUED = Options.union(Deployment.VALUED, Set.of("--stream"));
    private static final Set<String> FLAGS = Options.union(Deployment.FLAGS, Set.of("--json"));
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One stream's row: its state (one classification, shared with the reconciler), files waiting, skips. */
    record StreamRow(StreamState state, StreamState.Condition condition, long filesWaiting, List<SkipRecord> skips) { }

    /** Quarantined records per source (S3 key, or topic/partition), at {@code location}; empty when unknown. */
    record QuarantineCounts(String location, Map<String, Long> bySource) {
        long total() {
            return bySource.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Everything status shows, read at {@code at}. */
    record Status(String where, Instant at, List<StreamRow> streams, List<PartitionCursor.Progress> partitions,
                  List<TableProgress> tables, Optional<QuarantineCounts> quarantine) {

        boolean anyBlocked() {
            return streams.stream().anyMatch(s -> s.condition() == StreamState.Condition.BLOCKED);
        }
    }

    private StatusCommand() { }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(args, VALUED, FLAGS, USAGE);
        if (o.flag("--help")) {
            out.println(USAGE);
            return 0;
        }
        if (!o.positional().isEmpty()) {
            throw new UsageException("unexpected argument " + o.positional().get(0) + "\n" + USAGE);
        }
        try (Deployment d = Deployment.from(o, USAGE)) {
            Status status = read(d, o.value("--stream").orElse(""), Clock.systemUTC());
            if (o.flag("--json")) {
                out.println(JSON.writeValueAsString(json(status)));
            } else {
                print(status, d.commandOptions(), out);
            }
            return status.anyBlocked() ? 3 : 0;
        }
    }

    static Status read(Deployment d, String streamFilter, Clock clock) {
        String table = d.stateTable();
        FileLedger ledger = new FileLedger(d.dynamoDb(), table, clock, d.firstSequence(),
                FileLedger.DEFAULT_ARRIVAL_RETENTION);
        LedgerIndex index = new LedgerIndex(d.dynamoDb(), table);
        Instant now = clock.instant();
        List<StreamRow> streams = new ArrayList<>();
        for (String stream : index.streams()) {
            if (!stream.contains(streamFilter)) {
                continue;
            }
            StreamState state = ledger.state(stream);
            streams.add(new StreamRow(state, state.condition(now),
                    ledger.arrivalsFrom(stream, state.cursor().nextSeq()), ledger.skips(stream)));
        }
        PartitionCursor partitionCursor = new PartitionCursor(d.dynamoDb(), table, clock);
        List<PartitionCursor.Progress> partitions = new ArrayList<>();
        for (LedgerIndex.Partition p : index.partitions()) {
            partitionCursor.progress(p.topic(), p.partition()).ifPresent(partitions::add);
        }
        TableCursor tableCursor = new TableCursor(d.dynamoDb(), table, clock);
        List<TableProgress> tables = new ArrayList<>();
        for (String t : index.tables()) {
            tableCursor.progress(t).ifPresent(tables::add);
        }
        Optional<QuarantineCounts> quarantine = d.quarantineBucket().map(bucket -> {
            S3Quarantine q = new S3Quarantine(d.s3(), bucket, d.quarantinePrefix(), clock);
            Map<String, Long> counts = new TreeMap<>();
            // Reads every quarantined record: the quarantine is meant to stay small, and an alarm fires when it grows.
            q.forEach(null, r -> counts.merge(r.origin().kind() == Origin.Kind.KAFKA
                    ? r.origin().source() + "/" + r.origin().partition() : r.origin().source(), 1L, Long::sum));
            return new QuarantineCounts(q.location(), counts);
        });
        return new Status(d.description() + ", ledger " + table, now, streams, partitions, tables, quarantine);
    }

    /**
     * The readable status. Every command it suggests ends with {@code where} (the options this status was read with,
     * {@link Deployment#commandOptions()}), so it runs as printed against the same deployment.
     */
    static void print(Status s, String where, PrintStream out) {
        out.println("inorder status: " + s.where() + ", at " + s.at());
        out.println();
        out.println("S3 streams (" + s.streams().size() + ")");
        if (s.streams().isEmpty()) {
            out.println("  none recorded yet");
        } else {
            int width = Math.max(6, s.streams().stream().mapToInt(r -> r.state().stream().length()).max().orElse(0));
            String row = "  %-" + width + "s %-9s %6s %7s  %-28s %-22s %7s %5s%n";
            out.printf(row, "STREAM", "STATE", "NEXT", "WAITING", "GAP", "LEASE", "APPLIED", "SKIPS");
            for (StreamRow r : s.streams()) {
                var c = r.state().cursor();
                out.printf(row, r.state().stream(), word(r.condition()),
                        c.nextSeq(), r.filesWaiting(), gap(r.state(), s.at()), lease(r.state(), s.at()),
                        c.filesApplied(), r.skips().size());
            }
            for (StreamRow r : s.streams()) {
                if (r.condition() == StreamState.Condition.BLOCKED) {
                    Arrival w = r.state().firstWaiting().orElseThrow();
                    out.printf("  ! %s waits for file %d; file %d (%s) arrived %s ago. Find file %d in the bucket "
                            + "(the reconciler records it if its notification was lost) or skip it: inorder skip "
                            + "--stream %s --to %d --reason \"%s\" %s%n", r.state().stream(),
                            r.state().cursor().nextSeq(), w.seq(), w.key(),
                            age(r.state().gapAge(s.at()).orElse(Duration.ZERO)), r.state().cursor().nextSeq(),
                            Deployment.shellWord(r.state().stream()), w.seq(), SkipCommand.REASON_PLACEHOLDER, where);
                }
                for (SkipRecord k : r.skips()) {
                    out.printf("  skipped %s files %d..%d by %s at %s: %s%n", k.stream(), k.fromSeq(),
                            k.toSeq() - 1, k.skippedBy(), k.skippedAt(), k.reason());
                }
            }
        }
        out.println();
        out.println("Kafka partitions (" + s.partitions().size() + ")");
        if (s.partitions().isEmpty()) {
            out.println("  none recorded yet");
        } else {
            out.printf("  %-40s %9s %14s  %s%n", "TOPIC", "PARTITION", "LAST OFFSET", "UPDATED");
            for (PartitionCursor.Progress p : s.partitions()) {
                out.printf("  %-40s %9d %14d  %s ago%n", p.topic(), p.partition(), p.lastOffset(),
                        age(Duration.between(p.updatedAt(), s.at())));
            }
            for (PartitionCursor.Progress p : s.partitions()) {
                p.lastReset().ifPresent(r -> out.printf("  reset %s/%d from offset %d to %d by %s at %s: %s%n",
                        r.topic(), r.partition(), r.previousOffset(), r.lastOffset(), r.resetBy(), r.resetAt(),
                        r.reason()));
            }
        }
        out.println();
        out.println("Tables (" + s.tables().size() + ")");
        if (s.tables().isEmpty()) {
            out.println("  none recorded yet");
        } else {
            out.printf("  %-32s %-26s %-26s %10s %10s%n", "TABLE", "APPLIED THROUGH", "VISIBLE THROUGH", "LAG",
                    "DOCUMENTS");
            for (TableProgress t : s.tables()) {
                out.printf("  %-32s %-26s %-26s %10s %10d%n", t.sourceTable(), mark(t.applied()), mark(t.visible()),
                        lag(t), t.totals().documents());
            }
        }
        out.println();
        if (s.quarantine().isEmpty()) {
            out.println("Quarantine: not known here (add --quarantine-bucket B)");
            return;
        }
        QuarantineCounts q = s.quarantine().get();
        out.println("Quarantine (" + q.total() + " record" + (q.total() == 1 ? "" : "s") + " at " + q.location() + ")");
        q.bySource().forEach((source, n) -> out.printf("  %8d  %s%n", n, source));
        if (q.total() > 0) {
            out.println("  see them: inorder quarantine list " + where);
            out.println("  fix the config or the records, then replay them: inorder quarantine replay --help");
        }
    }

    /** Source time of a mark, or "-" (the commit check is off, or nothing yet). */
    private static String mark(Optional<TableProgress.Mark> m) {
        return m.map(x -> Instant.ofEpochMilli(x.sourceTimeMillis()).toString()).orElse("-");
    }

    /** Source-to-visible lag at the last visible mark: how long the newest visible change took to become visible. */
    private static String lag(TableProgress t) {
        return t.visible().map(v -> age(Duration.ofMillis(Math.max(0,
                v.recordedAt().toEpochMilli() - v.sourceTimeMillis())))).orElse("-");
    }

    private static String word(StreamState.Condition c) {
        return c.name().toLowerCase(Locale.ROOT);
    }

    private static String gap(StreamState s, Instant now) {
        if (s.next().isPresent() || s.firstWaiting().isEmpty()) {
            return "-";
        }
        return "file " + s.cursor().nextSeq() + " missing, " + age(s.gapAge(now).orElse(Duration.ZERO));
    }

    private static String lease(StreamState s, Instant now) {
        return s.cursor().liveLeaseOwner(now).map(o -> abbreviate(o, 12) + " "
                + age(Duration.between(now, s.cursor().leaseExpiresAt())) + " left").orElse("-");
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /** 45s, 12m05s, 3h02m, 2d04h. */
    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format("%dm%02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format("%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return String.format("%dd%02dh", s / 86_400, s % 86_400 / 3600);
    }

    static ObjectNode json(Status s) {
        ObjectNode root = JSON.createObjectNode();
        root.put("where", s.where());
        root.put("at", s.at().toString());
        ArrayNode streams = root.putArray("streams");
        for (StreamRow r : s.streams()) {
            var c = r.state().cursor();
            ObjectNode n = streams.addObject();
            n.put("stream", c.stream());
            n.put("state", word(r.condition()));
            n.put("nextSeq", c.nextSeq());
            n.put("inFileRecord", c.inFileRecord());
            n.put("filesWaiting", r.filesWaiting());
            if (r.state().next().isEmpty() && r.state().firstWaiting().isPresent()) {
                Arrival w = r.state().firstWaiting().get();
                ObjectNode g = n.putObject("gap");
                g.put("missingSeq", c.nextSeq());
                g.put("nextArrivedSeq", w.seq());
                g.put("nextArrivedKey", w.key());
                g.put("since", w.arrivedAt().toString());
                g.put("ageSeconds", r.state().gapAge(s.at()).orElse(Duration.ZERO).toSeconds());
            }
            c.liveLeaseOwner(s.at()).ifPresent(owner -> n.putObject("lease").put("owner", owner)
                    .put("expiresAt", c.leaseExpiresAt().toString()));
            n.put("filesApplied", c.filesApplied());
            n.put("recordsApplied", c.totals().records());
            n.put("documentsWritten", c.totals().documents());
            n.put("requestsSent", c.totals().requests());
            if (c.lastPosition() != null) {
                n.put("lastPosition", c.lastPosition());
            }
            if (c.updatedAt() != null) {
                n.put("updatedAt", c.updatedAt().toString());
            }
            ArrayNode skips = n.putArray("skips");
            for (SkipRecord k : r.skips()) {
                skips.addObject().put("fromSeq", k.fromSeq()).put("toSeq", k.toSeq()).put("reason", k.reason())
                        .put("skippedBy", k.skippedBy()).put("skippedAt", k.skippedAt().toString());
            }
        }
        ArrayNode partitions = root.putArray("partitions");
        for (PartitionCursor.Progress p : s.partitions()) {
            ObjectNode n = partitions.addObject().put("topic", p.topic()).put("partition", p.partition())
                    .put("lastOffset", p.lastOffset()).put("updatedAt", p.updatedAt().toString());
            p.lastReset().ifPresent(r -> n.putObject("lastReset").put("previousOffset", r.previousOffset())
                    .put("lastOffset", r.lastOffset()).put("reason", r.reason()).put("resetBy", r.resetBy())
                    .put("resetAt", r.resetAt().toString()));
        }
        s.quarantine().ifPresent(q -> {
            ObjectNode n = root.putObject("quarantine");
            n.put("location", q.location());
            n.put("records", q.total());
            ObjectNode by = n.putObject("bySource");
            q.bySource().forEach(by::put);
        });
        ArrayNode tables = root.putArray("tables");
        for (TableProgress t : s.tables()) {
            ObjectNode n = tables.addObject();
            n.put("table", t.sourceTable());
            t.applied().ifPresent(m -> markJson(n.putObject("appliedThrough"), m));
            t.visible().ifPresent(m -> markJson(n.putObject("visibleThrough"), m));
            t.visible().ifPresent(v -> n.put("sourceToVisibleLagMillis",
                    Math.max(0, v.recordedAt().toEpochMilli() - v.sourceTimeMillis())));
            n.put("recordsApplied", t.totals().records());
            n.put("documentsWritten", t.totals().documents());
        }
        return root;
    }

    private static void markJson(ObjectNode n, TableProgress.Mark m) {
        n.put("position", m.position());
        n.put("sourceTime", Instant.ofEpochMilli(m.sourceTimeMillis()).toString());
        n.put("recordedAt", m.recordedAt().toString());
    }
}
