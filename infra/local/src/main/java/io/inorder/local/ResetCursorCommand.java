package io.inorder.local;

import io.inorder.ledger.CursorReset;
import io.inorder.ledger.CursorResetRefusedException;
import io.inorder.ledger.PartitionCursor;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;

/**
 * {@code inorder reset-cursor}: moves a Kafka partition cursor back so that records from an offset on are applied
 * again — after the topic was recreated (its offsets restarted at 0, so every record looked like a redelivery) or to
 * replay a range on purpose — recording who, when, why and the previous offset in the ledger, as {@code skip} does
 * for a stream. Refuses without a reason, forward (that would skip records), and when the cursor moved since it was
 * read (the partition is being consumed: disable its mapping first).
 */
final class ResetCursorCommand {

    static final String USAGE = """
            usage: inorder reset-cursor --topic T --partition P --to-offset N --reason TEXT
                                        (--stack NAME | --table T | --local) [--region R] [--by NAME]
              --topic T       the topic as 'inorder status' prints it
              --partition P   its partition
              --to-offset N   the first offset to apply again (0 for a recreated topic); the cursor moves to N - 1.
                              Only back: records above the cursor apply anyway
              --reason T      why, recorded in the ledger with who, when and the previous offset (required)
              --by NAME       who, recorded with the reset (default: the local user name)
            """ + Deployment.OPTIONS_USAGE + """

            Disable the partition's event source mapping first, and move its consumer group to the same offset if it
            is past it (the command prints how). Exit 0 when reset, 1 when refused (the message says why; nothing
            changed), 2 on usage errors.""";

    /** The reason a suggestion would carry, to be replaced: refused as a reason. */
    static final String REASON_PLACEHOLDER = "<why the offsets must apply again>";

    private static final Set<String> VALUED = Options.union(Deployment.VALUED,
            Set.of("--topic", "--partition", "--to-offset", "--reason", "--by"));

    private ResetCursorCommand() { }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(args, VALUED, Deployment.FLAGS, USAGE);
        if (o.flag("--help")) {
            out.println(USAGE);
            return 0;
        }
        if (!o.positional().isEmpty()) {
            throw new UsageException("unexpected argument " + o.positional().get(0) + "\n" + USAGE);
        }
        String topic = o.required("--topic", USAGE);
        long partition = o.longValue("--partition", -1);
        if (partition < 0 || partition > Integer.MAX_VALUE) {
            throw new UsageException("--partition P is required: the partition whose cursor to move back\n" + USAGE);
        }
        long to = o.longValue("--to-offset", -1);
        if (to < 0) {
            throw new UsageException("--to-offset N is required: the first offset to apply again (0 for a recreated "
                    + "topic)\n" + USAGE);
        }
        String reason = o.value("--reason").orElse("");
        if (reason.isBlank()) {
            throw new UsageException("--reason is required: a reset applies offsets again, and the ledger keeps why, "
                    + "for whoever asks later");
        }
        if (reason.strip().equals(REASON_PLACEHOLDER)) {
            throw new UsageException("--reason: replace " + REASON_PLACEHOLDER + " with the reason (the ledger keeps "
                    + "it)");
        }
        String by = o.value("--by").orElse(System.getProperty("user.name", "unknown"));
        try (Deployment d = Deployment.from(o, USAGE)) {
            PartitionCursor cursors = new PartitionCursor(d.dynamoDb(), d.stateTable(), Clock.systemUTC());
            Optional<PartitionCursor.Progress> now = cursors.progress(topic, (int) partition);
            if (now.isEmpty()) {
                err.println("inorder reset-cursor: refused: " + topic + "/" + partition + " has no cursor: nothing "
                        + "of it was applied, so nothing is skipped there; check the topic and partition "
                        + "('inorder status')");
                return 1;
            }
            CursorReset reset;
            try {
                reset = cursors.reset(topic, (int) partition, to, now.get().lastOffset(), reason, by);
            } catch (CursorResetRefusedException refused) {
                err.println("inorder reset-cursor: refused: " + refused.getMessage());
                return 1;
            }
            out.printf("reset:   %s/%d last applied offset %d -> %d by %s: %s%n", topic, partition,
                    reset.previousOffset(), reset.lastOffset(), by, reset.reason());
            out.printf("next:    records from offset %d on apply when the event source delivers them. It delivers "
                    + "from its consumer group's committed offset: if that is past %d, move the group back while the "
                    + "mapping is disabled: kafka-consumer-groups.sh --bootstrap-server <brokers> --group <group> "
                    + "--topic %s:%d --reset-offsets --to-offset %d --execute%n", reset.fromOffset(),
                    reset.fromOffset(), topic, partition, reset.fromOffset());
            return 0;
        }
    }
}
