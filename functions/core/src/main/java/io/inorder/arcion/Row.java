package io.inorder.arcion;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One row image: the columns really present, in source order, with their values. Immutable.
 *
 * <p>A value is {@code null} for SQL NULL, a {@link String} for text (Arcion writes most values as text), or a
 * Jackson {@code JsonNode} for any other JSON value (number, boolean, object, array). A column that the source did not
 * mention (Arcion {@code exists} 0, or the other image's side) is absent, never {@code null}: absence and NULL are
 * different facts. Kept as two parallel arrays rather than a map because rows are built and read once, in order, on
 * the hot path.
 */
public final class Row {

    private static final Row EMPTY = new Row(new String[0], new Object[0]);

    private final String[] names;
    private final Object[] values;

    private Row(String[] names, Object[] values) {
        this.names = names;
        this.values = values;
    }

    public static Row empty() {
        return EMPTY;
    }

    /** A row from parallel lists; the lists are copied. Column names must be unique. */
    public static Row of(List<String> names, List<?> values) {
        if (names.size() != values.size()) {
            throw new IllegalArgumentException("names and values differ in length");
        }
        return new Row(names.toArray(new String[0]), values.toArray());
    }

    /** A row from a map, in the map's iteration order. */
    public static Row of(Map<String, ?> columns) {
        return new Row(columns.keySet().toArray(new String[0]), columns.values().toArray());
    }

    public int size() {
        return names.length;
    }

    public boolean isEmpty() {
        return names.length == 0;
    }

    public String name(int i) {
        return names[i];
    }

    public Object value(int i) {
        return values[i];
    }

    /** Index of a column, or -1 when absent. Linear: rows are narrow and this is called for key columns only. */
    public int indexOf(String column) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(column)) {
                return i;
            }
        }
        return -1;
    }

    public boolean has(String column) {
        return indexOf(column) >= 0;
    }

    /** The value of a present column (possibly {@code null} for SQL NULL); throws when the column is absent. */
    public Object get(String column) {
        int i = indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException("column not present: " + column);
        }
        return values[i];
    }

    public List<String> names() {
        return Collections.unmodifiableList(Arrays.asList(names));
    }

    /** A copy as an ordered map (for tests and diagnostics, not the hot path). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], values[i]);
        }
        return m;
    }

    /** This row with the given columns set (replaced in place when present, appended otherwise). */
    public Row with(Row changes) {
        List<String> n = new ArrayList<>(Arrays.asList(names));
        List<Object> v = new ArrayList<>(Arrays.asList(values));
        for (int i = 0; i < changes.size(); i++) {
            int at = n.indexOf(changes.name(i));
            if (at >= 0) {
                v.set(at, changes.value(i));
            } else {
                n.add(changes.name(i));
                v.add(changes.value(i));
            }
        }
        return new Row(n.toArray(new String[0]), v.toArray());
    }

    /** This row without the given column (itself when absent). */
    public Row without(String column) {
        int at = indexOf(column);
        if (at < 0) {
            return this;
        }
        String[] n = new String[names.length - 1];
        Object[] v = new Object[names.length - 1];
        for (int i = 0, j = 0; i < names.length; i++) {
            if (i != at) {
                n[j] = names[i];
                v[j++] = values[i];
            }
        }
        return new Row(n, v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Row r && Arrays.equals(names, r.names) && Arrays.equals(values, r.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(names) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return toMap().toString();
    }

    /** Builds a row column by column; used by the readers. Not thread-safe. */
    public static final class Builder {
        private String[] names = new String[16];
        private Object[] values = new Object[16];
        private int size;

        public Builder put(String name, Object value) {
            Objects.requireNonNull(name, "name");
            if (size == names.length) {
                names = Arrays.copyOf(names, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            names[size] = name;
            values[size++] = value;
            return this;
        }

        public int size() {
            return size;
        }

        public Row build() {
            return size == 0 ? EMPTY : new Row(Arrays.copyOf(names, size), Arrays.copyOf(values, size));
        }
    }
}
