package io.inorder.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.ledger.Arrival;
import io.inorder.ledger.FileLedger;
import io.inorder.ledger.LedgerIndex;
import io.inorder.ledger.PartitionCursor;
import io.inorder.ledger.SkipRecord;
import io.inorder.ledger.StreamCursor;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
    /** Concurrent ledger reads: enough to hide DynamoDB's per-request latency, few enough not to be throttled. */
    static final int READERS = 32;

    /** One stream's row: its state (one classification, shared with the reconciler), files waiting, skips. */
    record StreamRow(StreamState state, StreamState.Condition condition, long filesWaiting, List<SkipRecord> skips) { }

    /**
     * Quarantined records per source (S3 stream, or topic/partition), as counted in the ledger when they were
     * quarantined (records replayed since are still counted); {@code location} when the quarantine bucket is known.
     */
    record QuarantineCounts(Optional<String> location, Map<String, Long> bySource) {
        long total() {
            return bySource.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Everything status shows, read at {@code at}. */
    record Status(String where, Instant at, List<StreamRow> streams, List<PartitionCursor.Progress> partitions,
                  List<TableProgress> tables, QuarantineCounts quarantine) {

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
        return read(d, streamFilter, clock, READERS);
    }

    /**
     * Reads the status with {@code readers} concurrent ledger reads: the stream cursors 100 per BatchGetItem, then per
     * stream one query for its next or first waiting file, and the count of waiting files and the skip records only
     * where there are some. Quarantined records are counted off the cursors (added with each checkpoint), not read.
     * So 10,000 streams take seconds (BENCHMARKS.md, "10,000 streams"), with the operator's credentials.
     */
    static Status read(Deployment d, String streamFilter, Clock clock, int readers) {
        String table = d.stateTable();
        FileLedger ledger = new FileLedger(d.dynamoDb(), table, clock, d.firstSequence(),
                FileLedger.DEFAULT_ARRIVAL_RETENTION);
        LedgerIndex index = new LedgerIndex(d.dynamoDb(), table);
        Instant now = clock.instant();
        List<String> names = index.streams().stream().filter(s -> s.contains(streamFilter)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(readers, r -> {
            Thread t = new Thread(r, "status-reader");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, StreamCursor> cursors = ledger.cursors(names);
            List<Future<StreamRow>> rows = new ArrayList<>();
            for (String stream : names) {
                StreamCursor cursor = cursors.get(stream);
                rows.add(pool.submit(() -> {
                    StreamState state = ledger.state(cursor);
                    boolean waiting = state.next().isPresent() || state.firstWaiting().isPresent();
                    return new StreamRow(state, state.condition(now),
                            waiting ? ledger.arrivalsFrom(stream, cursor.nextSeq()) : 0,
                            cursor.filesSkipped() > 0 ? ledger.skips(stream) : List.of());
                }));
            }
            PartitionCursor partitionCursor = new PartitionCursor(d.dynamoDb(), table, clock);
            List<Future<Optional<PartitionCursor.Progress>>> partitionReads = new ArrayList<>();
            for (LedgerIndex.Partition p : index.partitions()) {
                partitionReads.add(pool.submit(() -> partitionCursor.progress(p.topic(), p.partition())));
            }
            TableCursor tableCursor = new TableCursor(d.dynamoDb(), table, clock);
            List<Future<Optional<TableProgress>>> tableReads = new ArrayList<>();
            for (String t : index.tables()) {
                tableReads.add(pool.submit(() -> tableCursor.progress(t)));
            }
            List<StreamRow> streams = new ArrayList<>();
            for (Future<StreamRow> row : rows) {
                streams.add(await(row));
            }
            List<PartitionCursor.Progress> partitions = new ArrayList<>();
            for (Future<Optional<PartitionCursor.Progress>> p : partitionReads) {
                await(p).ifPresent(partitions::add);
            }
            List<TableProgress> tables = new ArrayList<>();
            for (Future<Optional<TableProgress>> t : tableReads) {
                await(t).ifPresent(tables::add);
            }
            Map<String, Long> quarantined = new TreeMap<>();
            streams.forEach(r -> count(quarantined, r.state().stream(), r.state().cursor().totals().quarantined()));
            partitions.forEach(p -> count(quarantined, p.topic() + "/" + p.partition(), p.quarantined()));
            String location = d.quarantineBucket().map(bucket -> new S3Quarantine(d.s3(), bucket,
                    d.quarantinePrefix(), clock).location()).orElse(null);
            return new Status(d.description() + ", ledger " + table, now, streams, partitions, tables,
                    new QuarantineCounts(Optional.ofNullable(location), quarantined));
        } finally {
            pool.shutdownNow();
        }
    }

    private static void count(Map<String, Long> counts, String source, long quarantined) {
        if (quarantined > 0) {
            counts.put(source, quarantined);
        }
    }

    private static <T> T await(Future<T> read) {
        try {
            return read.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the ledger", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("reading the ledger failed: " + e.getCause(), e.getCause());
        }
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
        QuarantineCounts q = s.quarantine();
        out.println("Quarantine (" + q.total() + " record" + (q.total() == 1 ? "" : "s")
                + q.location().map(l -> " at " + l).orElse(", location not known here: add --quarantine-bucket B")
                + ")");
        q.bySource().forEach((source, n) -> out.printf("  %8d  %s%n", n, source));
        if (q.total() > 0 && q.location().isPresent()) {
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
        ObjectNode quarantine = root.putObject("quarantine");
        s.quarantine().location().ifPresent(l -> quarantine.put("location", l));
        quarantine.put("records", s.quarantine().total());
        ObjectNode by = quarantine.putObject("bySource");
        s.quarantine().bySource().forEach(by::put);
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
