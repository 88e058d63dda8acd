package io.inorder.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * HTTPS in front of the Write API emulator, on 127.0.0.1, with a self-signed certificate made by the JDK's keytool:
 * the deployed functions reach Rockset over TLS, so a cold start measured without a TLS handshake would leave out
 * part of the real cost. Forwards method, path, body and the headers the Write API uses; answers with the emulator's
 * status, body and {@code Retry-After}. The forked JVMs trust the certificate through {@link #trustOptions()}.
 */
final class HttpsFront implements AutoCloseable {

    private static final String PASSWORD = "inorder-bench";
    private static final Set<String> FORWARDED = Set.of("Authorization", "Content-Type", "Accept");

    private final Path dir;
    private final HttpsServer server;
    private final ExecutorService threads;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI target;

    private HttpsFront(Path dir, HttpsServer server, ExecutorService threads, URI target) {
        this.dir = dir;
        this.server = server;
        this.threads = threads;
        this.target = target;
    }

    /** Listens on a free port and forwards to {@code target} (the emulator's base URL). */
    static HttpsFront start(URI target) throws Exception {
        Path dir = Files.createTempDirectory("inorder-bench-tls");
        Path keys = dir.resolve("keys.p12");
        Path trust = dir.resolve("trust.p12");
        Path cert = dir.resolve("cert.pem");
        keytool("-genkeypair", "-alias", "front", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2", "-keystore", keys.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "front", "-keystore", keys.toString(), "-storepass", PASSWORD,
                "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "front", "-file", cert.toString(), "-keystore",
                trust.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "https-front");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        HttpsFront front = new HttpsFront(dir, server, threads, target);
        server.createContext("/", front::forward);
        server.start();
        return front;
    }

    URI url() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
    }

    /** {@code JAVA_TOOL_OPTIONS} for a forked JVM that must trust this front (Lambda honours that variable). */
    String trustOptions() {
        return "-Djavax.net.ssl.trustStore=" + dir.resolve("trust.p12") + " -Djavax.net.ssl.trustStorePassword="
                + PASSWORD + " -Djavax.net.ssl.trustStoreType=PKCS12";
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.toString().replaceAll("/$", "")
                    + exchange.getRequestURI()))
                    .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            for (String h : FORWARDED) {
                String v = exchange.getRequestHeaders().getFirst(h);
                if (v != null) {
                    request.header(h, v);
                }
            }
            HttpResponse<byte[]> r;
            try {
                r = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            r.headers().firstValue("Content-Type").ifPresent(v -> exchange.getResponseHeaders().set("Content-Type", v));
            r.headers().firstValue("Retry-After").ifPresent(v -> exchange.getResponseHeaders().set("Retry-After", v));
            exchange.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
            if (r.body().length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(r.body());
                }
            }
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind is harmless.
        }
    }
}
