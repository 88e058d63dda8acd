package io.inorder.local;

import io.inorder.ledger.LedgerIndex;
import io.inorder.ledger.PartitionCursor;
import io.inorder.ledger.SnapshotGate;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code inorder snapshot status|complete}: the snapshot gates of tables whose snapshot and changes arrive on separate
 * Kafka topics (Arcion's default {@code split-topic: true}). While a table's snapshot is loading its change partitions
 * are held; {@code complete} is the operator's declaration that every row of the snapshot topic was applied, after
 * which the changes flow and snapshot rows are refused. The gate refuses the declaration while a snapshot partition is
 * being written.
 */
final class SnapshotCommand {

    static final String USAGE = """
            usage: inorder snapshot status [TABLE...] (--stack NAME | --table T | --local) [--region R]
                   inorder snapshot complete TABLE... (--stack NAME | --table T | --local) [--region R] [--by NAME]
              TABLE        a source table as the table config names it (catalog.schema.name), e.g. shop.orders
              status       each table's gate: loading (changes held, since when, by which partition) or complete
                           (when, by whom); with no TABLE, every table with a gate; and the last applied offset of
                           the table's topics under Arcion's default names
              complete     declare the snapshot of each TABLE complete: do it once Replicant has written the
                           table's whole snapshot and the snapshot topic's consumer group shows no lag (see the
                           README, "Snapshot and changes on separate topics"); changes then flow, and snapshot rows
                           that still arrive are quarantined
              --by NAME    who declares it, recorded in the ledger (default: the local user name)
            """ + Deployment.OPTIONS_USAGE + """

            Exit 0; 1 when a declaration was refused (a snapshot partition is being written: retry after its
            invocation ends); 2 on usage errors.""";

    private static final Set<String> VALUED = Options.union(Deployment.VALUED, Set.of("--by"));

    private SnapshotCommand() { }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(args, VALUED, Deployment.FLAGS, USAGE);
        if (o.flag("--help")) {
            out.println(USAGE);
            return 0;
        }
        List<String> positional = o.positional();
        if (positional.isEmpty() || !Set.of("status", "complete").contains(positional.get(0))) {
            throw new UsageException("say what: inorder snapshot status|complete\n" + USAGE);
        }
        List<String> tables = positional.subList(1, positional.size());
        if (positional.get(0).equals("complete") && tables.isEmpty()) {
            throw new UsageException("name the table(s) whose snapshot is complete, e.g. inorder snapshot complete "
                    + "shop.orders --stack inorder\n" + USAGE);
        }
        String by = o.value("--by").orElse(System.getProperty("user.name", "unknown"));
        try (Deployment d = Deployment.from(o, USAGE)) {
            Clock clock = Clock.systemUTC();
            SnapshotGate gate = new SnapshotGate(d.dynamoDb(), d.stateTable(), clock);
            if (positional.get(0).equals("status")) {
                LedgerIndex index = new LedgerIndex(d.dynamoDb(), d.stateTable());
                List<String> names = tables.isEmpty() ? index.snapshotGates() : tables;
                if (names.isEmpty()) {
                    out.println("no snapshot gate recorded: no split-topic table has had a snapshot or change "
                            + "partition applied yet");
                }
                PartitionCursor cursors = new PartitionCursor(d.dynamoDb(), d.stateTable(), clock);
                List<LedgerIndex.Partition> partitions = index.partitions();
                for (String t : names) {
                    print(gate.status(t), partitions, cursors, clock.instant(), out);
                }
                return 0;
            }
            int exit = 0;
            for (String t : tables) {
                SnapshotGate.Completion c = gate.complete(t, by);
                if (c instanceof SnapshotGate.Completed done) {
                    out.printf("%s: snapshot complete (declared by %s at %s); its changes flow from the next "
                            + "delivery of each held partition, and snapshot rows arriving from now on are "
                            + "quarantined%n", t, by, done.at());
                } else if (c instanceof SnapshotGate.AlreadyComplete already) {
                    out.printf("%s: already complete (declared by %s at %s)%n", t, already.by(), already.at());
                } else {
                    SnapshotGate.WritersActive busy = (SnapshotGate.WritersActive) c;
                    err.printf("%s: refused: snapshot rows are being written now by %s; retry once those invocations "
                            + "have ended (each lease lasts the function's timeout and a minute at most)%n", t,
                            busy.writers());
                    exit = 1;
                }
            }
            return exit;
        }
    }

    private static void print(SnapshotGate.Status s, List<LedgerIndex.Partition> partitions, PartitionCursor cursors,
            Instant now, PrintStream out) {
        if (s.state() == SnapshotGate.State.COMPLETE) {
            out.printf("%s: complete since %s (declared by %s)%n", s.table(), s.completedAt(), s.completedBy());
        } else {
            out.printf("%s: loading — changes are held until `inorder snapshot complete %s`%n", s.table(), s.table());
            for (Map.Entry<String, Instant> w : s.writers().entrySet()) {
                out.printf("  snapshot being written by %s (lease until %s)%n", w.getKey(), w.getValue());
            }
            for (Map.Entry<String, Instant> h : s.held().entrySet()) {
                out.printf("  changes held on %s since %s (%d min)%n", h.getKey(), h.getValue(),
                        java.time.Duration.between(h.getValue(), now).toMinutes());
            }
        }
        String base = s.table().replace('.', '_').toLowerCase(Locale.ROOT);
        List<String> offsets = new ArrayList<>();
        for (LedgerIndex.Partition p : partitions) {
            String topic = p.topic().toLowerCase(Locale.ROOT);
            if (topic.equals(base) || topic.equals(base + "_cdc_logs")) {
                cursors.progress(p.topic(), p.partition()).ifPresent(pr -> offsets.add(pr.topic() + "-"
                        + pr.partition() + " at " + pr.lastOffset()));
            }
        }
        if (!offsets.isEmpty()) {
            out.printf("  last applied offsets: %s%n", String.join(", ", offsets));
        }
    }
}
