package io.inorder.arcion;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Whatever mix of good and damaged records an input holds, every record comes out exactly once, in order, as an
 * event or a BadRecord, with its index and byte offset; and CSV values of any content survive quoting.
 */
class FramingProperties {

    enum Kind { GOOD, TRUNCATED, MALFORMED, BAD_UTF8, BLANK }

    record Item(Kind kind, int id) {
    }

    @Provide
    Arbitrary<List<Item>> items() {
        Arbitrary<Item> item = Combinators.combine(
                Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(6, Arbitraries.just(Kind.GOOD)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.TRUNCATED)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.MALFORMED)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.BAD_UTF8)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.BLANK))),
                Arbitraries.integers().between(0, 1_000_000)).as(Item::new);
        return item.list().ofMaxSize(25);
    }

    private static byte[] render(Item it, boolean pretty) {
        String id = Integer.toString(it.id());
        String text = switch (it.kind()) {
            case GOOD, BAD_UTF8 -> pretty
                    ? "{\n  \"id\" : \"" + id + "\",\n  \"v\" : {\n    \"k\" : \"@\"\n  }\n}\n"
                    : "{\"id\":\"" + id + "\",\"v\":{\"k\":\"@\"}}\n";
            case TRUNCATED -> pretty ? "{\n  \"id\" : \"" + id + "\",\n  \"v\" : {\n    \"k\" : \"ab\n"
                    : "{\"id\":\"" + id + "\",\"v\":{\"k\":\"ab\n";
            case MALFORMED -> pretty ? "{\n  \"id\" : \"" + id + "\",,\n  \"v\" : 1\n}\n"
                    : "{\"id\":\"" + id + "\",,\"v\":1}\n";
            case BLANK -> "\n \n";
        };
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        if (it.kind() == Kind.BAD_UTF8) {
            for (int i = 0; i < b.length; i++) {
                if (b[i] == '@') {
                    b[i] = (byte) 0xff;
                }
            }
        }
        return b;
    }

    @Property(tries = 300)
    void everyJsonRecordComesOutOnceInOrderWithItsOffset(@ForAll("items") List<Item> items,
            @ForAll boolean pretty, @ForAll boolean gzipped, @ForAll @IntRange(min = 1, max = 9) int trickle) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Item> expected = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        for (Item it : items) {
            if (it.kind() != Kind.BLANK) {
                expected.add(it);
                offsets.add((long) out.size());
            }
            out.writeBytes(render(it, pretty));
        }
        byte[] input = gzipped ? Reading.gzip(out.toByteArray()) : out.toByteArray();
        // The input arrives a few bytes per read, so records straddle every possible window boundary.
        List<ReadResult> rs = Reading.readAll(new Trickle(input, trickle), "prop", ReaderOptions.defaults());
        assertThat(rs).hasSize(expected.size());
        for (int i = 0; i < rs.size(); i++) {
            ReadResult r = rs.get(i);
            assertThat(r.origin().byteOffset()).as("offset of record %d", i).isEqualTo(offsets.get(i));
            if (expected.get(i).kind() == Kind.GOOD) {
                assertThat(Reading.event(r).after().get("id")).isEqualTo(Integer.toString(expected.get(i).id()));
            } else {
                assertThat(r).as("record %d (%s)", i, expected.get(i).kind()).isInstanceOf(BadRecord.class);
            }
        }
    }

    @Provide
    Arbitrary<String> cellText() {
        return Arbitraries.strings().withChars("ab ,\"\n\r;'é東\t").ofMaxLength(8)
                .injectDuplicates(0.1).edgeCases(e -> e.add("NULL").add("").add("\"").add(","));
    }

    @Provide
    Arbitrary<List<List<String>>> tables() {
        return Arbitraries.integers().between(1, 5).flatMap(width -> cellText().injectNull(0.15).list()
                .ofSize(width).list().ofMaxSize(15));
    }

    @Property(tries = 300)
    void csvValuesOfAnyContentSurviveQuotingAndNullIsOnlyTheUnquotedMarker(
            @ForAll("tables") List<List<String>> rows, @ForAll boolean header, @ForAll boolean quoteAll) {
        int width = rows.isEmpty() ? 1 : rows.get(0).size();
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            columns.add("c" + i);
        }
        StringBuilder csv = new StringBuilder();
        if (header) {
            csv.append(String.join(",", columns)).append('\n');
        }
        List<Long> offsets = new ArrayList<>();
        for (List<String> row : rows) {
            offsets.add((long) csv.toString().getBytes(StandardCharsets.UTF_8).length);
            for (int i = 0; i < row.size(); i++) {
                if (i > 0) {
                    csv.append(',');
                }
                String v = row.get(i);
                if (v == null) {
                    csv.append("NULL");
                } else if (quoteAll || v.isEmpty() || v.equals("NULL") || v.matches("(?s).*[,\"\r\n].*")) {
                    csv.append('"').append(v.replace("\"", "\"\"")).append('"');
                } else {
                    csv.append(v);
                }
            }
            csv.append(rows.size() % 2 == 0 ? "\n" : "\r\n");
        }
        ReaderOptions opts = ReaderOptions.defaults().withFormat(ArcionFormat.CSV)
                .withCsvHeader(header ? ReaderOptions.CsvHeader.PRESENT : ReaderOptions.CsvHeader.ABSENT)
                .withCsvColumns(columns);
        List<ReadResult> rs = Reading.readAll(csv.toString().getBytes(StandardCharsets.UTF_8), "prop.csv", opts);
        assertThat(rs).hasSize(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            ChangeEvent e = Reading.event(rs.get(r));
            assertThat(e.origin().byteOffset()).isEqualTo(offsets.get(r));
            List<Object> values = new ArrayList<>();
            for (int i = 0; i < width; i++) {
                values.add(e.after().value(i));
            }
            assertThat(values).isEqualTo(new ArrayList<Object>(rows.get(r)));
        }
    }

    /** Serves at most {@code step} bytes per read, like a slow network stream. */
    static final class Trickle extends java.io.InputStream {
        private final byte[] data;
        private final int step;
        private int at;

        Trickle(byte[] data, int step) {
            this.data = data;
            this.step = step;
        }

        @Override
        public int read() {
            return at < data.length ? data[at++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, step), data.length - at);
            System.arraycopy(data, at, b, off, n);
            at += n;
            return n;
        }
    }
}
