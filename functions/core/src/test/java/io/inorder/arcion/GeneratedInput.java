package io.inorder.arcion;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * An input of a given size made up on the fly, record by record, so that tests can stream hundreds of megabytes
 * through a reader without the bytes ever existing whole on disk or in the heap. Every {@code badEvery}-th record is
 * a truncated line; the generator counts what it produced so the reader's counts can be checked exactly.
 */
final class GeneratedInput extends InputStream {

    enum Kind { S3_JSON, NATIVE, CSV_REALTIME }

    private final Kind kind;
    private final long target;
    private final int badEvery;
    private long produced;
    private long records;
    private long bad;
    private byte[] current = new byte[0];
    private int at;
    private final StringBuilder sb = new StringBuilder(1024);

    GeneratedInput(Kind kind, long targetBytes, int badEvery) {
        this.kind = kind;
        this.target = targetBytes;
        this.badEvery = badEvery;
    }

    long records() {
        return records;
    }

    long badRecords() {
        return bad;
    }

    private boolean advance() {
        if (produced >= target) {
            return false;
        }
        long i = records++;
        boolean broken = badEvery > 0 && i % badEvery == badEvery - 1;
        if (broken) {
            bad++;
        }
        sb.setLength(0);
        if (kind == Kind.S3_JSON) {
            sb.append("{\"tableName\":{\"namespace\":{\"catalog\":\"shop\",\"schema\":null,\"hash\":11},\"name\":\"orders\",")
                    .append("\"hash\":22},\"opType\":\"U\",\"cursor\":\"{\\\"extractorId\\\":0,\\\"timestamp\\\":")
                    .append(1700000000000L + i).append(",\\\"extractionTimestamp\\\":").append(1700000000420L + i)
                    .append(",\\\"log\\\":\\\"binlog.000042\\\",\\\"position\\\":").append(i)
                    .append(",\\\"logSeqNum\\\":1,\\\"slaveServerId\\\":1,\\\"v\\\":2}\",");
            if (broken) {
                sb.append("\"before\":{\"id\":\"").append(i).append('\n');
            } else {
                sb.append("\"before\":{\"id\":\"").append(i).append("\",\"status\":\"null\",\"total\":\"null\",")
                        .append("\"note\":\"null\"},\"after\":{\"id\":\"null\",\"status\":\"PAID\",\"total\":\"")
                        .append(i % 1000).append(".50\",\"note\":\"a note, with \\\"quotes\\\" and unicode é\"},")
                        .append("\"exists\":{\"id\":\"2\",\"status\":\"1\",\"total\":\"1\",\"note\":\"1\"},")
                        .append("\"operationcount\":\"{\\\"insertCount\\\":5,\\\"updateCount\\\":").append(i)
                        .append(",\\\"deleteCount\\\":0,\\\"replaceCount\\\":0}\"}\n");
            }
        } else if (kind == Kind.NATIVE) {
            sb.append("{\"tableName\":{\"namespace\":{\"catalog\":\"shop\",\"schema\":null,\"hash\":11},\"name\":\"orders\",")
                    .append("\"hash\":22},\"opType\":\"U\",\"cursor\":{\"extractorId\":0,\"timestamp\":")
                    .append(1700000000000L + i).append(",\"extractionTimestamp\":").append(1700000000420L + i)
                    .append(",\"log\":\"binlog.000042\",\"position\":").append(i)
                    .append(",\"logSeqNum\":1,\"slaveServerId\":1,\"v\":2},\"before\":{\"id\":\"").append(i);
            if (broken) {
                sb.append('\n');
            } else {
                sb.append("\",\"status\":\"NEW\",\"total\":\"").append(i % 1000).append(".50\",\"note\":null},")
                        .append("\"after\":{\"id\":\"").append(i).append("\",\"status\":\"PAID\",\"total\":\"")
                        .append(i % 1000).append(".50\",\"note\":\"a note, with \\\"quotes\\\" and unicode é\"}}\n");
            }
        } else {
            sb.append("NULL,").append(i).append(",2,PAID,NULL,1,").append(i % 1000).append(".50,NULL,1,")
                    .append("\"a note, with \"\"quotes\"\"\nand a line break\",NULL,").append(broken ? "7" : "1")
                    .append(",U,\"{\"\"timestamp\"\":").append(1700000000000L + i).append(",\"\"position\"\":")
                    .append(i).append("}\",\"{\"\"updateCount\"\":").append(i).append("}\"\n");
        }
        current = sb.toString().getBytes(StandardCharsets.UTF_8);
        at = 0;
        produced += current.length;
        return true;
    }

    @Override
    public int read() {
        if (at == current.length && !advance()) {
            return -1;
        }
        return current[at++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        int n = 0;
        while (n < len) {
            if (at == current.length && !advance()) {
                break;
            }
            int k = Math.min(len - n, current.length - at);
            System.arraycopy(current, at, b, off + n, k);
            at += k;
            n += k;
        }
        return n == 0 ? -1 : n;
    }
}
