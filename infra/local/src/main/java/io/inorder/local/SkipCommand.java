package io.inorder.local;

import io.inorder.ledger.FileLedger;
import io.inorder.ledger.SkipRecord;
import io.inorder.ledger.SkipRefusedException;
import io.inorder.ledger.StreamState;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Set;

/**
 * {@code inorder skip}: moves a stream that is blocked on missing files onto the next file that has arrived,
 * recording who, when, why and which files in the ledger. Refuses without a reason, and refuses unless the stream
 * is blocked exactly there (checked again inside the ledger's transaction, so a file that arrives meanwhile is never
 * skipped). The stream then resumes at its next notification or reconciler sweep.
 */
final class SkipCommand {

    static final String USAGE = """
            usage: inorder skip --stream BUCKET/STREAM --to SEQ --reason TEXT (--stack NAME | --table T | --local)
                                [--region R] [--by NAME]
              --stream S   the stream id as 'inorder status' prints it (bucket/stream)
              --to SEQ     the file to resume at: the first file waiting behind the gap; every file below it that
                           the stream still waits for is skipped (all must be missing)
              --reason T   why, recorded in the ledger with who and when (required)
              --by NAME    who, recorded with the skip (default: the local user name)
            """ + Deployment.OPTIONS_USAGE + """

            Exit 0 when skipped, 1 when refused (the message says why; nothing changed), 2 on usage errors.""";

    /** The reason {@code inorder status} prints in its skip suggestion, to be replaced: refused as a reason. */
    static final String REASON_PLACEHOLDER = "<why the files are gone>";

    private static final Set<String> VALUED = Options.union(Deployment.VALUED,
            Set.of("--stream", "--to", "--reason", "--by"));

    private SkipCommand() { }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(args, VALUED, Deployment.FLAGS, USAGE);
        if (o.flag("--help")) {
            out.println(USAGE);
            return 0;
        }
        String stream = o.required("--stream", USAGE);
        long to = o.longValue("--to", -1);
        if (to < 0) {
            throw new UsageException("--to SEQ is required: the first file waiting behind the gap ('inorder status' "
                    + "names it)\n" + USAGE);
        }
        String reason = o.value("--reason").orElse("");
        if (reason.isBlank()) {
            throw new UsageException("--reason is required: a skip loses the missing files' changes for good, and "
                    + "the ledger keeps why, for whoever asks later");
        }
        if (reason.strip().equals(REASON_PLACEHOLDER)) {
            throw new UsageException("--reason: replace " + REASON_PLACEHOLDER + " with the reason (a skip loses the "
                    + "missing files' changes for good; the ledger keeps why)");
        }
        String by = o.value("--by").orElse(System.getProperty("user.name", "unknown"));
        try (Deployment d = Deployment.from(o, USAGE)) {
            Clock clock = Clock.systemUTC();
            FileLedger ledger = new FileLedger(d.dynamoDb(), d.stateTable(), clock, d.firstSequence(),
                    FileLedger.DEFAULT_ARRIVAL_RETENTION);
            StreamState state = ledger.state(stream);
            if (state.condition(clock.instant()) != StreamState.Condition.BLOCKED) {
                err.println("inorder skip: refused: " + stream + " is not blocked ("
                        + state.condition(clock.instant()).name().toLowerCase(java.util.Locale.ROOT)
                        + ", next file " + state.cursor().nextSeq() + "); only a stream waiting on a missing file "
                        + "with later files behind it can be skipped");
                return 1;
            }
            SkipRecord skip;
            try {
                skip = ledger.skip(stream, state.cursor().nextSeq(), to, reason, by);
            } catch (SkipRefusedException refused) {
                err.println("inorder skip: refused: " + refused.getMessage());
                return 1;
            }
            out.printf("skipped: %s files %d..%d (%d missing file%s) by %s: %s%n", stream, skip.fromSeq(),
                    skip.toSeq() - 1, skip.files(), skip.files() == 1 ? "" : "s", by, skip.reason());
            out.printf("next:    file %d, already arrived; the stream resumes at its next notification or the "
                    + "reconciler's next sweep%n", skip.toSeq());
            return 0;
        }
    }
}
