package io.inorder.observe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;

/**
 * Structured JSON log lines, one per event worth reading, written to stdout where Lambda ships them to CloudWatch
 * Logs. Field names follow Powertools' conventions ({@code level}, {@code message}, {@code service},
 * {@code function_request_id}, {@code cold_start}) so existing queries and dashboards work. Row data is not logged
 * by default, only origins, counts and reasons that say what is wrong and where: callers pass a bad record's
 * data-free summary ({@link io.inorder.arcion.BadRecord#loggable}) unless {@code LOG_ROW_DATA=true}. Thread-safe.
 */
public final class Log {

    /** Severity, ordered. */
    public enum Level { DEBUG, INFO, WARN, ERROR }

    private static final JsonFactory JSON = new JsonFactory();

    private final String service;
    private final Level threshold;
    private final PrintStream out;
    private final Clock clock;
    private volatile String requestId;
    private volatile boolean coldStart = true;

    public Log(String service, Level threshold, PrintStream out, Clock clock) {
        this.service = service;
        this.threshold = threshold;
        this.out = out;
        this.clock = clock;
    }

    /** A log from {@code POWERTOOLS_SERVICE_NAME} and {@code POWERTOOLS_LOG_LEVEL}, to stdout. */
    public static Log fromEnvironment(Map<String, String> env) {
        String level = env.getOrDefault("POWERTOOLS_LOG_LEVEL", "INFO").toUpperCase(Locale.ROOT);
        Level threshold;
        try {
            threshold = Level.valueOf(level.equals("WARNING") ? "WARN" : level);
        } catch (IllegalArgumentException e) {
            threshold = Level.INFO;
        }
        return new Log(env.getOrDefault("POWERTOOLS_SERVICE_NAME", "inorder"), threshold, System.out,
                Clock.systemUTC());
    }

    /** Marks the start of an invocation: later lines carry its request id; only the first is a cold start. */
    public void invocation(String awsRequestId) {
        if (this.requestId != null) {
            coldStart = false;
        }
        this.requestId = awsRequestId;
    }

    public boolean coldStart() {
        return coldStart;
    }

    public void debug(String message, Object... fields) {
        write(Level.DEBUG, message, fields);
    }

    public void info(String message, Object... fields) {
        write(Level.INFO, message, fields);
    }

    public void warn(String message, Object... fields) {
        write(Level.WARN, message, fields);
    }

    public void error(String message, Object... fields) {
        write(Level.ERROR, message, fields);
    }

    /** Writes one line; {@code fields} alternate name and value (numbers, booleans, text; others via toString). */
    public void write(Level level, String message, Object... fields) {
        if (level.ordinal() < threshold.ordinal()) {
            return;
        }
        if (fields.length % 2 != 0) {
            throw new IllegalArgumentException("fields must alternate name and value");
        }
        StringWriter w = new StringWriter(128);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("timestamp", clock.instant().toString());
            g.writeStringField("level", level.name());
            g.writeStringField("service", service);
            g.writeStringField("message", message);
            if (requestId != null) {
                g.writeStringField("function_request_id", requestId);
            }
            g.writeBooleanField("cold_start", coldStart);
            for (int i = 0; i < fields.length; i += 2) {
                g.writeFieldName(String.valueOf(fields[i]));
                Object v = fields[i + 1];
                if (v == null) {
                    g.writeNull();
                } else if (v instanceof Long || v instanceof Integer) {
                    g.writeNumber(((Number) v).longValue());
                } else if (v instanceof Number n) {
                    g.writeNumber(n.doubleValue());
                } else if (v instanceof Boolean b) {
                    g.writeBoolean(b);
                } else {
                    g.writeString(v.toString());
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to a StringWriter cannot fail", e);
        }
        out.println(w);
    }
}
