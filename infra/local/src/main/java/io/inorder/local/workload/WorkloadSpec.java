package io.inorder.local.workload;

/**
 * What to generate: the seed and the shape of an Arcion CDC workload. Immutable; start from {@link #defaults()} and
 * change what differs with the withers. The same spec always generates the same bytes.
 *
 * <p>Shares are probabilities in [0, 1]. Every change is one Arcion record: a snapshot row, an insert, an update
 * (full or partial images, possibly changing the key) or a delete.
 *
 * @param seed                the random seed; everything derives from it
 * @param tables              how many source tables (1…; the first six are distinct shapes, more repeat them under
 *                            catalogs {@code shop2}, {@code shop3}, …)
 * @param changes             total records over all tables, snapshot rows included
 * @param minRecordsPerFile   the fewest records in one file (the last file of a stream may hold fewer)
 * @param maxRecordsPerFile   the most records in one file
 * @param firstSequence       the {@code _<n>} suffix of each stream's first file
 * @param keyPrefix           the S3 key prefix of every file, e.g. {@code cdc/}
 * @param snapshotShare       the share of {@code changes} that are initial snapshot rows (written first, in snapshot
 *                            files: CSV of X columns, flat JSON rows, or S3 JSON envelopes with {@code opType I})
 * @param insertShare         the share of realtime changes that insert a row
 * @param deleteShare         the share of realtime changes that delete a row
 * @param keyChangeShare      the share of realtime changes that are updates changing the primary key (always with
 *                            full images: a partial image cannot move a row, ChangeMapper quarantines it)
 * @param partialImageShare   the share of updates and deletes written with Arcion's default image formats
 *                            ({@code before} = key only, {@code after} = changed columns only)
 * @param nullShare           the share of changed values set to SQL NULL (nullable columns only)
 * @param csvShare            the share of files written as Arcion CSV instead of S3 JSON
 * @param headerlessCsvShare  the share of CSV files without a header line (read through {@code csvColumns})
 * @param gzipShare           the share of files gzip-compressed (key ending {@code .gz})
 * @param flatSnapshotShare   the share of JSON snapshot files written as flat rows without an envelope
 * @param badRecordShare      the chance, before each record, of also writing a malformed one (unknown opType
 *                            {@code T}, a non-object line, a bad EXISTS flag, a short CSV line) that the readers must
 *                            turn into a {@code BadRecord}; it changes no row (see {@link Workload#malformedRecords()})
 * @param replayShare         the share of realtime changes that re-send a live row's current image as an insert, as
 *                            Arcion's full mode replays changes made during the snapshot (arcion-cdc-formats.md §10):
 *                            applying it must change nothing
 * @param nativeShare         the share of realtime JSON files written as NATIVE envelopes (Arcion's Kafka format: no
 *                            {@code exists} map). When above zero every table follows one Arcion image setting, as a
 *                            Replicant does: even-numbered tables {@code ALL}/{@code ALL} (whole rows), odd-numbered
 *                            ones the defaults {@code KEY}/{@code UPDATED} (every update and delete partial, and no
 *                            key-changing updates, which such images cannot carry); the table config says which
 */
public record WorkloadSpec(
        long seed,
        int tables,
        int changes,
        int minRecordsPerFile,
        int maxRecordsPerFile,
        long firstSequence,
        String keyPrefix,
        double snapshotShare,
        double insertShare,
        double deleteShare,
        double keyChangeShare,
        double partialImageShare,
        double nullShare,
        double csvShare,
        double headerlessCsvShare,
        double gzipShare,
        double flatSnapshotShare,
        double badRecordShare,
        double replayShare,
        double nativeShare) {

    /** The most source tables a spec may ask for. */
    public static final int MAX_TABLES = 600;

    public WorkloadSpec {
        if (tables < 1 || tables > MAX_TABLES) {
            throw new IllegalArgumentException("tables must be 1.." + MAX_TABLES + ", got " + tables);
        }
        if (changes < 0) {
            throw new IllegalArgumentException("changes must be >= 0, got " + changes);
        }
        if (minRecordsPerFile < 1 || maxRecordsPerFile < minRecordsPerFile) {
            throw new IllegalArgumentException("records per file must satisfy 1 <= min <= max, got min "
                    + minRecordsPerFile + ", max " + maxRecordsPerFile);
        }
        if (firstSequence < 0) {
            throw new IllegalArgumentException("firstSequence must be >= 0, got " + firstSequence);
        }
        if (keyPrefix == null || keyPrefix.startsWith("/")) {
            throw new IllegalArgumentException("keyPrefix must be a relative S3 key prefix such as \"cdc/\", got "
                    + keyPrefix);
        }
        share("snapshotShare", snapshotShare);
        share("insertShare", insertShare);
        share("deleteShare", deleteShare);
        share("keyChangeShare", keyChangeShare);
        share("partialImageShare", partialImageShare);
        share("nullShare", nullShare);
        share("csvShare", csvShare);
        share("headerlessCsvShare", headerlessCsvShare);
        share("gzipShare", gzipShare);
        share("flatSnapshotShare", flatSnapshotShare);
        share("badRecordShare", badRecordShare);
        share("replayShare", replayShare);
        share("nativeShare", nativeShare);
        if (insertShare + deleteShare + keyChangeShare + replayShare > 1.0 + 1e-9) {
            throw new IllegalArgumentException("insertShare + deleteShare + keyChangeShare + replayShare must be <= 1"
                    + " (updates take the rest), got " + (insertShare + deleteShare + keyChangeShare + replayShare));
        }
    }

    private static void share(String name, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException(name + " must be a share in [0, 1], got " + value);
        }
    }

    /**
     * Seed 1, 3 tables ({@code shop.customers}, {@code shop.orders}, {@code shop.order_items}), 2,000 changes,
     * 20–200 records per file, suffixes from 1 under {@code cdc/}; 20 % snapshot rows; of realtime changes 30 %
     * inserts, 10 % deletes, 3 % key changes, 2 % replayed inserts, the rest updates; half of updates and deletes with partial images;
     * 15 % of changed values NULL; 30 % CSV files (a quarter of them header-less), 20 % gzip, 30 % of JSON snapshot
     * files flat; no malformed records.
     */
    public static WorkloadSpec defaults() {
        return new WorkloadSpec(1, 3, 2000, 20, 200, 1, "cdc/", 0.2, 0.3, 0.1, 0.03, 0.5, 0.15, 0.3, 0.25, 0.2,
                0.3, 0.0, 0.02, 0.0);
    }

    /**
     * The option names {@link #withOption} understands, with what each sets, for command-line help
     * ({@code --seed 3 --changes 10000 ...}).
     */
    public static final java.util.Map<String, String> OPTIONS = optionHelp();

    private static java.util.Map<String, String> optionHelp() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("seed", "random seed (default 1)");
        m.put("tables", "source tables, 1.." + MAX_TABLES + " (default 3)");
        m.put("changes", "records over all tables, snapshot rows included (default 2000)");
        m.put("records-per-file", "records per file as MIN-MAX or N (default 20-200)");
        m.put("first-sequence", "suffix of each stream's first file (default 1)");
        m.put("key-prefix", "S3 key prefix of every file (default cdc/)");
        m.put("snapshot-share", "share of changes that are snapshot rows (default 0.2)");
        m.put("insert-share", "share of realtime changes that insert (default 0.3)");
        m.put("delete-share", "share of realtime changes that delete (default 0.1)");
        m.put("key-change-share", "share of realtime changes that change the key (default 0.03)");
        m.put("partial-image-share", "share of updates/deletes with KEY/UPDATED images (default 0.5)");
        m.put("null-share", "share of changed values set to NULL (default 0.15)");
        m.put("csv-share", "share of files written as CSV (default 0.3)");
        m.put("headerless-csv-share", "share of CSV files without a header (default 0.25)");
        m.put("gzip-share", "share of files gzip-compressed (default 0.2)");
        m.put("flat-snapshot-share", "share of JSON snapshot files as flat rows (default 0.3)");
        m.put("bad-record-share", "chance of a malformed record before each record (default 0)");
        m.put("replay-share", "share of realtime changes re-sending a live row as an insert (default 0.02)");
        m.put("native-share", "share of realtime JSON files as NATIVE envelopes, no exists map (default 0)");
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * This spec with one option set from text, as given on a command line ({@code name} without the leading
     * dashes, see {@link #OPTIONS}).
     *
     * @throws IllegalArgumentException naming the option when the name is unknown or the value invalid
     */
    public WorkloadSpec withOption(String name, String value) {
        try {
            String v = value.trim();
            return switch (name) {
                case "seed" -> withSeed(Long.parseLong(v));
                case "tables" -> withTables(Integer.parseInt(v));
                case "changes" -> withChanges(Integer.parseInt(v));
                case "records-per-file" -> {
                    int dash = v.indexOf('-');
                    yield dash < 0 ? withRecordsPerFile(Integer.parseInt(v), Integer.parseInt(v))
                            : withRecordsPerFile(Integer.parseInt(v.substring(0, dash).trim()),
                                    Integer.parseInt(v.substring(dash + 1).trim()));
                }
                case "first-sequence" -> withFirstSequence(Long.parseLong(v));
                case "key-prefix" -> withKeyPrefix(value);
                case "snapshot-share" -> withSnapshotShare(Double.parseDouble(v));
                case "insert-share" -> withOperationMix(Double.parseDouble(v), deleteShare, keyChangeShare);
                case "delete-share" -> withOperationMix(insertShare, Double.parseDouble(v), keyChangeShare);
                case "key-change-share" -> withOperationMix(insertShare, deleteShare, Double.parseDouble(v));
                case "partial-image-share" -> withPartialImageShare(Double.parseDouble(v));
                case "null-share" -> withNullShare(Double.parseDouble(v));
                case "csv-share" -> withFormatMix(Double.parseDouble(v), headerlessCsvShare, gzipShare);
                case "headerless-csv-share" -> withFormatMix(csvShare, Double.parseDouble(v), gzipShare);
                case "gzip-share" -> withFormatMix(csvShare, headerlessCsvShare, Double.parseDouble(v));
                case "flat-snapshot-share" -> withFlatSnapshotShare(Double.parseDouble(v));
                case "bad-record-share" -> withBadRecordShare(Double.parseDouble(v));
                case "replay-share" -> withReplayShare(Double.parseDouble(v));
                case "native-share" -> withNativeShare(Double.parseDouble(v));
                default -> throw new IllegalArgumentException("unknown workload option --" + name + "; known: --"
                        + String.join(", --", OPTIONS.keySet()));
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("workload option --" + name + ": '" + value + "' is not a number ("
                    + OPTIONS.get(name) + ")");
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().contains("--" + name)) {
                throw e;
            }
            throw new IllegalArgumentException("workload option --" + name + " " + value + ": " + e.getMessage(), e);
        }
    }

    public WorkloadSpec withSeed(long s) {
        return new WorkloadSpec(s, tables, changes, minRecordsPerFile, maxRecordsPerFile, firstSequence, keyPrefix,
                snapshotShare, insertShare, deleteShare, keyChangeShare, partialImageShare, nullShare, csvShare,
                headerlessCsvShare, gzipShare, flatSnapshotShare, badRecordShare, replayShare, nativeShare);
    }

    public WorkloadSpec withTables(int n) {
        return new WorkloadSpec(seed, n, changes, minRecordsPerFile, maxRecordsPerFile, firstSequence, keyPrefix,
                snapshotShare, insertShare, deleteShare, keyChangeShare, partialImageShare, nullShare, csvShare,
                headerlessCsvShare, gzipShare, flatSnapshotShare, badRecordShare, replayShare, nativeShare);
    }

    public WorkloadSpec withChanges(int n) {
        return new WorkloadSpec(seed, tables, n, minRecordsPerFile, maxRecordsPerFile, firstSequence, keyPrefix,
                snapshotShare, insertShare, deleteShare, keyChangeShare, partialImageShare, nullShare, csvShare,
                headerlessCsvShare, gzipShare, flatSnapshotShare, badRecordShare, replayShare, nativeShare);
    }

    public WorkloadSpec withRecordsPerFile(int min, int max) {
        return new WorkloadSpec(seed, tables, changes, min, max, firstSequence, keyPrefix, snapshotShare,
                insertShare, deleteShare, keyChangeShare, partialImageShare, nullShare, csvShare, headerlessCsvShare,
                gzipShare, flatSnapshotShare, badRecordShare, replayShare, nativeShare);
    }

    public WorkloadSpec withFirstSequence(long first) {
        return new WorkloadSpec(seed, tables, changes, minRecordsPerFile, maxRecordsPerFile, first, keyPrefix,
                snapshotShare, insertShare, deleteShare, keyChangeShare, partialImageShare, nullShare, csvShare,
                headerlessCsvShare, gzipShare, flatSnapshotShare, badRecordShare, replayShare, nativeShare);
    }

    public WorkloadSpec withKeyPrefix(String prefix) {
        return new WorkloadSpec(seed, tables, changes, minRecordsPerFile, maxRecordsPerFile, firstSequence, prefix,
                snapshotShare, insertShare, deleteShare, keyChangeShare, partialImageShare, nullShare, csvShare,
                headerlessCsvShare, gzipShare, flatSnapshotShare, badRecordShare, replayShare, nativeShare);
    }

    public WorkloadSpec withSnapshotShare(double s) {
        return new WorkloadSpec(seed, tables, changes, minRecordsPerFile, maxRecordsPerFile, firstSequence, keyPrefix,
                s, insertShare, deleteShare, keyChangeShare, partialImageShare, nullShare, csvShare,
                headerlessCsvShare, gzipShare, flatSnapshotShare, badRecordShare, replayShare, nativeShare);
    }

    /** The mix of realtime changes: inserts, deletes and key-changing updates; plain updates take the rest. */
    public WorkloadSpec withOperationMix(double inserts, double deletes, double keyChanges) {
        return new WorkloadSpec(seed, tables, changes, minRecordsPerFile, maxRecordsPerFile, firstSequence, keyPrefix,
                snapshotShare, inserts, deletes, keyChanges, partialImageShare, nullShare, csvShare,
                headerlessCsvShare, gzipShare, flatSnapshotShare, badRecordShare, replayShare, nativeShare);
    }

    public WorkloadSpec withPartialImageShare(double s) {
        return new WorkloadSpec(seed, tables, changes, minRecordsPerFile, maxRecordsPerFile, firstSequence, keyPrefix,
                snapshotShare, insertShare, deleteShare, keyChangeShare, s, nullShare, csvShare, headerlessCsvShare,
                gzipShare, flatSnapshotShare, badRecordShare, replayShare, nativeShare);
    }

    public WorkloadSpec withNullShare(double s) {
        return new WorkloadSpec(seed, tables, changes, minRecordsPerFile, maxRecordsPerFile, firstSequence, keyPrefix,
                snapshotShare, insertShare, deleteShare, keyChangeShare, partialImageShare, s, csvShare,
                headerlessCsvShare, gzipShare, flatSnapshotShare, badRecordShare, replayShare, nativeShare);
    }

    /** The file format mix: CSV files, header-less among CSV files, gzip among all files. */
    public WorkloadSpec withFormatMix(double csv, double headerlessCsv, double gzip) {
        return new WorkloadSpec(seed, tables, changes, minRecordsPerFile, maxRecordsPerFile, firstSequence, keyPrefix,
                snapshotShare, insertShare, deleteShare, keyChangeShare, partialImageShare, nullShare, csv,
                headerlessCsv, gzip, flatSnapshotShare, badRecordShare, replayShare, nativeShare);
    }

    public WorkloadSpec withBadRecordShare(double s) {
        return new WorkloadSpec(seed, tables, changes, minRecordsPerFile, maxRecordsPerFile, firstSequence, keyPrefix,
                snapshotShare, insertShare, deleteShare, keyChangeShare, partialImageShare, nullShare, csvShare,
                headerlessCsvShare, gzipShare, flatSnapshotShare, s, replayShare, nativeShare);
    }

    public WorkloadSpec withReplayShare(double s) {
        return new WorkloadSpec(seed, tables, changes, minRecordsPerFile, maxRecordsPerFile, firstSequence, keyPrefix,
                snapshotShare, insertShare, deleteShare, keyChangeShare, partialImageShare, nullShare, csvShare,
                headerlessCsvShare, gzipShare, flatSnapshotShare, badRecordShare, s, nativeShare);
    }

    /** The share of realtime JSON files written as NATIVE envelopes (see {@link #nativeShare}). */
    public WorkloadSpec withNativeShare(double s) {
        return new WorkloadSpec(seed, tables, changes, minRecordsPerFile, maxRecordsPerFile, firstSequence, keyPrefix,
                snapshotShare, insertShare, deleteShare, keyChangeShare, partialImageShare, nullShare, csvShare,
                headerlessCsvShare, gzipShare, flatSnapshotShare, badRecordShare, replayShare, s);
    }

    public WorkloadSpec withFlatSnapshotShare(double s) {
        return new WorkloadSpec(seed, tables, changes, minRecordsPerFile, maxRecordsPerFile, firstSequence, keyPrefix,
                snapshotShare, insertShare, deleteShare, keyChangeShare, partialImageShare, nullShare, csvShare,
                headerlessCsvShare, gzipShare, s, badRecordShare, replayShare, nativeShare);
    }
}
