package io.inorder.local.workload;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One source table of a workload: its name, columns, key and how realistic values and fresh keys are drawn. Key
 * freshness is guaranteed by counters, so an insert or a key change never collides with a live row (a source
 * database would refuse it). Values are text, as Arcion writes them, and deliberately awkward: commas, quotes,
 * line breaks, unicode, the text {@code NULL}, empty strings and decimal-looking strings such as {@code 9.50}. They
 * never equal {@code null}, which S3 JSON cannot tell from SQL NULL (arcion-cdc-formats.md §4.2). Not thread-safe.
 */
final class TableShape {

    /** What a column holds, which decides how its values are drawn. */
    enum Kind { SERIAL, ORDER_REF, CUSTOMER_REF, LINE, SKU, TAG, EMAIL, PERSON, CITY, NOTE, STATUS, MONEY, QTY,
        CURRENCY, TIMESTAMP, TITLE, METHOD, PAY_STATE, REFERENCE }

    record Column(String name, Kind kind, boolean nullable) { }

    private static final String[] PERSONS = {"Zoë Martin", "José Álvarez", "Ngozi Okafor", "李雷", "Anna-Lena Weiß",
        "O'Brien, Pat", "Søren Kierkegaard", "Dr. \"Doc\" Brown", "Émilie Dubois", "Ола Нордманн", "Priya Natarajan"};
    private static final String[] CITIES = {"München", "São Paulo", "Zürich", "Tokyo 東京", "Kraków", "Reykjavík",
        "Paris", "New York, NY", "Århus", "Québec"};
    private static final String[] NOTES = {"leave at the door", "ring twice, then \"knock\"",
        "fragile;\nhandle with care", "gift 🎁 for mum", "line one\r\nline two", "", "NULL", "Null", "nil",
        "comma, separated, text", "tab\there", "back\\slash \\n not a newline", "ünïcödé ✓ — ok",
        "quote \"\"doubled\"\"", "  padded  ", "{\"json\": \"inside\"}", "a,b\n\"c\",d", "9.50", "0", "-"};
    private static final String[] STATUSES = {"NEW", "PAID", "SHIPPED", "DELIVERED", "CANCELLED", "ON HOLD",
        "RETURNED, partial"};
    private static final String[] CURRENCIES = {"EUR", "USD", "JPY", "CHF", "GBP"};
    private static final String[] TITLES = {"Monitor 27\", matte", "Café crème 250 g", "USB-C cable, 2 m",
        "Tee \"Classic\" – size M", "Notebook A5\ndotted", "Kaffeemühle", "抹茶 100g", "Desk lamp (LED)"};
    private static final String[] METHODS = {"card", "sepa", "paypal", "gift card", "invoice, 30 days"};
    private static final String[] PAY_STATES = {"pending", "captured", "refunded", "failed"};
    private static final String[] TAGS = {"vip", "late \"payer\"", "café, bar", "newsletter", "b2b",
        "wholesale/retail", "ß-tag"};
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneOffset.UTC);

    final String catalog;
    final String name;
    final String collection;
    final List<Column> columns;
    /** Indexes of the key columns in {@link #columns}, in key order. */
    final int[] key;
    /**
     * Column indexes in the order of realtime CSV triplets (alphabetical, as in Arcion's samples, whose snapshot lines
     * keep table order; arcion-internal-cdc-format.md): realtime CSV files and {@code csvRealtimeColumns}.
     */
    final int[] csvOrder;
    /** Column indexes in table order: snapshot CSV lines and {@code csvColumns}. */
    final int[] tableOrder;
    /** Relative share of realtime changes that hit this table. */
    final int weight;

    private long serial;
    private long tagSerial;
    private final Map<String, Integer> nextLine = new HashMap<>();

    private TableShape(String catalog, String name, String collection, int weight, long firstSerial,
                       List<Column> columns, String... key) {
        this.catalog = catalog;
        this.name = name;
        this.collection = collection;
        this.weight = weight;
        this.serial = firstSerial;
        this.columns = List.copyOf(columns);
        this.key = new int[key.length];
        for (int i = 0; i < key.length; i++) {
            this.key[i] = indexOf(key[i]);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparing(i -> columns.get(i).name()));
        this.csvOrder = order.stream().mapToInt(Integer::intValue).toArray();
        this.tableOrder = new int[columns.size()];
        for (int i = 0; i < tableOrder.length; i++) {
            tableOrder[i] = i;
        }
    }

    /** The i-th table of a workload: six distinct shapes, repeated under catalogs shop2, shop3, … beyond six. */
    static TableShape nth(int i) {
        int round = i / 6;
        String shop = round == 0 ? "shop" : "shop" + (round + 1);
        String billing = round == 0 ? "billing" : "billing" + (round + 1);
        String suffix = round == 0 ? "" : "_" + (round + 1);
        return switch (i % 6) {
            case 0 -> new TableShape(shop, "customers", "customers" + suffix, 2, 1, List.of(
                    col("id", Kind.SERIAL), col("email", Kind.EMAIL), col("full_name", Kind.PERSON),
                    col("city", Kind.CITY), nullable("note", Kind.NOTE), col("created_at", Kind.TIMESTAMP)), "id");
            case 1 -> new TableShape(shop, "orders", "orders" + suffix, 4, 1000, List.of(
                    col("id", Kind.SERIAL), col("customer_id", Kind.CUSTOMER_REF), col("status", Kind.STATUS),
                    col("total", Kind.MONEY), col("currency", Kind.CURRENCY), nullable("note", Kind.NOTE),
                    nullable("shipped_at", Kind.TIMESTAMP), col("updated_at", Kind.TIMESTAMP)), "id");
            case 2 -> new TableShape(shop, "order_items", "order_items" + suffix, 5, 0, List.of(
                    col("order_id", Kind.ORDER_REF), col("line_no", Kind.LINE), col("sku", Kind.SKU),
                    col("qty", Kind.QTY), col("price", Kind.MONEY), nullable("gift_message", Kind.NOTE)),
                    "order_id", "line_no");
            case 3 -> new TableShape(shop, "products", "products" + suffix, 2, 1, List.of(
                    col("sku", Kind.SKU), col("title", Kind.TITLE), col("price", Kind.MONEY),
                    col("stock", Kind.QTY), nullable("description", Kind.NOTE)), "sku");
            case 4 -> new TableShape(billing, "payments", "payments" + suffix, 3, 50_000, List.of(
                    col("id", Kind.SERIAL), col("order_id", Kind.ORDER_REF), col("amount", Kind.MONEY),
                    col("method", Kind.METHOD), col("state", Kind.PAY_STATE), nullable("reference", Kind.REFERENCE)),
                    "id");
            default -> new TableShape(shop, "customer_tags", "customer_tags" + suffix, 1, 0, List.of(
                    col("customer_id", Kind.CUSTOMER_REF), col("tag", Kind.TAG), col("added_at", Kind.TIMESTAMP),
                    nullable("note", Kind.NOTE)), "customer_id", "tag");
        };
    }

    private static Column col(String name, Kind kind) {
        return new Column(name, kind, false);
    }

    private static Column nullable(String name, Kind kind) {
        return new Column(name, kind, true);
    }

    /** {@code catalog.name}, as the readers join an Arcion {@code tableName}. */
    String table() {
        return catalog + "." + name;
    }

    int indexOf(String column) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(column)) {
                return i;
            }
        }
        throw new IllegalArgumentException(column);
    }

    boolean isKey(int column) {
        for (int k : key) {
            if (k == column) {
                return true;
            }
        }
        return false;
    }

    /** A new row with a key no row has ever had in this table. */
    String[] freshRow(SplittableRandom r, long nowMillis) {
        String[] row = new String[columns.size()];
        for (int i = 0; i < row.length; i++) {
            if (!isKey(i)) {
                row[i] = value(i, r, nowMillis, true);
            }
        }
        freshKeyInto(row, r);
        return row;
    }

    /** Sets the key columns of {@code row} to a key no row has ever had in this table. */
    void freshKeyInto(String[] row, SplittableRandom r) {
        for (int k : key) {
            Column c = columns.get(k);
            row[k] = switch (c.kind()) {
                case SERIAL -> Long.toString(serial++);
                case SKU -> String.format("SKU-%05d", serial++);
                case ORDER_REF -> Long.toString(1000 + r.nextInt(500));
                case CUSTOMER_REF -> Long.toString(1 + r.nextInt(200));
                case LINE -> {
                    String order = row[key[0]];
                    int line = nextLine.merge(order, 1, Integer::sum);
                    yield Integer.toString(line);
                }
                case TAG -> TAGS[r.nextInt(TAGS.length)] + " #" + (++tagSerial);
                default -> throw new IllegalStateException("column " + c.name() + " cannot be a key");
            };
        }
    }

    /** A new value for a non-key column; SQL NULL (Java null) with {@code nullShare} when the column allows it. */
    String changedValue(int column, SplittableRandom r, long nowMillis, double nullShare) {
        if (columns.get(column).nullable() && r.nextDouble() < nullShare) {
            return null;
        }
        return value(column, r, nowMillis, false);
    }

    private String value(int column, SplittableRandom r, long nowMillis, boolean insert) {
        Column c = columns.get(column);
        if (insert && c.nullable() && r.nextInt(4) == 0) {
            return null;
        }
        return switch (c.kind()) {
            case SERIAL, LINE -> Long.toString(r.nextLong(1, 1_000_000));
            case ORDER_REF -> Long.toString(1000 + r.nextInt(5000));
            case CUSTOMER_REF -> Long.toString(1 + r.nextInt(200));
            case SKU -> String.format("SKU-%05d", 1 + r.nextInt(500));
            case TAG -> pick(TAGS, r);
            case EMAIL -> emailOf(pick(PERSONS, r), r);
            case PERSON -> pick(PERSONS, r);
            case CITY -> pick(CITIES, r);
            case NOTE -> pick(NOTES, r);
            case STATUS -> pick(STATUSES, r);
            case MONEY -> {
                int cents = r.nextInt(100);
                yield r.nextInt(2000) + (cents < 10 ? ".0" : ".") + cents;
            }
            case QTY -> Integer.toString(r.nextInt(1, 13));
            case CURRENCY -> pick(CURRENCIES, r);
            case TIMESTAMP -> TIME.format(Instant.ofEpochMilli(nowMillis - r.nextInt(86_400_000)));
            case TITLE -> pick(TITLES, r);
            case METHOD -> pick(METHODS, r);
            case PAY_STATE -> pick(PAY_STATES, r);
            case REFERENCE -> String.format("TX-%08X", r.nextInt() & 0x7fffffff);
        };
    }

    private static String emailOf(String person, SplittableRandom r) {
        StringBuilder local = new StringBuilder();
        for (int i = 0; i < person.length(); i++) {
            char ch = person.charAt(i);
            if (ch < 0x80 && Character.isLetterOrDigit(ch)) {
                local.append(Character.toLowerCase(ch));
            } else if (ch == '\'' || ch == ' ') {
                local.append(ch == ' ' ? '.' : '\'');
            }
        }
        if (local.chars().noneMatch(Character::isLetter)) {
            local.setLength(0);
            local.append("user");
        }
        return local + "+" + r.nextInt(1000) + "@example.org";
    }

    private static String pick(String[] values, SplittableRandom r) {
        return values[r.nextInt(values.length)];
    }
}
