package io.inorder.local.workload;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A seeded Arcion CDC workload: the table config, the generated S3 files (one stream per source table, suffixes
 * from {@link WorkloadSpec#firstSequence()}), and the oracle — the documents each collection must hold once every
 * stream has been applied in suffix order. The oracle is computed by a plain in-order row model that shares no code
 * with the readers or the mapper (see {@link LiveRows}). Immutable once built; the same spec always yields the same
 * bytes and the same expected state.
 *
 * <p>Build it in memory with {@link #generate(WorkloadSpec)} (every file's bytes kept; fine for a few MB), or write
 * a large one straight to disk with {@link WorkloadWriter#write(WorkloadSpec, Path)}, which holds only one open file
 * per table and keeps no {@link #changes()} log.
 */
public final class Workload {

    /** The Rockset workspace of the generated table config. */
    public static final String WORKSPACE = "commons";

    /** Fields the Write API adds to stored documents; they are not source columns, so comparisons skip them. */
    private static final Set<String> SPECIAL_FIELDS = Set.of("_id", "_event_time", "_meta");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final WorkloadSpec spec;
    private final String tableConfigJson;
    private final List<WorkloadFile> files;
    private final Map<String, byte[]> contents;
    private final Path directory;
    private final List<LiveRows> oracle;
    private final long records;
    private final long operations;
    private final List<Change> changes;
    private final List<MalformedRecord> malformed;

    private Workload(WorkloadSpec spec, Generator g, Map<String, byte[]> contents, Path directory) {
        this.spec = spec;
        this.tableConfigJson = tableConfig(spec, g.shapes);
        this.files = List.copyOf(g.files);
        this.contents = contents;
        this.directory = directory;
        this.oracle = List.copyOf(g.live);
        this.records = g.records;
        this.operations = g.operations;
        this.changes = List.copyOf(g.changes);
        this.malformed = List.copyOf(g.malformed);
    }

    /** Generates a workload in memory. */
    public static Workload generate(WorkloadSpec spec) {
        Objects.requireNonNull(spec, "spec");
        Generator g = new Generator(spec, true);
        Map<String, byte[]> contents = new HashMap<>();
        try {
            g.run((file, content) -> contents.put(file.key(), content));
        } catch (IOException e) {
            throw new UncheckedIOException("an in-memory sink does no I/O", e);
        }
        return new Workload(spec, g, Map.copyOf(contents), null);
    }

    /** Generates a workload whose files go to {@code directory} as they are finished (used by the writer). */
    static Workload generateInto(WorkloadSpec spec, Path directory) throws IOException {
        Generator g = new Generator(spec, false);
        g.run((file, content) -> {
            Path target = directory.resolve(file.key());
            Files.createDirectories(target.getParent());
            Files.write(target, content);
        });
        return new Workload(spec, g, null, directory);
    }

    public WorkloadSpec spec() {
        return spec;
    }

    /**
     * The table config ({@code tables.json}) for this workload: workspace {@value #WORKSPACE}; per table its
     * collection, primary key, {@code csvColumns} and {@code csvRealtimeColumns} (snapshot and realtime CSV column
     * orders; only when the spec makes header-less CSV files), {@code afterImage}/{@code beforeImage} {@code all} for
     * the tables whose NATIVE records carry whole rows, and the S3 key prefix of its stream (CSV lines and flat JSON
     * rows carry no table name, so their table comes from the key).
     */
    public String tableConfigJson() {
        return tableConfigJson;
    }

    /** Every file, in the order the generator finished them (a plausible upload order). */
    public List<WorkloadFile> files() {
        return files;
    }

    /** Each stream's files in suffix order, streams by name. Applying each stream in this order gives {@link #expected()}. */
    public Map<String, List<WorkloadFile>> streams() {
        Map<String, List<WorkloadFile>> out = new TreeMap<>();
        for (WorkloadFile f : files) {
            out.computeIfAbsent(f.stream(), s -> new ArrayList<>()).add(f);
        }
        for (List<WorkloadFile> l : out.values()) {
            l.sort(Comparator.comparingLong(WorkloadFile::sequence));
        }
        Map<String, List<WorkloadFile>> frozen = new LinkedHashMap<>();
        out.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return frozen;
    }

    /** The file's bytes as stored in S3 (gzip-compressed when {@link WorkloadFile#gzip()}). */
    public InputStream open(WorkloadFile file) throws IOException {
        if (contents != null) {
            byte[] b = contents.get(file.key());
            if (b == null) {
                throw new IllegalArgumentException("no file '" + file.key() + "' in this workload");
            }
            return new ByteArrayInputStream(b);
        }
        return Files.newInputStream(directory.resolve(file.key()));
    }

    /** The file's bytes as stored; reads the file again when the workload was written to disk. */
    public byte[] bytes(WorkloadFile file) throws IOException {
        try (InputStream in = open(file)) {
            return in.readAllBytes();
        }
    }

    /**
     * The number of records over all files, as the readers count them (CSV headers are not records): the changes
     * plus the {@link #malformedRecords()}.
     */
    public long recordCount() {
        return records + malformed.size();
    }

    /** The records written malformed on purpose, in generation order; empty unless the spec asks for them. */
    public List<MalformedRecord> malformedRecords() {
        return malformed;
    }

    /** The number of Write API operations the records map to: one per record, two per key-changing update. */
    public long operationCount() {
        return operations;
    }

    /**
     * The logical changes in generation order, each with its file and record index, for debugging. Empty for a
     * workload written with {@link WorkloadWriter#write(WorkloadSpec, Path)}, which keeps no log.
     */
    public List<Change> changes() {
        return changes;
    }

    /**
     * The expected final state: collection → {@code _id} → document without {@code _id} (every column of the row,
     * text as JSON strings, SQL NULL as JSON null). Every configured collection is present, empty ones too. Built
     * anew on each call; the caller may change it.
     */
    public Map<String, Map<String, ObjectNode>> expected() {
        Map<String, Map<String, ObjectNode>> out = new TreeMap<>();
        for (LiveRows rows : oracle) {
            out.put(rows.shape.collection, rows.documents());
        }
        return out;
    }

    /** The number of documents in {@link #expected()}. */
    public long expectedDocumentCount() {
        long n = 0;
        for (LiveRows rows : oracle) {
            n += rows.size();
        }
        return n;
    }

    /**
     * How {@code actual} (collection → {@code _id} → stored document, as the emulator returns them) differs from
     * {@link #expected()}, one line per difference, at most {@code limit} lines plus a count of the rest. Fields
     * the Write API adds ({@code _id}, {@code _event_time}, {@code _meta}) are ignored. Empty when they match.
     */
    public List<String> differences(Map<String, Map<String, ObjectNode>> actual, int limit) {
        List<String> out = new ArrayList<>();
        long total = 0;
        Map<String, Map<String, ObjectNode>> expected = expected();
        Set<String> collections = new TreeSet<>(expected.keySet());
        collections.addAll(actual.keySet());
        for (String c : collections) {
            Map<String, ObjectNode> want = expected.getOrDefault(c, Map.of());
            Map<String, ObjectNode> got = actual.getOrDefault(c, Map.of());
            Set<String> ids = new TreeSet<>(want.keySet());
            ids.addAll(got.keySet());
            for (String id : ids) {
                ObjectNode w = want.get(id);
                ObjectNode g = got.get(id) == null ? null : withoutSpecialFields(got.get(id));
                String line = null;
                if (w == null) {
                    line = c + "/" + id + ": unexpected document " + g;
                } else if (g == null) {
                    line = c + "/" + id + ": missing, expected " + w;
                } else if (!w.equals(g)) {
                    line = c + "/" + id + ": expected " + w + " but got " + g;
                }
                if (line != null) {
                    if (total++ < limit) {
                        out.add(line);
                    }
                }
            }
        }
        if (total > limit) {
            out.add("... and " + (total - limit) + " more differences");
        }
        return out;
    }

    private static ObjectNode withoutSpecialFields(ObjectNode doc) {
        ObjectNode copy = doc.deepCopy();
        for (Iterator<String> it = copy.fieldNames(); it.hasNext(); ) {
            if (SPECIAL_FIELDS.contains(it.next())) {
                it.remove();
            }
        }
        return copy;
    }

    private static String tableConfig(WorkloadSpec spec, List<TableShape> shapes) {
        ObjectNode root = JSON.createObjectNode();
        root.put("workspace", WORKSPACE);
        ObjectNode tables = root.putObject("tables");
        for (int n = 0; n < shapes.size(); n++) {
            TableShape s = shapes.get(n);
            ObjectNode t = tables.putObject(s.table());
            t.put("collection", s.collection);
            ArrayNode key = t.putArray("primaryKey");
            for (int k : s.key) {
                key.add(s.columns.get(k).name());
            }
            // Only when header-less CSV can occur: otherwise every CSV file is read by its header alone, the path
            // a table config without csvColumns takes.
            if (spec.csvShare() > 0 && spec.headerlessCsvShare() > 0) {
                // Snapshot lines in table order, realtime triplets in their own order, as in Arcion's samples.
                ArrayNode csv = t.putArray("csvColumns");
                for (int i : s.tableOrder) {
                    csv.add(s.columns.get(i).name());
                }
                ArrayNode realtime = t.putArray("csvRealtimeColumns");
                for (int i : s.csvOrder) {
                    realtime.add(s.columns.get(i).name());
                }
            }
            if (Boolean.FALSE.equals(Generator.defaultImages(spec, n))) {
                // NATIVE records do not say their images are whole rows: the table config does.
                t.put("afterImage", "all");
                t.put("beforeImage", "all");
            }
            t.putArray("prefixes").add(spec.keyPrefix() + s.table() + "_");
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "Workload[seed=" + spec.seed() + ", tables=" + spec.tables() + ", files=" + files.size()
                + ", records=" + records + ", operations=" + operations + ", documents=" + expectedDocumentCount()
                + "]";
    }
}
