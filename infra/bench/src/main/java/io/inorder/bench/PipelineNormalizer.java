package io.inorder.bench;

import io.inorder.arcion.ArcionReader;
import io.inorder.arcion.ArcionReaders;
import io.inorder.arcion.ChangeEvent;
import io.inorder.arcion.ReadResult;
import io.inorder.arcion.ReaderOptions;
import io.inorder.mapping.ChangeMapper;
import io.inorder.mapping.MappingResult;
import io.inorder.mapping.TableConfig;
import io.inorder.writeapi.CoalescingWindow;
import io.inorder.writeapi.RequestBodies;
import io.inorder.writeapi.WriteApiSettings;
import io.inorder.writeapi.WriteOp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;

/**
 * The measured path: what the S3 function does to a file between reading it and sending it, minus the network —
 * {@link ArcionReaders} (streaming) → {@link ChangeMapper} → {@link CoalescingWindow} → request bodies written to a
 * sink. A window that cannot take the next operation is written out and a new one opened, as {@code OrderedWriter}
 * does. Not thread-safe.
 */
final class PipelineNormalizer {

    private final ChangeMapper mapper;
    private final WriteApiSettings settings;

    PipelineNormalizer() {
        this.mapper = new ChangeMapper(TableConfig.parse(CdcRecords.TABLE_CONFIG, "the benchmark table config"));
        this.settings = WriteApiSettings.defaults(URI.create("http://127.0.0.1:1"), CdcRecords.WORKSPACE);
    }

    /** Normalizes every record of {@code input} into request bodies on {@code out}; returns the records read. */
    long run(byte[] input, OutputStream out) throws IOException {
        CoalescingWindow window = new CoalescingWindow(settings);
        long records = 0;
        try (ArcionReader reader = ArcionReaders.open(new ByteArrayInputStream(input), "bench/orders_1.json",
                ReaderOptions.defaults())) {
            for (ReadResult r = reader.next(); r != null; r = reader.next()) {
                records++;
                if (!(r instanceof ChangeEvent e) || !(mapper.map(e) instanceof MappingResult.Apply apply)) {
                    throw new IllegalStateException("benchmark input record " + r.origin().describe()
                            + " did not map to operations: the generator and the table config disagree");
                }
                for (WriteOp op : apply.ops()) {
                    if (window.add(op) == CoalescingWindow.Admission.FLUSH_FIRST) {
                        RequestBodies.write(window, out);
                        window = new CoalescingWindow(settings);
                        window.add(op);
                    }
                }
            }
        }
        RequestBodies.write(window, out);
        return records;
    }
}
