package io.inorder.local.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The AWS services of the local stack that DynamoDB Local and S3Proxy do not cover, on one 127.0.0.1 port, each
 * speaking the protocol the SDK and the AWS CLI use:
 * <ul>
 *   <li>Lambda's Invoke API, {@code POST /2015-03-31/functions/{FunctionName}/invocations} with
 *       {@code X-Amz-Invocation-Type} {@code RequestResponse} (200, the payload, {@code X-Amz-Function-Error} when
 *       the function failed), {@code Event} (202, run asynchronously) or {@code DryRun} (204), and
 *       {@code Qualifier};</li>
 *   <li>Secrets Manager's {@code GetSecretValue} and SSM's {@code GetParameter} (JSON 1.1, {@code X-Amz-Target}),
 *       over secrets and parameters put here;</li>
 *   <li>the container credentials endpoint ({@code GET /credentials}), the only source of credentials a SnapStart
 *       function has: it answers only a request carrying the authorization token, with credentials whose session
 *       token the other services can then recognise.</li>
 * </ul>
 * With {@code requireSessionToken}, Lambda, Secrets Manager and SSM refuse requests not signed with the credentials
 * this endpoint issued (tests use it to prove the functions' calls used the container credentials); without it they
 * accept any signer, like DynamoDB Local, so the AWS CLI and {@code sam local invoke} can use them. Thread-safe.
 */
public final class LocalAwsEndpoint implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService threads;
    private final String accessKeyId;
    private final String secretAccessKey;
    private final String sessionToken = "local-session-" + UUID.randomUUID();
    private final String authorizationToken = "local-token-" + UUID.randomUUID();
    private final boolean requireSessionToken;
    private final String region;
    private final String accountId;
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final Map<String, String> parameters = new ConcurrentHashMap<>();
    private final AtomicLong credentialsServed = new AtomicLong();
    private final AtomicLong credentialsRefused = new AtomicLong();
    private final AtomicLong signedWithSession = new AtomicLong();
    private volatile LocalLambda lambda;

    /**
     * @param port            0 for a free one
     * @param accessKeyId     the key the container credentials carry (the local S3 checks signatures against it)
     */
    public LocalAwsEndpoint(int port, String accessKeyId, String secretAccessKey, String region, String accountId,
            boolean requireSessionToken) throws IOException {
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
        this.region = region;
        this.accountId = accountId;
        this.requireSessionToken = requireSessionToken;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "local-aws-endpoint");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The Lambda service whose functions the Invoke API runs. */
    public void serve(LocalLambda functions) {
        this.lambda = functions;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** {@code AWS_CONTAINER_CREDENTIALS_FULL_URI}: the SDK allows a plain-HTTP one only on the loopback address. */
    public String credentialsUri() {
        return url() + "/credentials";
    }

    /** {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}. */
    public String authorizationToken() {
        return authorizationToken;
    }

    /** A secret for {@code GetSecretValue}; returns its ARN. */
    public String putSecret(String name, String value) {
        String arn = "arn:aws:secretsmanager:" + region + ":" + accountId + ":secret:" + name + "-Loc4l1";
        secrets.put(arn, value);
        secrets.put(name, value);
        return arn;
    }

    /** A String parameter for {@code GetParameter}. */
    public void putParameter(String name, String value) {
        parameters.put(name, value);
    }

    /** Credential requests answered (with the right token) and refused (without it). */
    public long credentialsServed() {
        return credentialsServed.get();
    }

    public long credentialsRefused() {
        return credentialsRefused.get();
    }

    /** Requests to Lambda, Secrets Manager or SSM signed with the session the credentials endpoint issued. */
    public long requestsSignedWithIssuedSession() {
        return signedWithSession.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod();
            if (method.equals("GET") && path.equals("/credentials")) {
                credentials(exchange);
                return;
            }
            if (method.equals("GET") && path.startsWith("/2015-03-31/functions/") && path.endsWith("/configuration")) {
                configuration(exchange, path);
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String token = exchange.getRequestHeaders().getFirst("X-Amz-Security-Token");
            boolean issued = sessionToken.equals(token);
            if (issued) {
                signedWithSession.incrementAndGet();
            } else if (requireSessionToken) {
                error(exchange, 403, "UnrecognizedClientException", "The security token included in the request is "
                        + "invalid: only the container credentials of this local stack are accepted");
                return;
            }
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            if (method.equals("POST") && path.startsWith("/2015-03-31/functions/") && path.endsWith("/invocations")) {
                invoke(exchange, path, body);
            } else if (method.equals("POST") && "secretsmanager.GetSecretValue".equals(target)) {
                getSecretValue(exchange, body);
            } else if (method.equals("POST") && "AmazonSSM.GetParameter".equals(target)) {
                getParameter(exchange, body);
            } else {
                error(exchange, 400, "UnknownOperationException", "the local stack does not implement "
                        + method + " " + path + (target == null ? "" : " " + target));
            }
        }
    }

    private void credentials(HttpExchange exchange) throws IOException {
        if (!authorizationToken.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            credentialsRefused.incrementAndGet();
            error(exchange, 401, "Unauthorized", "the container credentials endpoint needs "
                    + "AWS_CONTAINER_AUTHORIZATION_TOKEN in the Authorization header");
            return;
        }
        credentialsServed.incrementAndGet();
        ObjectNode c = JSON.createObjectNode();
        c.put("AccessKeyId", accessKeyId);
        c.put("SecretAccessKey", secretAccessKey);
        c.put("Token", sessionToken);
        c.put("Expiration", Instant.now().plus(6, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString());
        c.put("AccountId", accountId);
        reply(exchange, 200, c.toString().getBytes(StandardCharsets.UTF_8), "application/json");
    }

    private void invoke(HttpExchange exchange, String path, byte[] payload) throws IOException {
        LocalLambda functions = this.lambda;
        String name = URLDecoder.decode(path.substring("/2015-03-31/functions/".length(),
                path.length() - "/invocations".length()), StandardCharsets.UTF_8);
        String qualifier = query(exchange.getRequestURI(), "Qualifier").orElse(null);
        Optional<LocalLambda.Target> target = functions == null ? Optional.empty()
                : functions.resolve(name, qualifier);
        if (target.isEmpty()) {
            error(exchange, 404, "ResourceNotFoundException", "Function not found: " + name
                    + (qualifier == null ? "" : ":" + qualifier));
            return;
        }
        String type = Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type"))
                .orElse("RequestResponse");
        // Unqualified or $LATEST: the unpublished version, which SnapStart never applies to; else the published one.
        String version = target.get().qualifier();
        boolean published = version != null && !version.equals("$LATEST");
        exchange.getResponseHeaders().set("X-Amz-Executed-Version", published ? LocalLambda.VERSION : "$LATEST");
        switch (type) {
            case "Event" -> {
                functions.invokeAsync(target.get(), payload);
                reply(exchange, 202, new byte[0], "application/json");
            }
            case "DryRun" -> reply(exchange, 204, new byte[0], "application/json");
            case "RequestResponse" -> {
                ExecutionEnvironment.Result r;
                try {
                    r = functions.invoke(target.get(), payload);
                } catch (ExecutionEnvironment.InitFailure e) {
                    exchange.getResponseHeaders().set("X-Amz-Function-Error", "Unhandled");
                    String body = e.body() != null ? e.body()
                            : "{\"errorType\":\"Runtime.Unknown\",\"errorMessage\":" + JSON.writeValueAsString(
                                    e.getMessage()) + "}";
                    reply(exchange, 200, body.getBytes(StandardCharsets.UTF_8), "application/json");
                    return;
                }
                if (r.failed()) {
                    exchange.getResponseHeaders().set("X-Amz-Function-Error", "Unhandled");
                }
                reply(exchange, 200, r.payload(), "application/json");
            }
            default -> error(exchange, 400, "InvalidParameterValueException", "X-Amz-Invocation-Type " + type
                    + " is not one of RequestResponse, Event, DryRun");
        }
    }

    /** GetFunctionConfiguration: what {@code inorder status --stack} reads of a deployed function. */
    private void configuration(HttpExchange exchange, String path) throws IOException {
        LocalLambda functions = this.lambda;
        String name = URLDecoder.decode(path.substring("/2015-03-31/functions/".length(),
                path.length() - "/configuration".length()), StandardCharsets.UTF_8);
        Optional<LocalLambda.Target> target = functions == null ? Optional.empty()
                : functions.resolve(name, query(exchange.getRequestURI(), "Qualifier").orElse(null));
        if (target.isEmpty()) {
            error(exchange, 404, "ResourceNotFoundException", "Function not found: " + name);
            return;
        }
        FunctionSpec f = functions.functions().stream().filter(x -> x.name().equals(target.get().function()))
                .findFirst().orElseThrow();
        ObjectNode c = JSON.createObjectNode();
        c.put("FunctionName", f.name());
        c.put("FunctionArn", functions.arn(f.name()));
        c.put("Runtime", "java21");
        c.put("Handler", f.handler());
        c.put("Timeout", f.timeout().toSeconds());
        c.put("MemorySize", f.memoryMb());
        boolean published = target.get().qualifier() != null && !target.get().qualifier().equals("$LATEST");
        c.put("Version", published ? LocalLambda.VERSION : "$LATEST");
        ObjectNode vars = c.putObject("Environment").putObject("Variables");
        new java.util.TreeMap<>(f.environment()).forEach(vars::put);
        // As Lambda reports it: SnapStart optimizes published versions only, never $LATEST.
        c.putObject("SnapStart").put("ApplyOn", f.snapStart() ? "PublishedVersions" : "None")
                .put("OptimizationStatus", f.snapStart() && published ? "On" : "Off");
        reply(exchange, 200, c.toString().getBytes(StandardCharsets.UTF_8), "application/json");
    }

    private void getSecretValue(HttpExchange exchange, byte[] body) throws IOException {
        JsonNode request = JSON.readTree(body);
        String id = request.path("SecretId").asText();
        String value = secrets.get(id);
        if (value == null) {
            error(exchange, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
            return;
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("ARN", id.startsWith("arn:") ? id : "arn:aws:secretsmanager:" + region + ":" + accountId + ":secret:"
                + id);
        r.put("Name", id.startsWith("arn:") ? id.substring(id.lastIndexOf(':') + 1) : id);
        r.put("SecretString", value);
        r.put("VersionId", "00000000-0000-0000-0000-000000000001");
        r.putArray("VersionStages").add("AWSCURRENT");
        r.put("CreatedDate", Instant.now().getEpochSecond());
        reply(exchange, 200, r.toString().getBytes(StandardCharsets.UTF_8), "application/x-amz-json-1.1");
    }

    private void getParameter(HttpExchange exchange, byte[] body) throws IOException {
        JsonNode request = JSON.readTree(body);
        String name = request.path("Name").asText();
        String value = parameters.get(name);
        if (value == null) {
            error(exchange, 400, "ParameterNotFound", "Parameter " + name + " not found.");
            return;
        }
        ObjectNode r = JSON.createObjectNode();
        ObjectNode p = r.putObject("Parameter");
        p.put("Name", name);
        p.put("Type", "String");
        p.put("Value", value);
        p.put("Version", 1);
        p.put("ARN", "arn:aws:ssm:" + region + ":" + accountId + ":parameter" + (name.startsWith("/") ? "" : "/")
                + name);
        p.put("DataType", "text");
        p.put("LastModifiedDate", Instant.now().getEpochSecond());
        reply(exchange, 200, r.toString().getBytes(StandardCharsets.UTF_8), "application/x-amz-json-1.1");
    }

    private static Optional<String> query(URI uri, String name) {
        String q = uri.getRawQuery();
        if (q == null) {
            return Optional.empty();
        }
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return Optional.of(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    /** An error both AWS JSON protocols understand: the type in {@code x-amzn-ErrorType} and in {@code __type}. */
    private static void error(HttpExchange exchange, int status, String type, String message) throws IOException {
        ObjectNode e = JSON.createObjectNode();
        e.put("__type", type);
        e.put("message", message);
        e.put("Message", message);
        exchange.getResponseHeaders().set("x-amzn-ErrorType", type);
        reply(exchange, status, e.toString().getBytes(StandardCharsets.UTF_8), "application/x-amz-json-1.1");
    }

    private static void reply(HttpExchange exchange, int status, byte[] body, String contentType) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
