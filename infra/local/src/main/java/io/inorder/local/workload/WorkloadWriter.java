package io.inorder.local.workload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes a workload to a directory as the CLI reads it ({@code inorder replay --dir}, {@code inorder demo}): every
 * file at its S3 key as relative path (e.g. {@code cdc/shop.orders_3.csv.gz}) and the table config as
 * {@value #TABLE_CONFIG}. Existing files with the same names are overwritten; nothing else is removed.
 */
public final class WorkloadWriter {

    /** The table config's file name in a workload directory. */
    public static final String TABLE_CONFIG = "tables.json";

    private WorkloadWriter() {
    }

    /**
     * Generates the workload straight to {@code directory}, holding only one open file per table in memory: for
     * workloads too large to keep. The returned workload reads its files back from the directory and has no
     * {@link Workload#changes()} log; its expected state is complete.
     */
    public static Workload write(WorkloadSpec spec, Path directory) throws IOException {
        Objects.requireNonNull(spec, "spec");
        Files.createDirectories(directory);
        Workload w = Workload.generateInto(spec, directory);
        writeConfig(w, directory);
        return w;
    }

    /** Writes an in-memory workload's files and table config to {@code directory}. */
    public static void write(Workload workload, Path directory) throws IOException {
        Files.createDirectories(directory);
        for (WorkloadFile f : workload.files()) {
            Path target = directory.resolve(f.key());
            Files.createDirectories(target.getParent());
            Files.write(target, workload.bytes(f));
        }
        writeConfig(workload, directory);
    }

    private static void writeConfig(Workload w, Path directory) throws IOException {
        Files.writeString(directory.resolve(TABLE_CONFIG), w.tableConfigJson(), StandardCharsets.UTF_8);
    }
}
