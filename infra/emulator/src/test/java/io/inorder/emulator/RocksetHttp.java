package io.inorder.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client for the emulator in tests: real requests over 127.0.0.1, as the Write API client sends them. */
final class RocksetHttp {

    static final ObjectMapper JSON = new ObjectMapper();

    record Reply(int status, String contentType, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("response is not JSON: " + body, e);
            }
        }
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String authorization;

    RocksetHttp(Emulator emulator) {
        this(emulator.baseUrl(), "ApiKey " + emulator.apiKey());
    }

    RocksetHttp(URI base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    RocksetHttp withAuthorization(String authorization) {
        return new RocksetHttp(base, authorization);
    }

    static String docs(String ws, String collection) {
        return "/v1/orgs/self/ws/" + ws + "/collections/" + collection + "/docs";
    }

    static String commit(String ws, String collection) {
        return "/v1/orgs/self/ws/" + ws + "/collections/" + collection + "/offsets/commit";
    }

    Reply send(String method, String path, String body) throws IOException, InterruptedException {
        return send(method, path, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body), Duration.ofSeconds(30));
    }

    Reply send(String method, String path, HttpRequest.BodyPublisher body, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .method(method, body);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.body());
    }

    Reply post(String path, String body) throws IOException, InterruptedException {
        return send("POST", path, body);
    }

    Reply get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }
}
