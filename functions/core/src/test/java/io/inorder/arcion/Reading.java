package io.inorder.arcion;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Test helpers: fixtures, whole-input reading and event assertions. */
final class Reading {

    private Reading() {
    }

    static byte[] resource(String path) {
        try (InputStream in = Reading.class.getResourceAsStream("/arcion/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource arcion/" + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<ReadResult> readAll(byte[] input, String name, ReaderOptions opts) {
        return readAll(new ByteArrayInputStream(input), name, opts);
    }

    static List<ReadResult> readAll(InputStream input, String name, ReaderOptions opts) {
        List<ReadResult> out = new ArrayList<>();
        try (ArcionReader reader = ArcionReaders.open(input, name, opts)) {
            for (ReadResult r; (r = reader.next()) != null; ) {
                assertThat(r.origin().position()).as("record index of %s", r).isEqualTo(out.size());
                out.add(r);
                assertThat(reader.recordsRead()).isEqualTo(out.size());
            }
            assertThat(reader.next()).as("a finished reader stays finished").isNull();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static List<ReadResult> readAll(String resource, ReaderOptions opts) {
        return readAll(resource(resource), resource, opts);
    }

    /** An ordered column map that may hold nulls: {@code cols("id", "17", "note", null)}. */
    static Map<String, Object> cols(Object... nameValue) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.put((String) nameValue[i], nameValue[i + 1]);
        }
        return m;
    }

    static ChangeEvent event(ReadResult r) {
        assertThat(r).as("expected a ChangeEvent").isInstanceOf(ChangeEvent.class);
        return (ChangeEvent) r;
    }

    static BadRecord bad(ReadResult r) {
        assertThat(r).as("expected a BadRecord").isInstanceOf(BadRecord.class);
        return (BadRecord) r;
    }

    static Map<String, Object> map(Row row) {
        return row == null ? null : row.toMap();
    }

    /**
     * Asserts every normalized field of an event except position, messageKey and the before image's completeness;
     * {@code afterComplete} true means {@link Completeness#COMPLETE}, false {@link Completeness#PARTIAL}.
     */
    static ChangeEvent assertEvent(ReadResult r, String table, Op op, Map<String, Object> before,
            Map<String, Object> after, boolean afterComplete, long sourceTime) {
        return assertEvent(r, table, op, before, after, afterComplete ? Completeness.COMPLETE : Completeness.PARTIAL,
                sourceTime);
    }

    /** Asserts every normalized field of an event except position, messageKey and the before image's completeness. */
    static ChangeEvent assertEvent(ReadResult r, String table, Op op, Map<String, Object> before,
            Map<String, Object> after, Completeness afterCompleteness, long sourceTime) {
        ChangeEvent e = event(r);
        assertThat(e.table()).as("table of %s", e).isEqualTo(table);
        assertThat(e.op()).as("op of %s", e).isEqualTo(op);
        assertThat(map(e.before())).as("before of %s", e).isEqualTo(before);
        assertThat(map(e.after())).as("after of %s", e).isEqualTo(after);
        assertThat(e.afterCompleteness()).as("afterCompleteness of %s", e).isEqualTo(afterCompleteness);
        assertThat(e.sourceTimeMillis()).as("sourceTimeMillis of %s", e).isEqualTo(sourceTime);
        return e;
    }

    static byte[] gzip(byte[]... members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (byte[] m : members) {
                try (GZIPOutputStream gz = new GZIPOutputStream(out) {
                    @Override
                    public void close() throws IOException {
                        finish(); // keep the underlying stream open for the next member
                    }
                }) {
                    gz.write(m);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Byte offsets where each line of {@code input} starts (line 0 at 0). */
    static List<Long> lineStarts(byte[] input) {
        List<Long> starts = new ArrayList<>();
        starts.add(0L);
        for (int i = 0; i < input.length - 1; i++) {
            if (input[i] == '\n') {
                starts.add((long) i + 1);
            }
        }
        return starts;
    }

    /** The same results with origins, positions and keys dropped, for comparing framings. */
    static List<String> contentOf(List<ReadResult> results) {
        List<String> out = new ArrayList<>();
        for (ReadResult r : results) {
            if (r instanceof ChangeEvent e) {
                out.add(e.table() + " " + e.op() + " " + e.before() + " " + e.after() + " " + e.beforeCompleteness() + "/"
                        + e.afterCompleteness() + " "
                        + e.sourceTimeMillis() + " " + e.position());
            } else {
                out.add("bad: " + ((BadRecord) r).reason());
            }
        }
        return out;
    }
}
