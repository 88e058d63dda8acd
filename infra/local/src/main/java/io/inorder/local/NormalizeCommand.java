package io.inorder.local;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.inorder.mapping.TableConfigException;
import io.inorder.writeapi.Delete;
import io.inorder.writeapi.Patch;
import io.inorder.writeapi.PatchOperation;
import io.inorder.writeapi.Upsert;
import io.inorder.writeapi.WriteOp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Set;
import java.util.Map;

/**
 * {@code inorder normalize}: the dry run a user makes before deploying. Reads Arcion files exactly as the ingest
 * functions do and prints, in order, one JSON line per Write API operation on stdout; bad records go to stderr as JSON
 * lines, then a one-line summary. Nothing is written anywhere.
 */
final class NormalizeCommand {

    private static final String USAGE = """
            usage: inorder normalize --config tables.json [--table NAME] [--format FORMAT] FILE...
              --config FILE   the table config (workspace, tables, primary keys)
              --table NAME    the source table of records that carry none (flat snapshot rows, CSV lines)
              --format F      auto (default), native, native-snapshot, s3-json, json-cdc, csv
            Prints one JSON line per operation on stdout, bad records and a summary on stderr.
            Exit 0 when every file was read to the end, 2 on usage or config errors.""";

    private static final ObjectMapper JSON = new ObjectMapper();

    private NormalizeCommand() { }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(args, Set.of("--config", "--table", "--format"), Set.of(), USAGE);
        if (o.flag("--help")) {
            out.println(USAGE);
            return 0;
        }
        Path configFile = o.value("--config").map(Path::of).orElse(null);
        String table = o.value("--table").orElse(null);
        ArcionFormat format;
        try {
            format = ArcionFormat.parse(o.value("--format").orElse("auto"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        List<Path> files = o.positional().stream().map(Path::of).toList();
        if (configFile == null) {
            throw new UsageException("--config is required\n" + USAGE);
        }
        if (files.isEmpty()) {
            throw new UsageException("no input files\n" + USAGE);
        }
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new UsageException(f + ": no such file");
            }
        }
        TableConfig config;
        try {
            config = TableConfig.load(configFile);
        } catch (TableConfigException e) {
            throw new UsageException(e.getMessage());
        }
        if (table != null && config.table(table).isEmpty()) {
            throw new UsageException("--table " + table + " is not in " + configFile);
        }
        Normalizer normalizer = new Normalizer(new ChangeMapper(config), table, format, out, err);
        for (Path f : files) {
            normalizer.file(f);
        }
        out.flush();
        err.println(normalizer.summary(files.size()));
        return 0;
    }

    /** Reads files, maps their records and prints the operations; keeps the counts for the summary. */
    private static final class Normalizer {
        private final ChangeMapper mapper;
        private final String table;
        private final ArcionFormat format;
        private final PrintStream err;
        private final JsonGenerator ops;
        private long records;
        private long bad;
        private final Map<MappingResult.SkipReason, Long> skipped = new EnumMap<>(MappingResult.SkipReason.class);
        private final Map<String, Long> byOp = new java.util.LinkedHashMap<>();

        Normalizer(ChangeMapper mapper, String table, ArcionFormat format, OutputStream out, PrintStream err)
                throws IOException {
            this.mapper = mapper;
            this.table = table;
            this.format = format;
            this.err = err;
            this.ops = new JsonFactory().createGenerator(out, JsonEncoding.UTF8);
            ops.setRootValueSeparator(null);
            for (String op : List.of("upsert", "patch", "delete")) {
                byOp.put(op, 0L);
            }
        }

        void file(Path file) throws IOException {
            String source = file.toString();
            String fileTable = table != null ? table : tableForPath(source.replace('\\', '/'));
            ReaderOptions options = fileTable == null ? ReaderOptions.defaults().withFormat(format)
                    : mapper.config().table(fileTable).map(t -> t.readerOptions(format))
                            .orElse(ReaderOptions.defaults().withFormat(format));
            try (InputStream in = Files.newInputStream(file);
                 ArcionReader reader = ArcionReaders.open(in, source, options)) {
                for (ReadResult r = reader.next(); r != null; r = reader.next()) {
                    records++;
                    if (r instanceof BadRecord b) {
                        bad(b);
                        continue;
                    }
                    ChangeEvent e = (ChangeEvent) r;
                    if (e.table() == null && fileTable != null) {
                        e = e.withTable(fileTable);
                    }
                    MappingResult m = mapper.map(e);
                    if (m instanceof MappingResult.Apply a) {
                        for (WriteOp op : a.ops()) {
                            print(op);
                        }
                    } else if (m instanceof MappingResult.Skip s) {
                        skipped.merge(s.reason(), 1L, Long::sum);
                    } else {
                        bad(((MappingResult.Reject) m).badRecord());
                    }
                }
            }
        }

        /**
         * The table whose S3 key prefix matches the file's path, trying the path as given and then without its
         * leading directories, so {@code data/snap/orders_1.csv} matches a prefix {@code snap/orders}.
         */
        private String tableForPath(String path) {
            for (String p = path; ; p = p.substring(p.indexOf('/') + 1)) {
                var match = mapper.config().tableForKey(p);
                if (match.isPresent()) {
                    return match.get().table();
                }
                if (p.indexOf('/') < 0) {
                    return null;
                }
            }
        }

        private void print(WriteOp op) throws IOException {
            ops.writeStartObject();
            ops.writeStringField("collection", op.collection());
            if (op instanceof Upsert u) {
                ops.writeStringField("op", "upsert");
                ops.writeStringField("_id", u.id());
                ops.writeFieldName("document");
                ops.writeStartObject();
                writeRow(u.document());
                if (u.eventTimeMicros() >= 0) {
                    ops.writeNumberField("_event_time", u.eventTimeMicros());
                }
                ops.writeEndObject();
            } else if (op instanceof Patch p) {
                ops.writeStringField("op", "patch");
                ops.writeStringField("_id", p.id());
                ops.writeArrayFieldStart("patch");
                for (PatchOperation o : p.operations()) {
                    ops.writeStartObject();
                    ops.writeStringField("op", o.op());
                    ops.writeStringField("path", o.path());
                    ops.writeFieldName("value");
                    writeValue(o.value());
                    if (o.from() != null) {
                        ops.writeStringField("from", o.from());
                    }
                    ops.writeEndObject();
                }
                ops.writeEndArray();
            } else {
                ops.writeStringField("op", "delete");
                ops.writeStringField("_id", ((Delete) op).id());
            }
            ops.writeEndObject();
            ops.writeRaw('\n');
            byOp.merge(op instanceof Upsert ? "upsert" : op instanceof Patch ? "patch" : "delete", 1L, Long::sum);
        }

        private void writeRow(Row row) throws IOException {
            for (int i = 0; i < row.size(); i++) {
                ops.writeFieldName(row.name(i));
                writeValue(row.value(i));
            }
        }

        private void writeValue(Object v) throws IOException {
            if (v == null) {
                ops.writeNull();
            } else if (v instanceof String s) {
                ops.writeString(s);
            } else {
                JSON.writeTree(ops, (JsonNode) v);
            }
        }

        private void bad(BadRecord b) throws IOException {
            ops.flush();
            bad++;
            var line = JSON.createObjectNode();
            line.put("origin", b.origin().describe());
            line.put("reason", b.reason());
            err.println(line);
        }

        String summary(int files) throws IOException {
            ops.flush();
            StringBuilder s = new StringBuilder("normalize: ").append(files).append(files == 1 ? " file, " : " files, ")
                    .append(records).append(" records → ");
            byOp.forEach((op, n) -> s.append(n).append(' ').append(op).append(n == 1 ? "" : op.endsWith("h") ? "es"
                    : "s").append(", "));
            long skips = skipped.values().stream().mapToLong(Long::longValue).sum();
            s.append(skips).append(" skipped");
            if (skips > 0) {
                s.append(' ').append(skipped.toString().toLowerCase(java.util.Locale.ROOT));
            }
            s.append(", ").append(bad).append(" bad");
            return s.toString();
        }
    }
}
