package io.inorder.local;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code inorder} command: one entry point, one subcommand per job. Exit codes: 0 success, 2 usage or
 * configuration error; subcommands document any others.
 */
public final class Inorder {

    /** A subcommand: takes its own arguments, returns the process exit code. */
    interface Command {
        int run(String[] args, PrintStream out, PrintStream err) throws Exception;
    }

    private record Entry(String summary, Command command) { }

    private static final Map<String, Entry> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("normalize", new Entry("print the Write API operations Arcion files map to (a dry run)",
                NormalizeCommand::run));
        COMMANDS.put("emulator", new Entry("run the local Write API emulator", EmulatorCommand::run));
        COMMANDS.put("demo", new Entry("a realistic Arcion workload, shuffled, duplicated and faulted, verified",
                DemoCommand::run));
        COMMANDS.put("serve", new Entry("keep the embedded local stack running and print its endpoints",
                ServeCommand::run));
        COMMANDS.put("replay", new Entry("replay a directory of Arcion files through the S3 function, locally",
                ReplayCommand::run));
        COMMANDS.put("invoke", new Entry("run one sample event through a function, locally (invoke s3|msk ...)",
                InvokeCommand::run));
        COMMANDS.put("status", new Entry("where every stream, partition and table stands; gaps, leases, skips",
                StatusCommand::run));
        COMMANDS.put("skip", new Entry("move a stream blocked on missing files past them, with a recorded reason",
                SkipCommand::run));
        COMMANDS.put("reset-cursor", new Entry("move a Kafka partition cursor back (a recreated topic), with a recorded "
                + "reason", ResetCursorCommand::run));
        COMMANDS.put("snapshot", new Entry("split-topic tables: is the snapshot loading or complete; declare it complete",
                SnapshotCommand::run));
        COMMANDS.put("quarantine", new Entry("list, show and replay quarantined records (quarantine list|show|replay)",
                QuarantineCommand::run));
    }

    private Inorder() { }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            usage(args.length == 0 ? err : out);
            return args.length == 0 ? 2 : 0;
        }
        Entry entry = COMMANDS.get(args[0]);
        if (entry == null) {
            err.println("inorder: unknown command '" + args[0] + "'");
            usage(err);
            return 2;
        }
        try {
            return entry.command().run(Arrays.copyOfRange(args, 1, args.length), out, err);
        } catch (UsageException e) {
            err.println("inorder " + args[0] + ": " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("inorder " + args[0] + ": " + e);
            return 1;
        }
    }

    private static void usage(PrintStream to) {
        to.println("usage: inorder <command> [options]   (inorder <command> --help for its options)");
        to.println();
        COMMANDS.forEach((name, e) -> to.printf("  %-12s %s%n", name, e.summary()));
        // bench lives in infra/bench (it depends on this module); the wrapper script routes it there.
        to.printf("  %-12s %s%n", "bench", "benchmarks against the limits, written to BENCHMARKS.md (./inorder bench)");
    }
}
