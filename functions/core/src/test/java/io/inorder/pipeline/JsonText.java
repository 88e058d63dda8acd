package io.inorder.pipeline;

import java.util.Map;

/** JSON text for the S3 path's test inputs: Arcion's JSON CDC lines are written by hand, so a test shows their bytes. */
final class JsonText {

    private JsonText() {
    }

    /** A flat object of string values, in the map's order. */
    static String object(Map<String, String> values) {
        StringBuilder b = new StringBuilder("{");
        values.forEach((k, v) -> b.append(b.length() == 1 ? "" : ",").append(quote(k)).append(':').append(quote(v)));
        return b.append('}').toString();
    }

    /** A JSON string (backslashes and quotes escaped; the tests' values hold no control characters). */
    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
