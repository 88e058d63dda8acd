package io.inorder.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.inorder.arcion.Origin;
import io.inorder.mapping.TableConfig;
import io.inorder.mapping.TableConfigException;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.pipeline.ConfigurationException;
import io.inorder.pipeline.IngestConfig;
import io.inorder.pipeline.IngestServices;
import io.inorder.pipeline.QuarantineReplay;
import io.inorder.pipeline.QuarantinedRecord;
import io.inorder.pipeline.S3Quarantine;
import io.inorder.writeapi.ApiKeySource;
import io.inorder.writeapi.Deadline;
import io.inorder.writeapi.Delete;
import io.inorder.writeapi.Patch;
import io.inorder.writeapi.Upsert;
import io.inorder.writeapi.WriteOp;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.SsmClientBuilder;

/**
 * {@code inorder quarantine list|show|replay}: reads the quarantine the functions write, and sends chosen records
 * through the pipeline again after the user fixed the table config or the record. Replay never runs without an
 * explicit selection and always says, before writing, that a replayed change lands after everything its stream
 * applied since, which can move a document back.
 */
final class QuarantineCommand {

    static final String USAGE = """
            usage: inorder quarantine list [--source S] [--json] WHERE
                   inorder quarantine show ID [--raw] WHERE
                   inorder quarantine replay (ID... | --source S | --all) [--with FILE] [--config tables.json]
                                             [--dry-run] WHERE
              list             every quarantined record: id, origin, time, reason; a count per source at the end
                --source S     only the records of S: an S3 key, a Kafka topic, or topic/partition
                --json         one JSON object per record on stdout (the counts go to stderr)
              show ID          one record: origin, reason, time, and its bytes as text (or base64)
                --raw          only the record's bytes, exactly, e.g. to fix them: show ID --raw > rec.json
              replay           sends the chosen records through the readers, the table config and the Write API
                               again, per stream in their original order; removes those the Write API acknowledged;
                               a record still bad stays quarantined with its new reason
                --source S     every record of S;  --all: every record in the quarantine
                --with FILE    the fixed bytes of the one chosen ID (for a CSV line without "csvColumns" in the
                               config: the header line and the fixed line)
                --config FILE  the table config to map with (default: the stack's TABLE_CONFIG or
                               TABLE_CONFIG_PARAMETER; required with --local)
                --dry-run      print the operations replay would send; write nothing, remove nothing
            %s
            Exit 0 on success (replay: every chosen record applied and removed), 1 when a record named is not
            quarantined or a replayed record stays quarantined (still bad or not sent), 2 on usage or config errors."""
            .formatted(Deployment.OPTIONS_USAGE);

    /** How long a replay may keep retrying the Write API before the records not yet sent stay quarantined. */
    static final Duration REPLAY_TIME_LIMIT = Duration.ofMinutes(10);

    private static final Set<String> SOURCE = Set.of("--source");
    private static final ObjectMapper JSON = new ObjectMapper();

    private QuarantineCommand() { }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0) {
            throw new UsageException("say what: list, show or replay\n" + USAGE);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "--help", "-h", "help" -> {
                out.println(USAGE);
                return 0;
            }
            case "list" -> {
                Options o = Options.parse(rest, Options.union(Deployment.VALUED, SOURCE),
                        Options.union(Deployment.FLAGS, Set.of("--json")), USAGE);
                return o.flag("--help") ? help(out) : list(o, out, err);
            }
            case "show" -> {
                Options o = Options.parse(rest, Deployment.VALUED, Options.union(Deployment.FLAGS, Set.of("--raw")),
                        USAGE);
                return o.flag("--help") ? help(out) : show(o, out, err);
            }
            case "replay" -> {
                Options o = Options.parse(rest, Options.union(Deployment.VALUED, SOURCE, Set.of("--with", "--config")),
                        Options.union(Deployment.FLAGS, Set.of("--all", "--dry-run")), USAGE);
                return o.flag("--help") ? help(out) : replay(o, out, err);
            }
            default -> throw new UsageException("unknown subcommand '" + args[0] + "': list, show or replay\n"
                    + USAGE);
        }
    }

    private static int help(PrintStream out) {
        out.println(USAGE);
        return 0;
    }

    private static int list(Options o, PrintStream out, PrintStream err) throws UsageException {
        if (!o.positional().isEmpty()) {
            throw new UsageException("list takes no arguments, got '" + o.positional().get(0) + "'\n" + USAGE);
        }
        boolean json = o.flag("--json");
        try (Deployment where = Deployment.from(o, USAGE)) {
            S3Quarantine quarantine = quarantine(where);
            Map<String, Long> perSource = new TreeMap<>();
            quarantine.forEach(o.value("--source").orElse(null), r -> {
                perSource.merge(sourceOf(r.origin()), 1L, Long::sum);
                if (json) {
                    out.println(json(r));
                } else {
                    out.printf("%s  %s  %s  %s%n", r.quarantinedAt() == null ? "-" : r.quarantinedAt(),
                            r.origin().describe(), r.reason(), r.id());
                }
            });
            PrintStream summary = json ? err : out;
            long total = perSource.values().stream().mapToLong(Long::longValue).sum();
            summary.printf("%d quarantined record%s in %s%s%n", total, total == 1 ? "" : "s",
                    quarantine.location(), o.value("--source").map(s -> " from " + s).orElse(""));
            perSource.forEach((source, n) -> summary.printf("  %6d  %s%n", n, source));
            return 0;
        }
    }

    private static int show(Options o, PrintStream out, PrintStream err) throws UsageException {
        if (o.positional().size() != 1) {
            throw new UsageException("show takes one ID (as 'quarantine list' prints it)\n" + USAGE);
        }
        String id = o.positional().get(0);
        try (Deployment where = Deployment.from(o, USAGE)) {
            Optional<QuarantinedRecord> found = find(quarantine(where), id);
            if (found.isEmpty()) {
                err.println("inorder quarantine: " + id + " is not quarantined (replayed already, or a mistyped id: "
                        + "see 'inorder quarantine list')");
                return 1;
            }
            QuarantinedRecord r = found.get();
            if (o.flag("--raw")) {
                out.write(r.raw(), 0, r.rawLength());
                out.flush();
                return 0;
            }
            out.println("id:          " + r.id());
            out.println("origin:      " + r.origin().describe());
            out.println("reason:      " + r.reason());
            out.println("quarantined: " + (r.quarantinedAt() == null ? "-" : r.quarantinedAt()));
            out.println("object:      " + quarantine(where).location() + r.id().substring(0, r.id().lastIndexOf('#')));
            String text = r.rawText().orElse(null);
            out.println("bytes:       " + r.rawLength() + (text == null ? " (not UTF-8; base64 below)" : ""));
            out.println(text == null ? Base64.getEncoder().encodeToString(r.raw()) : text);
            return 0;
        }
    }

    private static int replay(Options o, PrintStream out, PrintStream err) throws Exception {
        List<String> ids = o.positional();
        boolean all = o.flag("--all");
        int selections = (ids.isEmpty() ? 0 : 1) + (o.has("--source") ? 1 : 0) + (all ? 1 : 0);
        if (selections != 1) {
            throw new UsageException("choose what to replay: IDs, --source S or --all (exactly one of them)\n"
                    + USAGE);
        }
        byte[] replacement = null;
        if (o.has("--with")) {
            if (ids.size() != 1) {
                throw new UsageException("--with replaces the bytes of one record: name exactly one ID");
            }
            Path file = Path.of(o.value("--with").orElseThrow());
            try {
                replacement = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new UsageException("--with " + file + ": no such file");
            }
        }
        String configText = null;
        if (o.has("--config")) {
            Path file = Path.of(o.value("--config").orElseThrow());
            configText = ReplayCommand.readConfig(file);
        }
        try (Deployment where = Deployment.from(o, USAGE)) {
            S3Quarantine quarantine = quarantine(where);
            IngestConfig config = config(where, configText, o);
            List<QuarantineReplay.Choice> choices = new ArrayList<>();
            if (!ids.isEmpty()) {
                for (String id : new LinkedHashSet<>(ids)) {
                    Optional<QuarantinedRecord> r = find(quarantine, id);
                    if (r.isEmpty()) {
                        err.println("inorder quarantine: " + id + " is not quarantined (replayed already, or a "
                                + "mistyped id: see 'inorder quarantine list'); nothing was replayed");
                        return 1;
                    }
                    choices.add(new QuarantineReplay.Choice(r.get(), replacement));
                }
            } else {
                quarantine.forEach(o.value("--source").orElse(null),
                        r -> choices.add(new QuarantineReplay.Choice(r, null)));
            }
            if (choices.isEmpty()) {
                out.println("replay: nothing quarantined" + o.value("--source").map(s -> " from " + s).orElse(""));
                return 0;
            }
            IngestServices services = IngestServices.create(config, where.dynamoDb(), where.s3(),
                    ApiKeySource.fromEnvironment(environment(where, configText)),
                    new Metrics("Inorder", "inorder-cli", new PrintStream(OutputStream.nullOutputStream()),
                            Clock.systemUTC()),
                    new Log("inorder-quarantine", Log.Level.ERROR, err, Clock.systemUTC()), Clock.systemUTC());
            QuarantineReplay replay = new QuarantineReplay(services, quarantine, config.keyPattern(),
                    config.format());
            long streams = choices.stream().map(c -> replay.stream(c.record().origin())).distinct().count();
            out.printf("replay: %d record%s of %d stream%s, per stream in original order, with the table config "
                    + "of %s%n", choices.size(), choices.size() == 1 ? "" : "s", streams, streams == 1 ? "" : "s",
                    configText != null ? o.value("--config").orElseThrow() : where.description());
            out.println("note:   a replayed change is applied AFTER every later change its stream applied while it"
                    + " was quarantined;");
            out.println("        if one of those changed the same document, replay moves that document back."
                    + (o.flag("--dry-run") ? "" : " (--dry-run shows the operations first)"));
            if (o.flag("--dry-run")) {
                return dryRun(replay, choices, out);
            }
            List<QuarantineReplay.Result> results = replay.replay(choices, Deadline.after(Clock.systemUTC(),
                    REPLAY_TIME_LIMIT));
            Map<QuarantineReplay.Status, Long> counts = new EnumMap<>(QuarantineReplay.Status.class);
            for (QuarantineReplay.Result r : results) {
                counts.merge(r.status(), 1L, Long::sum);
                if (r.status() != QuarantineReplay.Status.APPLIED) {
                    out.printf("  %-20s %s  %s: %s%n", r.status().name().toLowerCase(Locale.ROOT),
                            r.record().id(), r.record().origin().describe(), r.detail());
                }
            }
            long applied = counts.getOrDefault(QuarantineReplay.Status.APPLIED, 0L);
            long listed = counts.getOrDefault(QuarantineReplay.Status.APPLIED_STILL_LISTED, 0L);
            long stillBad = counts.getOrDefault(QuarantineReplay.Status.STILL_BAD, 0L);
            long notSent = counts.getOrDefault(QuarantineReplay.Status.NOT_SENT, 0L);
            out.printf("replay: %d applied and removed from the quarantine, %d applied but still listed, %d still "
                    + "bad (kept, reason updated), %d not sent (kept)%n", applied, listed, stillBad, notSent);
            return applied == results.size() ? 0 : 1;
        }
    }

    private static int dryRun(QuarantineReplay replay, List<QuarantineReplay.Choice> choices, PrintStream out) {
        long ops = 0;
        long staying = 0;
        for (QuarantineReplay.Plan p : replay.plan(choices)) {
            out.println(p.record().id() + "  " + p.record().origin().describe());
            if (p.problem() != null) {
                staying++;
                out.println("  stays quarantined: " + p.problem());
            } else if (p.ops().isEmpty()) {
                out.println("  nothing to send (a no-op such as a tombstone); removed from the quarantine");
            }
            for (WriteOp op : p.ops()) {
                ops++;
                out.println("  " + describe(op));
            }
        }
        out.printf("dry run: %d record%s would send %d operation%s, %d would stay quarantined; nothing was written%n",
                choices.size(), choices.size() == 1 ? "" : "s", ops, ops == 1 ? "" : "s", staying);
        return 0;
    }

    /** One operation as a line: {@code upsert <collection> _id=<id> <document>}. */
    static String describe(WriteOp op) {
        try {
            if (op instanceof Upsert u) {
                return "upsert " + u.collection() + " _id=" + u.id() + " " + JSON.writeValueAsString(u.document()
                        .toMap());
            }
            if (op instanceof Patch p) {
                List<Map<String, Object>> patch = new ArrayList<>();
                p.operations().forEach(po -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("op", po.op());
                    m.put("path", po.path());
                    m.put("value", po.value());
                    patch.add(m);
                });
                return "patch  " + p.collection() + " _id=" + p.id() + " " + JSON.writeValueAsString(patch);
            }
            return "delete " + op.collection() + " _id=" + ((Delete) op).id();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static S3Quarantine quarantine(Deployment where) throws UsageException {
        String bucket = where.quarantineBucket().orElseThrow(() -> new UsageException(where.description()
                + " names no quarantine bucket: add --quarantine-bucket B (the stack's QUARANTINE_BUCKET)"));
        return new S3Quarantine(where.s3(), bucket, where.quarantinePrefix(), Clock.systemUTC());
    }

    private static Optional<QuarantinedRecord> find(S3Quarantine quarantine, String id) throws UsageException {
        try {
            return quarantine.find(id);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The functions' environment with the table config of {@code --config} in place of the deployed one. */
    private static Map<String, String> environment(Deployment where, String configText) {
        Map<String, String> env = new HashMap<>(where.environment());
        if (configText != null) {
            env.put(IngestConfig.TABLE_CONFIG.name(), configText);
            env.remove(IngestConfig.TABLE_CONFIG_PARAMETER.name());
        }
        return env;
    }

    private static IngestConfig config(Deployment where, String configText, Options o) throws UsageException {
        Map<String, String> env = environment(where, configText);
        if (env.get(IngestConfig.TABLE_CONFIG.name()) == null
                && env.get(IngestConfig.TABLE_CONFIG_PARAMETER.name()) == null) {
            throw new UsageException("replay maps records with the table config: pass --config tables.json ("
                    + where.description() + " does not say which)");
        }
        if (env.get(IngestConfig.WRITE_API_URL.name()) == null) {
            throw new UsageException("replay writes through the Write API, and " + where.description()
                    + " does not say where it is: use --stack NAME or --local");
        }
        try {
            return IngestConfig.fromEnvironment(env, name -> parameter(name, where.region()));
        } catch (ConfigurationException | TableConfigException e) {
            throw new UsageException(where.description() + ": " + e.getMessage());
        }
    }

    /** The table config from SSM, with the user's credentials (the stack's TABLE_CONFIG_PARAMETER). */
    private static String parameter(String name, Region region) {
        SsmClientBuilder b = SsmClient.builder().region(region)
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClient(UrlConnectionHttpClient.create());
        try (SsmClient ssm = b.build()) {
            String text = ssm.getParameter(g -> g.name(name).withDecryption(true)).parameter().value();
            TableConfig.parse(text, IngestConfig.TABLE_CONFIG_PARAMETER.name() + " (" + name + ")");
            return text;
        }
    }

    private static String sourceOf(Origin o) {
        return o.kind() == Origin.Kind.KAFKA ? o.source() + "/" + o.partition() : o.source();
    }

    private static String json(QuarantinedRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        Map<String, Object> origin = new LinkedHashMap<>();
        origin.put("kind", r.origin().kind().name().toLowerCase(Locale.ROOT));
        origin.put("source", r.origin().source());
        if (r.origin().kind() == Origin.Kind.KAFKA) {
            origin.put("partition", r.origin().partition());
            origin.put("offset", r.origin().position());
        } else {
            origin.put("record", r.origin().position());
        }
        m.put("origin", origin);
        m.put("reason", r.reason());
        m.put("quarantinedAt", r.quarantinedAt() == null ? null : r.quarantinedAt().toString());
        m.put("bytes", r.rawLength());
        try {
            return JSON.writeValueAsString(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
