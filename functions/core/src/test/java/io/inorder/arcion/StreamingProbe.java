package io.inorder.arcion;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Run in a forked JVM with a small heap by {@link StreamingMemoryTest}: reads a generated input of the given size
 * through {@link ArcionReaders} and prints what it counted next to what the generator produced. Exits non-zero
 * when they differ (or, by the JVM, when the heap runs out).
 *
 * <p>Arguments: {@code s3-json <bytes>} (plain NDJSON) or {@code csv-gzip <bytes>} (realtime CSV gzipped on the fly
 * through a pipe).
 */
public final class StreamingProbe {

    private StreamingProbe() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        long bytes = Long.parseLong(args[1]);
        boolean csv = mode.equals("csv-gzip");
        GeneratedInput generated = new GeneratedInput(csv ? GeneratedInput.Kind.CSV_REALTIME
                : GeneratedInput.Kind.S3_JSON, bytes, 100_000);
        InputStream input = csv ? gzipThroughPipe(generated) : generated;
        ReaderOptions opts = csv ? ReaderOptions.defaults().withCsvColumns(List.of("id", "status", "total", "note"))
                : ReaderOptions.defaults();
        long events = 0;
        long bad = 0;
        long partial = 0;
        try (ArcionReader reader = ArcionReaders.open(input, "generated-" + mode, opts)) {
            for (ReadResult r; (r = reader.next()) != null; ) {
                if (r instanceof ChangeEvent e) {
                    events++;
                    if (e.afterCompleteness() != Completeness.COMPLETE && e.before().has("id") && e.sourceTimeMillis() > 0) {
                        partial++;
                    }
                } else {
                    bad++;
                }
            }
        }
        System.out.println("maxHeap=" + Runtime.getRuntime().maxMemory() + " generatedRecords=" + generated.records()
                + " generatedBad=" + generated.badRecords() + " events=" + events + " partial=" + partial + " bad="
                + bad);
        boolean ok = events + bad == generated.records() && bad == generated.badRecords() && partial == events;
        System.exit(ok ? 0 : 3);
    }

    private static InputStream gzipThroughPipe(InputStream plain) throws IOException {
        PipedInputStream in = new PipedInputStream(64 * 1024);
        PipedOutputStream out = new PipedOutputStream(in);
        Thread writer = new Thread(() -> {
            try (OutputStream gz = new GZIPOutputStream(out, 64 * 1024) {
                {
                    def.setLevel(Deflater.BEST_SPEED);
                }
            }) {
                plain.transferTo(gz);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "gzip-writer");
        writer.setDaemon(true);
        writer.start();
        return in;
    }
}
