package io.inorder.local;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code inorder invoke <kind> EVENT.json ...}: runs one sample event through a function on the embedded local stack,
 * the {@code sam local invoke} equivalent without Docker. Each kind of event has its own command.
 */
final class InvokeCommand {

    private static final Map<String, Inorder.Command> KINDS = new LinkedHashMap<>();

    static {
        KINDS.put("s3", InvokeS3Command::run);
        KINDS.put("msk", MskInvokeCommand::run);
    }

    private InvokeCommand() { }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            if (args.length == 0) {
                throw new UsageException("which event? usage: inorder invoke " + String.join("|", KINDS.keySet())
                        + " EVENT.json [options]   (inorder invoke <kind> --help for its options)");
            }
            out.println("usage: inorder invoke " + String.join("|", KINDS.keySet())
                    + " EVENT.json [options]   (inorder invoke <kind> --help for its options)");
            return 0;
        }
        Inorder.Command kind = KINDS.get(args[0]);
        if (kind == null) {
            throw new UsageException("unknown event kind '" + args[0] + "': use one of "
                    + String.join(", ", KINDS.keySet()));
        }
        return kind.run(Arrays.copyOfRange(args, 1, args.length), out, err);
    }
}
