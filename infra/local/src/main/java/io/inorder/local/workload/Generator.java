package io.inorder.local.workload;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs one workload: draws the changes of a {@link WorkloadSpec} in source order, keeps the oracle's
 * {@link LiveRows} in step, and writes each change as one record into the current file of its table's stream. A
 * file is handed to the {@link Sink} as soon as it is full, so only one open file per table is in memory.
 *
 * <p>Source order: the snapshot rows of every table first, then realtime changes interleaved across tables by
 * their weights. One stream per table ({@code <prefix><catalog.table>_<n>}); each file of a stream picks its own
 * layout from the spec's format mix, so one stream may mix JSON and CSV files (the readers detect the format from
 * the content). A file holds snapshot rows or realtime changes, never both.
 */
final class Generator {

    /** Receives each finished file, in the order files complete. */
    interface Sink {
        void file(WorkloadFile file, byte[] content) throws IOException;
    }

    /** MySQL-like binlog cursor start: 2026-01-01T00:00:00Z, second resolution as in Arcion's samples (§5). */
    private static final long START_MILLIS = 1_767_225_600_000L;

    private final WorkloadSpec spec;
    private final boolean keepChanges;
    private final SplittableRandom r;
    final List<TableShape> shapes = new ArrayList<>();
    final List<LiveRows> live = new ArrayList<>();
    private final List<Stream> streams = new ArrayList<>();
    private final int totalWeight;

    final List<WorkloadFile> files = new ArrayList<>();
    final List<Change> changes = new ArrayList<>();
    final List<MalformedRecord> malformed = new ArrayList<>();
    long records;
    long operations;

    private long clock = START_MILLIS;
    private int binlog = 42;
    private long position = 4;
    private long logSeq;

    /** One table's stream: its next suffix, the file being filled, and Arcion's running operation counts. */
    private static final class Stream {
        final TableShape shape;
        long nextSequence;
        ArcionFile open;
        long inserts;
        long updates;
        long deletes;

        Stream(TableShape shape, long first) {
            this.shape = shape;
            this.nextSequence = first;
        }
    }

    Generator(WorkloadSpec spec, boolean keepChanges) {
        this.spec = spec;
        this.keepChanges = keepChanges;
        this.r = new SplittableRandom(spec.seed());
        int weight = 0;
        for (int i = 0; i < spec.tables(); i++) {
            TableShape s = TableShape.nth(i);
            shapes.add(s);
            live.add(new LiveRows(s));
            streams.add(new Stream(s, spec.firstSequence()));
            weight += s.weight;
        }
        this.totalWeight = weight;
    }

    void run(Sink sink) throws IOException {
        int snapshotRows = (int) Math.round(spec.changes() * spec.snapshotShare());
        int[] perTable = new int[shapes.size()];
        for (int i = 0; i < snapshotRows; i++) {
            perTable[pickTable()]++;
        }
        for (int t = 0; t < shapes.size(); t++) {
            for (int i = 0; i < perTable[t]; i++) {
                insert(t, true, sink);
            }
        }
        for (int i = snapshotRows; i < spec.changes(); i++) {
            realtime(pickTable(), sink);
        }
        for (Stream s : streams) {
            if (s.open != null) {
                finish(s, sink);
            }
        }
    }

    private int pickTable() {
        int x = r.nextInt(totalWeight);
        for (int t = 0; t < shapes.size(); t++) {
            x -= shapes.get(t).weight;
            if (x < 0) {
                return t;
            }
        }
        throw new IllegalStateException("weights");
    }

    /**
     * Whether table {@code t} follows Arcion's default image formats ({@code KEY}/{@code UPDATED}) throughout, as a
     * Replicant writing NATIVE does (see {@link WorkloadSpec#nativeShare}); null when images are drawn per record.
     */
    static Boolean defaultImages(WorkloadSpec spec, int t) {
        return spec.nativeShare() > 0 ? t % 2 == 1 : null;
    }

    private boolean partialImages(int t) {
        Boolean fixed = defaultImages(spec, t);
        return fixed != null ? fixed : r.nextDouble() < spec.partialImageShare();
    }

    private void realtime(int t, Sink sink) throws IOException {
        LiveRows rows = live.get(t);
        double x = r.nextDouble();
        if (rows.size() == 0 || x < spec.insertShare()) {
            insert(t, false, sink);
        } else if (x < spec.insertShare() + spec.deleteShare()) {
            delete(t, sink);
        } else if (x < spec.insertShare() + spec.deleteShare() + spec.keyChangeShare()) {
            if (Boolean.TRUE.equals(defaultImages(spec, t))) {
                // KEY/UPDATED images cannot carry a key change (the new row is not in them): such a table gets none.
                update(t, sink);
            } else {
                keyChange(t, sink);
            }
        } else if (x < spec.insertShare() + spec.deleteShare() + spec.keyChangeShare() + spec.replayShare()) {
            replay(t, sink);
        } else {
            update(t, sink);
        }
    }

    // ---------------------------------------------------------------- the changes

    private void insert(int t, boolean snapshot, Sink sink) throws IOException {
        Stream s = streams.get(t);
        TableShape shape = s.shape;
        String cursor = tick();
        String[] row = shape.freshRow(r, clock);
        live.get(t).put(row);
        s.inserts++;
        int[] exists = filled(shape, 1);
        ArcionRecord rec = new ArcionRecord(shape, snapshot ? 'S' : 'I', new String[row.length], row, exists, cursor,
                counts(s));
        emit(s, rec, snapshot ? Change.Kind.SNAPSHOT : Change.Kind.INSERT, live.get(t).idOf(row), null,
                all(shape, row), sink);
    }

    private void replay(int t, Sink sink) throws IOException {
        Stream s = streams.get(t);
        TableShape shape = s.shape;
        LiveRows rows = live.get(t);
        String cursor = tick();
        String id = rows.randomId(r);
        String[] row = rows.get(id).clone();
        rows.put(row);
        s.inserts++;
        ArcionRecord rec = new ArcionRecord(shape, 'I', new String[row.length], row, filled(shape, 1), cursor,
                counts(s));
        emit(s, rec, Change.Kind.REPLAY, id, null, all(shape, row), sink);
    }

    private void update(int t, Sink sink) throws IOException {
        Stream s = streams.get(t);
        TableShape shape = s.shape;
        LiveRows rows = live.get(t);
        String cursor = tick();
        String id = rows.randomId(r);
        String[] old = rows.get(id);
        String[] row = old.clone();
        List<Integer> changed = changeColumns(shape, row, 1 + r.nextInt(3));
        rows.put(row);
        s.updates++;
        boolean partial = partialImages(t);
        int[] exists;
        Map<String, String> values;
        if (partial) {
            exists = new int[row.length];
            // Arcion's KEY/UPDATED images: the key in the old image (sometimes in both, unchanged), changed columns
            // in the new one, everything else absent.
            boolean keyInBoth = r.nextInt(4) == 0;
            for (int k : shape.key) {
                exists[k] = keyInBoth ? 3 : 2;
            }
            values = new LinkedHashMap<>();
            for (int c : changed) {
                exists[c] = 1;
                values.put(shape.columns.get(c).name(), row[c]);
            }
        } else {
            exists = filled(shape, 3);
            values = all(shape, row);
        }
        ArcionRecord rec = new ArcionRecord(shape, 'U', old, row, exists, cursor, counts(s));
        emit(s, rec, partial ? Change.Kind.UPDATE_PARTIAL : Change.Kind.UPDATE_FULL, id, null, values, sink);
    }

    private void keyChange(int t, Sink sink) throws IOException {
        Stream s = streams.get(t);
        TableShape shape = s.shape;
        LiveRows rows = live.get(t);
        String cursor = tick();
        String oldId = rows.randomId(r);
        String[] old = rows.get(oldId);
        String[] row = old.clone();
        shape.freshKeyInto(row, r);
        changeColumns(shape, row, r.nextInt(3));
        rows.remove(oldId);
        rows.put(row);
        s.updates++;
        ArcionRecord rec = new ArcionRecord(shape, 'U', old, row, filled(shape, 3), cursor, counts(s));
        emit(s, rec, Change.Kind.KEY_CHANGE, rows.idOf(row), oldId, all(shape, row), sink);
    }

    private void delete(int t, Sink sink) throws IOException {
        Stream s = streams.get(t);
        TableShape shape = s.shape;
        LiveRows rows = live.get(t);
        String cursor = tick();
        String id = rows.randomId(r);
        String[] old = rows.get(id);
        rows.remove(id);
        s.deletes++;
        boolean partial = partialImages(t);
        int[] exists = new int[old.length];
        if (partial) {
            for (int k : shape.key) {
                exists[k] = 2;
            }
        } else {
            exists = filled(shape, 2);
        }
        ArcionRecord rec = new ArcionRecord(shape, 'D', old, new String[old.length], exists, cursor, counts(s));
        emit(s, rec, partial ? Change.Kind.DELETE_KEY_ONLY : Change.Kind.DELETE_FULL, id, null, Map.of(), sink);
    }

    /** Gives {@code n} distinct non-key columns of {@code row} new values; returns their indexes in column order. */
    private List<Integer> changeColumns(TableShape shape, String[] row, int n) {
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < row.length; i++) {
            if (!shape.isKey(i)) {
                candidates.add(i);
            }
        }
        List<Integer> picked = new ArrayList<>();
        for (int i = 0; i < n && !candidates.isEmpty(); i++) {
            picked.add(candidates.remove(r.nextInt(candidates.size())));
        }
        Collections.sort(picked);
        for (int c : picked) {
            row[c] = shape.changedValue(c, r, clock, spec.nullShare());
        }
        return picked;
    }

    private static int[] filled(TableShape shape, int flag) {
        int[] exists = new int[shape.columns.size()];
        Arrays.fill(exists, flag);
        return exists;
    }

    private static Map<String, String> all(TableShape shape, String[] row) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < row.length; i++) {
            m.put(shape.columns.get(i).name(), row[i]);
        }
        return m;
    }

    // ---------------------------------------------------------------- cursor and counts

    /** Advances the source clock and binlog position; returns the cursor of the next change as JSON text. */
    private String tick() {
        if (r.nextInt(3) == 0) {
            clock += 1000L * (1 + r.nextInt(3));
        }
        position += 50 + r.nextInt(400);
        if (position > 4_000_000) {
            binlog++;
            position = 4;
        }
        logSeq++;
        long extraction = clock + 200 + r.nextInt(1800);
        return "{\"extractorId\":0,\"timestamp\":" + clock + ",\"extractionTimestamp\":" + extraction
                + ",\"log\":\"binlog." + sixDigits(binlog) + "\",\"position\":" + position
                + ",\"logSeqNum\":" + logSeq + ",\"slaveServerId\":1,\"v\":2}";
    }

    private static String sixDigits(int n) {
        String digits = Integer.toString(n);
        return "000000".substring(Math.min(6, digits.length())) + digits;
    }

    private static String counts(Stream s) {
        return "{\"insertCount\":" + s.inserts + ",\"updateCount\":" + s.updates + ",\"deleteCount\":" + s.deletes
                + ",\"replaceCount\":0}";
    }

    // ---------------------------------------------------------------- files

    private void emit(Stream s, ArcionRecord rec, Change.Kind kind, String id, String previousId,
                      Map<String, String> values, Sink sink) throws IOException {
        boolean snapshot = rec.op() == 'S';
        if (s.open != null && s.open.snapshot != snapshot) {
            finish(s, sink);
        }
        if (s.open == null) {
            s.open = open(s, snapshot);
        }
        if (spec.badRecordShare() > 0 && r.nextDouble() < spec.badRecordShare()) {
            int at = s.open.records();
            malformed.add(new MalformedRecord(s.open.key, at, s.open.appendMalformed(rec)));
            if (s.open.full()) {
                finish(s, sink);
                s.open = open(s, snapshot);
            }
        }
        int index = s.open.append(rec);
        records++;
        operations += kind.operations();
        if (keepChanges) {
            changes.add(new Change(records - 1, s.shape.table(), kind, id, previousId,
                    Collections.unmodifiableMap(values), s.open.key, index));
        }
        if (s.open.full()) {
            finish(s, sink);
        }
    }

    private ArcionFile open(Stream s, boolean snapshot) {
        WorkloadFile.Layout layout;
        if (r.nextDouble() < spec.csvShare()) {
            layout = r.nextDouble() < spec.headerlessCsvShare() ? WorkloadFile.Layout.CSV_WITHOUT_HEADER
                    : WorkloadFile.Layout.CSV_WITH_HEADER;
        } else if (snapshot && r.nextDouble() < spec.flatSnapshotShare()) {
            layout = WorkloadFile.Layout.JSON_FLAT_ROWS;
        } else if (!snapshot && spec.nativeShare() > 0 && r.nextDouble() < spec.nativeShare()) {
            layout = WorkloadFile.Layout.NATIVE_LINES;
        } else {
            int framing = r.nextInt(20);
            layout = framing < 12 ? WorkloadFile.Layout.JSON_LINES
                    : framing < 17 ? WorkloadFile.Layout.JSON_PRETTY : WorkloadFile.Layout.JSON_CONCATENATED;
        }
        boolean gzip = r.nextDouble() < spec.gzipShare();
        boolean escapeNonAscii = !layout.csv() && r.nextInt(5) == 0;
        boolean crlf = layout.csv() && r.nextInt(5) == 0;
        int target = spec.minRecordsPerFile() + r.nextInt(spec.maxRecordsPerFile() - spec.minRecordsPerFile() + 1);
        long seq = s.nextSequence++;
        String stream = spec.keyPrefix() + s.shape.table();
        String key = stream + "_" + seq + (layout.csv() ? ".csv" : ".json") + (gzip ? ".gz" : "");
        return new ArcionFile(key, stream, seq, s.shape, snapshot, layout, gzip, escapeNonAscii, crlf, target);
    }

    private void finish(Stream s, Sink sink) throws IOException {
        byte[] content = s.open.finish();
        WorkloadFile f = s.open.describe(content.length);
        s.open = null;
        files.add(f);
        sink.file(f, content);
    }
}
