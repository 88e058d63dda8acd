package io.inorder.local;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.mapping.TableConfigException;
import io.inorder.msk.KafkaBatchResponse;
import io.inorder.pipeline.IngestConfig;
import io.inorder.pipeline.KafkaIngest;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code inorder invoke msk}: runs one MSK event file through the unchanged {@code MskIngestHandler} on the embedded
 * local stack (DynamoDB Local, S3Proxy, the Write API emulator), prints the handler's response, the partition cursors
 * and the quarantined records, and dumps the final collections in {@code inorder replay}'s format.
 */
final class MskInvokeCommand {

    static final String USAGE = """
            usage: inorder invoke msk EVENT.json --config tables.json [--dump OUT.json] [--report-batch-item-failures]
                                      [--snapshots-complete] [--faults SPEC [--retry-max-attempts N]] [--verbose]
              EVENT.json       an MSK event as the event source mapping sends it (see events/msk-*.json)
              --config FILE    the table config (workspace, tables, primary keys, optional "topics")
              --dump OUT.json  write the final collections: {"<ws>.<collection>": {"<_id>": {document}}}
              --report-batch-item-failures
                               answer a transient failure with batchItemFailures instead of failing the invocation
              --snapshots-complete
                               declare every table's snapshot complete first (as `inorder snapshot complete` after
                               the snapshot topics were applied); without it, change topics of split-topic tables
                               are held
              --faults SPEC    Write API emulator faults, e.g. 503:1.0 (see inorder emulator --help)
              --retry-max-attempts N
                               attempts per Write API request before giving up (default 0: until the deadline)
              --verbose        the function's INFO logs and metrics on stderr (default: WARN and above)
            Prints the response JSON, the cursors and the quarantined records. Exit 0 when the batch was handled,
            1 when the invocation failed (the event source would retry the batch), 2 on usage or config errors.""";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private MskInvokeCommand() { }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(args, Set.of("--config", "--dump", "--faults", "--retry-max-attempts"),
                Set.of("--report-batch-item-failures", "--snapshots-complete", "--verbose"), USAGE);
        if (o.flag("--help")) {
            out.println(USAGE);
            return 0;
        }
        if (o.positional().size() > 1) {
            throw new UsageException("unexpected argument " + o.positional().get(1) + "\n" + USAGE);
        }
        Path event = o.positional().isEmpty() ? null : Path.of(o.positional().get(0));
        Path configFile = o.value("--config").map(Path::of).orElse(null);
        Path dump = o.value("--dump").map(Path::of).orElse(null);
        boolean report = o.flag("--report-batch-item-failures");
        String faults = o.value("--faults").orElse(null);
        boolean verbose = o.flag("--verbose");
        String retryMaxAttempts = o.value("--retry-max-attempts").orElse(null);
        if (event == null || configFile == null) {
            throw new UsageException("need an event file and --config\n" + USAGE);
        }
        String config;
        try {
            config = Files.readString(configFile);
        } catch (NoSuchFileException e) {
            throw new UsageException("config file " + configFile + " does not exist");
        }
        KafkaEvent kafkaEvent;
        try {
            kafkaEvent = LocalMskFunction.loadEvent(event);
        } catch (NoSuchFileException e) {
            throw new UsageException("event file " + event + " does not exist");
        }
        Map<String, String> env = new HashMap<>();
        env.put(IngestConfig.REPORT_BATCH_ITEM_FAILURES.name(), Boolean.toString(report));
        if (retryMaxAttempts != null) {
            env.put(IngestConfig.RETRY_MAX_ATTEMPTS.name(), retryMaxAttempts);
        }
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        try (LocalStack stack = LocalStack.start();
             LocalMskFunction function = newFunction(stack, config, env, verbose ? err : new WarnFilter(err),
                     verbose ? err : quiet)) {
            if (faults != null) {
                stack.emulator().faults().set(faults);
            }
            if (o.flag("--snapshots-complete")) {
                function.tables().tables().forEach(t -> function.completeSnapshot(t.table()));
            }
            int exit = 0;
            try {
                KafkaBatchResponse response = function.invoke(kafkaEvent);
                out.println(LocalMskFunction.responseJson(response));
            } catch (KafkaIngest.PartitionsUnwrittenException e) {
                err.println("invocation failed, the event source would retry the batch: " + e.getMessage());
                exit = 1;
            }
            stack.emulator().faults().clear();
            ObjectNode cursors = JSON.createObjectNode();
            if (kafkaEvent.getRecords() != null) {
                kafkaEvent.getRecords().values().stream().flatMap(List::stream)
                        .map(r -> Map.entry(r.getTopic(), r.getPartition())).distinct()
                        .sorted(Map.Entry.<String, Integer>comparingByKey().thenComparing(Map.Entry.comparingByValue()))
                        .forEach(tp -> {
                            var offset = function.cursor(tp.getKey(), tp.getValue());
                            if (offset.isPresent()) {
                                cursors.put(tp.getKey() + "-" + tp.getValue(), offset.getAsLong());
                            } else {
                                cursors.putNull(tp.getKey() + "-" + tp.getValue());
                            }
                        });
            }
            out.println("cursors " + cursors.toString());
            for (ObjectNode q : function.quarantined()) {
                q.remove("raw");
                out.println("quarantined " + q);
            }
            ObjectNode state = function.collections();
            if (dump != null) {
                Path parent = dump.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                JSON.writeValue(dump.toFile(), state);
            }
            return exit;
        } catch (TableConfigException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The function over the stack; a configuration error becomes a usage error naming the variable or field. */
    private static LocalMskFunction newFunction(LocalStack stack, String config, Map<String, String> env,
            PrintStream logs, PrintStream metrics) throws UsageException {
        try {
            return new LocalMskFunction(stack, config, env, KafkaIngest.DEFAULT_PARALLELISM, logs, metrics);
        } catch (io.inorder.pipeline.ConfigurationException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** Passes the function's WARN and ERROR log lines through, drops the rest (INFO and below). */
    private static final class WarnFilter extends PrintStream {

        private final PrintStream to;

        WarnFilter(PrintStream to) {
            super(OutputStream.nullOutputStream(), true, java.nio.charset.StandardCharsets.UTF_8);
            this.to = to;
        }

        @Override
        public void println(String line) {
            if (line != null && (line.contains("\"level\":\"WARN\"") || line.contains("\"level\":\"ERROR\""))) {
                to.println(line);
            }
        }

        @Override
        public void println(Object line) {
            println(String.valueOf(line));
        }
    }
}
