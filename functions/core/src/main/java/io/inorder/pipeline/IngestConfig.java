package io.inorder.pipeline;

import io.inorder.arcion.ArcionFormat;
import io.inorder.mapping.TableConfig;
import io.inorder.mapping.TableConfigException;
import io.inorder.writeapi.ApiKeySource;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The one configuration of the ingest functions and the reconciler, read from the environment once at cold start
 * and validated completely: an invalid value stops the cold start with a message naming the variable (architecture §5). Tests and
 * the local stack build it from a map. Immutable.
 */
public record IngestConfig(
        URI writeApiUrl,
        String apiKeySecretArn,
        String apiKey,
        TableConfig tables,
        String tableConfigParameter,
        String stateTable,
        String quarantineBucket,
        String quarantinePrefix,
        S3KeyPattern keyPattern,
        long firstSequence,
        ArcionFormat format,
        int maxRequestBytes,
        int maxRequestDocuments,
        Duration retryBase,
        Duration retryCap,
        int retryMaxAttempts,
        double writeRateLimit,
        CommitCheck commitCheck,
        Duration commitWait,
        BadRecordPolicy badRecordPolicy,
        boolean logRowData,
        Duration functionTimeout,
        boolean reportBatchItemFailures,
        String redriveFunction,
        long offsetResetThreshold) {

    /** Whether a table's {@code visibleThrough} waits for the Write API's commit offsets to pass. */
    public enum CommitCheck {
        /** Poll {@code offsets/commit} beside the stream, one fence in flight (each bounded by COMMIT_WAIT_MS). */
        WAIT,
        /** Never ask; {@code visibleThrough} is not maintained. */
        OFF
    }

    /** What to do with a record that cannot be applied. */
    public enum BadRecordPolicy {
        /** Write it to the quarantine with origin and reason, count it, go on (the default). */
        QUARANTINE,
        /** Stop the stream or partition at it (retried until fixed): for pipelines that must never skip. */
        FAIL
    }

    public static final Setting WRITE_API_URL = new Setting("WRITE_API_URL", null,
            "Rockset API server, e.g. https://api.usw2a1.rockset.com (http only for localhost or a loopback "
                    + "address). Required.");
    public static final Setting API_KEY_SECRET_ARN = new Setting(ApiKeySource.SECRET_ARN_VARIABLE, null,
            "ARN of the Secrets Manager secret holding the API key (raw text or {\"apiKey\":\"...\"}). "
                    + "Required unless ROCKSET_API_KEY is set.");
    public static final Setting API_KEY = new Setting(ApiKeySource.API_KEY_VARIABLE, null,
            "The API key itself: local runs only (sam local, the embedded stack); never set it in a deployment.");
    public static final Setting TABLE_CONFIG = new Setting("TABLE_CONFIG", null,
            "The table config as inline JSON (see \"The table config\"). One of TABLE_CONFIG or "
                    + "TABLE_CONFIG_PARAMETER is required.");
    public static final Setting TABLE_CONFIG_PARAMETER = new Setting("TABLE_CONFIG_PARAMETER", null,
            "Name of an SSM parameter holding the table config JSON (for configs over the 4 KB environment limit).");
    public static final Setting STATE_TABLE = new Setting("STATE_TABLE", null,
            "DynamoDB table of the ledger (pk/sk, TTL attribute expiresAt). Required.");
    public static final Setting QUARANTINE_BUCKET = new Setting("QUARANTINE_BUCKET", null,
            "S3 bucket for quarantined records. Required.");
    public static final Setting QUARANTINE_PREFIX = new Setting("QUARANTINE_PREFIX", "quarantine/",
            "Key prefix of quarantined records in QUARANTINE_BUCKET.");
    public static final Setting S3_KEY_PATTERN = new Setting("S3_KEY_PATTERN", S3KeyPattern.DEFAULT,
            "Regex with named groups stream and seq; the default takes everything before a final _<digits> as the "
                    + "stream. Keys that do not match are ignored (logged, IgnoredKeys metric).");
    public static final Setting FIRST_SEQUENCE = new Setting("FIRST_SEQUENCE", "1",
            "The sequence number each stream starts at.");
    public static final Setting FORMAT = new Setting("FORMAT", "auto",
            "Input format: auto, native, native-snapshot, s3-json, json-cdc or csv.");
    public static final Setting MAX_REQUEST_BYTES = new Setting("MAX_REQUEST_BYTES", "10485760",
            "Largest Write API request body, bytes (Rockset's limit: 10 MiB).");
    public static final Setting MAX_REQUEST_DOCUMENTS = new Setting("MAX_REQUEST_DOCUMENTS", "20000",
            "Most documents in one Write API request (Rockset's limit: 20,000).");
    public static final Setting RETRY_BASE_MS = new Setting("RETRY_BASE_MS", "100",
            "First retry backoff ceiling, ms; doubles per attempt, with full jitter.");
    public static final Setting RETRY_CAP_MS = new Setting("RETRY_CAP_MS", "10000",
            "Largest retry backoff ceiling, ms.");
    public static final Setting RETRY_MAX_ATTEMPTS = new Setting("RETRY_MAX_ATTEMPTS", "0",
            "Most attempts per request; 0 = retry until the invocation's deadline.");
    public static final Setting WRITE_RATE_LIMIT = new Setting("WRITE_RATE_LIMIT", "0",
            "Client-side cap on Write API requests per second per container (0 = off); set it below your "
                    + "Virtual Instance's limit, e.g. 10 for MICRO.");
    public static final Setting COMMIT_CHECK = new Setting("COMMIT_CHECK", "wait",
            "wait: check offsets/commit beside the stream (never before a checkpoint) before visibleThrough "
                    + "advances; off: never.");
    public static final Setting COMMIT_WAIT_MS = new Setting("COMMIT_WAIT_MS", "30000",
            "Longest wait for one fence's commit offsets to pass, ms (then its windows go with the next fence; a "
                    + "stream blocks on it only once, at its end).");
    public static final Setting BAD_RECORD_POLICY = new Setting("BAD_RECORD_POLICY", "quarantine",
            "quarantine: bad records go to the quarantine and the stream goes on; fail: the stream stops at them.");
    public static final Setting LOG_ROW_DATA = new Setting("LOG_ROW_DATA", "false",
            "true: log lines and error messages about bad records quote their values, keys and _ids (for debugging "
                    + "only); false: they say what is wrong and where, the quarantine keeps the detail.");
    public static final Setting FUNCTION_TIMEOUT_SECONDS = new Setting("FUNCTION_TIMEOUT_SECONDS", "900",
            "The function's timeout (the template sets it from the same parameter). The stream lease lasts this + 60 s, "
                    + "so a holder that lost its lease is dead; work stops at a window boundary a fifth of it "
                    + "(5-60 s) before the deadline. An invocation with more time than this refuses to run.");
    public static final Setting REPORT_BATCH_ITEM_FAILURES = new Setting("REPORT_BATCH_ITEM_FAILURES", "false",
            "MSK: on a transient failure return batchItemFailures from the first unwritten offset per partition "
                    + "instead of failing the whole batch (needs FunctionResponseTypes: ReportBatchItemFailures).");
    public static final Setting OFFSET_RESET_THRESHOLD = new Setting("OFFSET_RESET_THRESHOLD", "10000",
            "MSK: a partition's batch whose last offset is more than this many offsets below the partition cursor is "
                    + "taken for a recreated topic or a reset consumer group, not a redelivery: its records are skipped "
                    + "as before, but BatchesFarBelowCursor (OffsetResetAlarm) is raised. The default is Lambda's "
                    + "largest MSK batch: a redelivered batch lies within one batch of the cursor.");

    public static final Setting REDRIVE_FUNCTION = new Setting("REDRIVE_FUNCTION", null,
            "Reconciler only: the S3 function (name or ARN, with its alias) that stalled streams are re-driven "
                    + "through.");

    /** The function the reconciler re-drives streams through; fails naming the variable when it is not set. */
    public String requireRedriveFunction() {
        if (redriveFunction == null) {
            throw new ConfigurationException(REDRIVE_FUNCTION.name() + " is not set: "
                    + REDRIVE_FUNCTION.description());
        }
        return redriveFunction;
    }

    /** Timing of the S3 ordering protocol derived from the function timeout (lease = timeout + 60 s). */
    public DrainSettings drainSettings() {
        return DrainSettings.forFunctionTimeout(functionTimeout);
    }

    /** Every variable, in documentation order. */
    public static final List<Setting> SETTINGS = List.of(WRITE_API_URL, API_KEY_SECRET_ARN, API_KEY, TABLE_CONFIG,
            TABLE_CONFIG_PARAMETER, STATE_TABLE, QUARANTINE_BUCKET, QUARANTINE_PREFIX, S3_KEY_PATTERN, FIRST_SEQUENCE,
            FORMAT, MAX_REQUEST_BYTES, MAX_REQUEST_DOCUMENTS, RETRY_BASE_MS, RETRY_CAP_MS, RETRY_MAX_ATTEMPTS,
            WRITE_RATE_LIMIT, COMMIT_CHECK, COMMIT_WAIT_MS, BAD_RECORD_POLICY, LOG_ROW_DATA,
            FUNCTION_TIMEOUT_SECONDS, REPORT_BATCH_ITEM_FAILURES, OFFSET_RESET_THRESHOLD, REDRIVE_FUNCTION);

    public IngestConfig {
        Objects.requireNonNull(writeApiUrl, "writeApiUrl");
        Objects.requireNonNull(stateTable, "stateTable");
        Objects.requireNonNull(quarantineBucket, "quarantineBucket");
        Objects.requireNonNull(keyPattern, "keyPattern");
    }

    /**
     * Reads and validates the environment. {@code parameterLookup} resolves TABLE_CONFIG_PARAMETER (SSM) and is only
     * called when that variable is set.
     */
    public static IngestConfig fromEnvironment(Map<String, String> env, Function<String, String> parameterLookup) {
        Reader r = new Reader(env);
        URI url = r.url(WRITE_API_URL);
        String secretArn = r.optional(API_KEY_SECRET_ARN);
        String apiKey = r.optional(API_KEY);
        if (secretArn == null && apiKey == null) {
            throw new ConfigurationException(API_KEY_SECRET_ARN.name() + " is not set: give the ARN of the Secrets "
                    + "Manager secret holding the Rockset API key (or, for local runs only, " + API_KEY.name() + ")");
        }
        if (secretArn != null && !secretArn.startsWith("arn:")) {
            throw new ConfigurationException(API_KEY_SECRET_ARN.name() + " '" + secretArn
                    + "' is not an ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)");
        }
        String inline = r.optional(TABLE_CONFIG);
        String parameter = r.optional(TABLE_CONFIG_PARAMETER);
        if ((inline == null) == (parameter == null)) {
            throw new ConfigurationException("set exactly one of " + TABLE_CONFIG.name() + " (inline JSON) and "
                    + TABLE_CONFIG_PARAMETER.name() + " (an SSM parameter name)");
        }
        TableConfig tables;
        try {
            tables = inline != null ? TableConfig.parse(inline, TABLE_CONFIG.name())
                    : TableConfig.parse(parameterLookup.apply(parameter), TABLE_CONFIG_PARAMETER.name() + " ("
                            + parameter + ")");
        } catch (TableConfigException e) {
            throw new ConfigurationException(e.getMessage(), e);
        }
        S3KeyPattern pattern;
        try {
            pattern = S3KeyPattern.compile(r.text(S3_KEY_PATTERN));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(S3_KEY_PATTERN.name() + ": " + e.getMessage(), e);
        }
        ArcionFormat format;
        try {
            format = ArcionFormat.parse(r.text(FORMAT));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(FORMAT.name() + ": " + e.getMessage(), e);
        }
        Duration retryBase = Duration.ofMillis(r.longIn(RETRY_BASE_MS, 1, 60_000));
        Duration retryCap = Duration.ofMillis(r.longIn(RETRY_CAP_MS, 1, 600_000));
        if (retryCap.compareTo(retryBase) < 0) {
            throw new ConfigurationException(RETRY_CAP_MS.name() + " (" + retryCap.toMillis() + ") must be at least "
                    + RETRY_BASE_MS.name() + " (" + retryBase.toMillis() + ")");
        }
        return new IngestConfig(url, secretArn, apiKey, tables, parameter, r.required(STATE_TABLE),
                r.required(QUARANTINE_BUCKET), r.text(QUARANTINE_PREFIX), pattern,
                r.longIn(FIRST_SEQUENCE, 0, Long.MAX_VALUE / 2), format,
                (int) r.longIn(MAX_REQUEST_BYTES, 1024, 10_485_760),
                (int) r.longIn(MAX_REQUEST_DOCUMENTS, 1, 20_000), retryBase, retryCap,
                (int) r.longIn(RETRY_MAX_ATTEMPTS, 0, 1_000_000), r.doubleIn(WRITE_RATE_LIMIT, 0, 100_000),
                r.choice(COMMIT_CHECK, CommitCheck.class), Duration.ofMillis(r.longIn(COMMIT_WAIT_MS, 0, 600_000)),
                r.choice(BAD_RECORD_POLICY, BadRecordPolicy.class), r.bool(LOG_ROW_DATA),
                Duration.ofSeconds(r.longIn(FUNCTION_TIMEOUT_SECONDS, 3, 900)), r.bool(REPORT_BATCH_ITEM_FAILURES),
                r.optional(REDRIVE_FUNCTION), r.longIn(OFFSET_RESET_THRESHOLD, 1, Long.MAX_VALUE / 2));
    }

    /** Typed access to the environment with messages that name the variable. */
    private static final class Reader {
        private final Map<String, String> env;

        Reader(Map<String, String> env) {
            this.env = env;
        }

        String optional(Setting s) {
            String v = env.get(s.name());
            return v == null || v.isBlank() ? null : v.trim();
        }

        String text(Setting s) {
            String v = optional(s);
            return v != null ? v : s.defaultValue();
        }

        String required(Setting s) {
            String v = optional(s);
            if (v == null) {
                throw new ConfigurationException(s.name() + " is not set: " + s.description());
            }
            return v;
        }

        URI url(Setting s) {
            String v = required(s);
            URI uri;
            try {
                uri = new URI(v.endsWith("/") ? v.substring(0, v.length() - 1) : v);
            } catch (URISyntaxException e) {
                throw new ConfigurationException(s.name() + " '" + v + "' is not a URL: " + e.getReason());
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            String host = uri.getHost() == null ? "" : uri.getHost();
            if (!scheme.equals("https") && !(scheme.equals("http") && PlainHttpHosts.allows(uri.getHost(), env))) {
                throw new ConfigurationException(s.name() + " '" + v + "' must be an https:// URL (http:// only for "
                        + "localhost, a loopback address such as 127.0.0.1 or [::1], or host.docker.internal under sam "
                        + "local invoke): the API key would cross the network in clear text");
            }
            return uri;
        }

        long longIn(Setting s, long min, long max) {
            String v = text(s);
            long n;
            try {
                n = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new ConfigurationException(s.name() + " '" + v + "' is not a whole number: " + s.description());
            }
            if (n < min || n > max) {
                throw new ConfigurationException(s.name() + " " + n + " is out of range [" + min + ", " + max + "]: "
                        + s.description());
            }
            return n;
        }

        double doubleIn(Setting s, double min, double max) {
            String v = text(s);
            double d;
            try {
                d = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new ConfigurationException(s.name() + " '" + v + "' is not a number: " + s.description());
            }
            if (!(d >= min && d <= max)) {
                throw new ConfigurationException(s.name() + " " + v + " is out of range [" + min + ", " + max + "]");
            }
            return d;
        }

        boolean bool(Setting s) {
            String v = text(s).toLowerCase(Locale.ROOT);
            return switch (v) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new ConfigurationException(s.name() + " '" + v + "' must be true or false");
            };
        }

        <E extends Enum<E>> E choice(Setting s, Class<E> type) {
            String v = text(s);
            try {
                return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                StringBuilder options = new StringBuilder();
                for (E c : type.getEnumConstants()) {
                    options.append(options.length() == 0 ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT));
                }
                throw new ConfigurationException(s.name() + " '" + v + "' must be one of " + options);
            }
        }
    }
}
