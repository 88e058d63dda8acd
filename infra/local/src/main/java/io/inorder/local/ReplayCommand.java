package io.inorder.local;

import io.inorder.mapping.TableConfig;
import io.inorder.mapping.TableConfigException;
import io.inorder.observe.Log;
import io.inorder.pipeline.ConfigurationException;
import io.inorder.pipeline.S3KeyPattern;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * {@code inorder replay}: replays a directory of Arcion files through the real S3 function on the embedded local
 * stack. Every file is uploaded (its relative path is the key), then one S3 event per file is delivered in the chosen
 * order (optionally each twice), asynchronously and concurrently as Lambda delivers them; the run ends when the
 * pipeline is idle.
 */
final class ReplayCommand {

    static final String USAGE = """
            usage: inorder replay --config tables.json --dir DIR [--order sorted|reverse|shuffled] [--seed N]
                                  [--duplicates] [--dump OUT.json] [--verbose]
              --config FILE    the table config (workspace, tables, primary keys)
              --dir DIR        the Arcion files; each file's path under DIR is its S3 key
              --order ORDER    the order the S3 events arrive in: sorted (by stream, then sequence number; default),
                               reverse, or shuffled (by --seed)
              --seed N         the seed of shuffled and of --duplicates (default: random, printed)
              --duplicates     deliver every event twice, the copy at a random position
              --dump OUT.json  write the final collections: {"<ws>.<collection>": {"<_id>": {document}}}
              --verbose        the functions' INFO logs on stderr (default: WARN and above)
            Exit 0 when every file was applied, 3 when streams wait on a missing file (named in the summary),
            1 when an invocation failed even after Lambda's two retries, 2 on usage or config errors.""";

    /** The order the events are delivered in. */
    enum Order { SORTED, REVERSE, SHUFFLED }

    /** Longest a replay may take before it is reported as stuck. */
    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(10);

    private ReplayCommand() { }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(args, Set.of("--config", "--dir", "--order", "--seed", "--dump"),
                Set.of("--duplicates", "--verbose"), USAGE);
        if (o.flag("--help")) {
            out.println(USAGE);
            return 0;
        }
        if (!o.positional().isEmpty()) {
            throw new UsageException("unexpected argument " + o.positional().get(0) + "\n" + USAGE);
        }
        Path configFile = Path.of(o.required("--config", USAGE));
        Path dir = Path.of(o.required("--dir", USAGE));
        Order order = Order.SORTED;
        if (o.has("--order")) {
            String text = o.value("--order").get();
            try {
                order = Order.valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--order '" + text + "' must be sorted, reverse or shuffled");
            }
        }
        Long seed = o.has("--seed") ? o.longValue("--seed", 0) : null;
        boolean duplicates = o.flag("--duplicates");
        Path dump = o.value("--dump").map(Path::of).orElse(null);
        boolean verbose = o.flag("--verbose");
        if (!Files.isDirectory(dir)) {
            throw new UsageException("--dir " + dir + ": not a directory");
        }
        String configText = readConfig(configFile);
        long usedSeed = seed != null ? seed : new Random().nextLong();
        Random random = new Random(usedSeed);

        try (LocalStack stack = LocalStack.start();
             LocalS3Function function = deploy(stack, configText, configFile, err, verbose)) {
            List<LocalS3Function.Uploaded> files = function.uploadAll(LocalS3Function.LANDING_BUCKET, dir);
            if (files.isEmpty()) {
                throw new UsageException("--dir " + dir + ": no files to replay");
            }
            List<LocalS3Function.Uploaded> events = arrivalOrder(files, order, duplicates, random,
                    function.config().keyPattern());
            out.printf("replay:       %d files uploaded, %d events delivered (order %s%s, seed %d)%n", files.size(),
                    events.size(), order.name().toLowerCase(Locale.ROOT), duplicates ? ", duplicates" : "", usedSeed);
            for (LocalS3Function.Uploaded e : events) {
                function.deliver(List.of(e));
            }
            function.awaitIdle(IDLE_TIMEOUT);
            LocalS3Function.Summary summary = function.summary();
            String workspace = function.config().tables().workspace();
            RunReport.print(summary, stack.emulator(), workspace, function.collections(), out);
            if (dump != null) {
                StateDump.write(stack.emulator(), workspace, function.collections(), dump);
                out.println("dump:         " + dump);
            }
            return RunReport.exitCode(summary, "replay", err);
        }
    }

    /** Reads and validates the table config, so mistakes are usage errors (exit 2) before anything starts. */
    static String readConfig(Path configFile) throws UsageException, IOException {
        try {
            TableConfig.load(configFile);
        } catch (TableConfigException e) {
            throw new UsageException(e.getMessage());
        }
        return Files.readString(configFile);
    }

    static LocalS3Function deploy(LocalStack stack, String configText, Path configFile, PrintStream err,
            boolean verbose) throws UsageException {
        try {
            return LocalS3Function.deploy(stack, configText, Map.of(), err, verbose ? Log.Level.INFO : Log.Level.WARN);
        } catch (ConfigurationException e) {
            throw new UsageException(configFile + ": " + e.getMessage());
        }
    }

    /** The delivery order: sorted by stream then numeric sequence (unmatched keys last), reversed or shuffled. */
    static List<LocalS3Function.Uploaded> arrivalOrder(List<LocalS3Function.Uploaded> files, Order order,
            boolean duplicates, Random random, S3KeyPattern pattern) {
        Comparator<LocalS3Function.Uploaded> byStreamThenSeq = Comparator
                .comparing((LocalS3Function.Uploaded u) -> pattern.match(u.key()).isEmpty())
                .thenComparing(u -> pattern.match(u.key()).map(S3KeyPattern.Match::stream).orElse(u.key()))
                .thenComparingLong(u -> pattern.match(u.key()).map(S3KeyPattern.Match::seq).orElse(0L))
                .thenComparing(LocalS3Function.Uploaded::key);
        List<LocalS3Function.Uploaded> list = new ArrayList<>(files);
        list.sort(byStreamThenSeq);
        switch (order) {
            case REVERSE -> Collections.reverse(list);
            case SHUFFLED -> Collections.shuffle(list, random);
            default -> { }
        }
        if (duplicates) {
            for (LocalS3Function.Uploaded f : files) {
                list.add(random.nextInt(list.size() + 1), f);
            }
        }
        return list;
    }
}
