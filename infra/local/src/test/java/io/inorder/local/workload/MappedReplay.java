package io.inorder.local.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.arcion.ArcionFormat;
import io.inorder.arcion.ArcionReader;
import io.inorder.arcion.ArcionReaders;
import io.inorder.arcion.BadRecord;
import io.inorder.arcion.ChangeEvent;
import io.inorder.arcion.ReadResult;
import io.inorder.arcion.ReaderOptions;
import io.inorder.arcion.Row;
import io.inorder.mapping.ChangeMapper;
import io.inorder.mapping.MappingResult;
import io.inorder.mapping.TableConfig;
import io.inorder.mapping.TableMapping;
import io.inorder.writeapi.Delete;
import io.inorder.writeapi.Patch;
import io.inorder.writeapi.PatchOperation;
import io.inorder.writeapi.Upsert;
import io.inorder.writeapi.WriteOp;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Applies a workload's files through the production path — {@link ArcionReaders} then {@link ChangeMapper} — to an
 * in-memory collection model (upsert replaces the document, patch {@code add} sets a field, delete removes), the
 * way the S3 ingest applies them. Tables of records that carry none (CSV, flat rows) come from the key prefix, and
 * header-less CSV is read with the table's {@code csvColumns}, as the table config documents.
 */
final class MappedReplay {

    final Map<String, Map<String, ObjectNode>> collections = new TreeMap<>();
    final List<String> problems = new ArrayList<>();
    /** What the readers rejected, in reading order. */
    final List<BadRecord> badRecords = new ArrayList<>();
    long records;
    long operations;

    private final Workload workload;
    private final TableConfig config;
    private final ChangeMapper mapper;

    MappedReplay(Workload workload) {
        this.workload = workload;
        this.config = TableConfig.parse(workload.tableConfigJson(), "generated tables.json");
        this.mapper = new ChangeMapper(config);
        for (TableMapping t : config.tables()) {
            collections.put(t.collection(), new TreeMap<>());
        }
    }

    /** The rejected records as {@code key#index}, comparable with {@link MalformedRecord#origin()}. */
    List<String> badOrigins() {
        return badRecords.stream().map(b -> b.origin().source() + "#" + b.origin().position()).toList();
    }

    /** Applies every stream in suffix order. */
    static MappedReplay inOrder(Workload w) throws IOException {
        MappedReplay replay = new MappedReplay(w);
        for (List<WorkloadFile> stream : w.streams().values()) {
            for (WorkloadFile f : stream) {
                replay.apply(f);
            }
        }
        return replay;
    }

    void apply(WorkloadFile file) throws IOException {
        TableMapping byKey = config.tableForKey(file.key()).orElse(null);
        if (byKey == null) {
            problems.add(file.key() + ": no table prefix matches the key");
            return;
        }
        ReaderOptions opts = byKey.readerOptions(ArcionFormat.AUTO);
        try (ArcionReader reader = ArcionReaders.open(workload.open(file), file.key(), opts)) {
            ReadResult rr;
            while ((rr = reader.next()) != null) {
                if (rr instanceof BadRecord bad) {
                    badRecords.add(bad);
                    continue;
                }
                records++;
                ChangeEvent e = (ChangeEvent) rr;
                if (e.table() == null) {
                    e = e.withTable(byKey.table());
                } else if (!e.table().equals(byKey.table())) {
                    problems.add(e.origin() + ": record of table " + e.table() + " in the stream of "
                            + byKey.table());
                }
                MappingResult m = mapper.map(e);
                if (m instanceof MappingResult.Apply apply) {
                    for (WriteOp op : apply.ops()) {
                        apply(op);
                    }
                } else {
                    problems.add(e.origin() + ": mapped to " + m);
                }
            }
        }
    }

    private void apply(WriteOp op) {
        operations++;
        Map<String, ObjectNode> docs = collections.computeIfAbsent(op.collection(), c -> new TreeMap<>());
        if (op instanceof Upsert u) {
            ObjectNode doc = JsonNodeFactory.instance.objectNode();
            Row row = u.document();
            for (int i = 0; i < row.size(); i++) {
                set(doc, row.name(i), row.value(i));
            }
            docs.put(u.id(), doc);
        } else if (op instanceof Patch p) {
            ObjectNode doc = docs.get(p.id());
            if (doc == null) {
                problems.add(p.origin() + ": patch of missing document " + p.collection() + "/" + p.id());
                return;
            }
            for (PatchOperation o : p.operations()) {
                if (!o.op().equals("add") || o.path().indexOf('/', 1) >= 0) {
                    problems.add(p.origin() + ": unexpected patch operation " + o);
                    continue;
                }
                set(doc, o.path().substring(1).replace("~1", "/").replace("~0", "~"), o.value());
            }
        } else if (op instanceof Delete d) {
            docs.remove(d.id());
        }
    }

    private static void set(ObjectNode doc, String field, Object value) {
        if (value == null) {
            doc.putNull(field);
        } else if (value instanceof String s) {
            doc.put(field, s);
        } else {
            doc.set(field, (JsonNode) value);
        }
    }
}
