package io.inorder.writeapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/**
 * The Write API key from an AWS Secrets Manager secret, fetched on first use and cached for the container's life;
 * fetched again only after {@link #refresh()} (a 401, e.g. after rotation).
 *
 * <p>The secret's value is either the raw key or a JSON object {@code {"apiKey": "..."}}. The Lambda role needs
 * {@code secretsmanager:GetSecretValue} on the ARN (SAM policy {@code AWSSecretsManagerGetSecretValuePolicy}).
 * Thread-safe.
 */
public final class SecretsManagerApiKey implements ApiKeySource {

    private final SecretsManagerClient client;
    private final String secretArn;
    private String cached;

    /** With a client built by the caller (tests point one at a local endpoint). */
    public SecretsManagerApiKey(SecretsManagerClient client, String secretArn) {
        this.client = Objects.requireNonNull(client, "client");
        this.secretArn = Objects.requireNonNull(secretArn, "secretArn");
    }

    /**
     * A source for the secret with this ARN, with a client in the ARN's region (falling back to {@code AWS_REGION}) on
     * the JDK's URL connection, which keeps the deployment jar and the cold start small.
     */
    static SecretsManagerApiKey forSecret(String secretArn) {
        String[] parts = secretArn.split(":", 6);
        if (parts.length < 6 || !parts[0].equals("arn") || !parts[2].equals("secretsmanager")) {
            throw new WriteApiConfigurationException(SECRET_ARN_VARIABLE + " is not a Secrets Manager ARN ("
                    + secretArn + "): use arn:aws:secretsmanager:<region>:<account>:secret:<name>");
        }
        var builder = SecretsManagerClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder());
        if (!parts[3].isEmpty()) {
            builder.region(Region.of(parts[3]));
        }
        return new SecretsManagerApiKey(builder.build(), secretArn);
    }

    @Override
    public synchronized String apiKey() {
        if (cached == null) {
            cached = fetch();
        }
        return cached;
    }

    @Override
    public synchronized void refresh() {
        cached = null;
    }

    @Override
    public String describe() {
        return "the secret named by " + SECRET_ARN_VARIABLE + " (" + secretArn + ")";
    }

    @Override
    public String toString() {
        return "ApiKeySource[" + secretArn + "]";
    }

    private String fetch() {
        GetSecretValueResponse response;
        try {
            response = client.getSecretValue(r -> r.secretId(secretArn));
        } catch (SecretsManagerException e) {
            int status = e.statusCode();
            if (status >= 500 || status == 429) {
                throw new WriteApiUnavailableException("Secrets Manager could not return " + secretArn + " (HTTP "
                        + status + "); try again", e);
            }
            throw new WriteApiConfigurationException("cannot read the Write API key from " + secretArn + " (HTTP "
                    + status + " " + e.awsErrorDetails().errorCode() + "): check " + SECRET_ARN_VARIABLE
                    + " and that the function's role may call secretsmanager:GetSecretValue on it");
        } catch (SdkClientException e) {
            throw new WriteApiUnavailableException("Secrets Manager is unreachable while reading " + secretArn
                    + ": " + e.getMessage(), e);
        }
        String value = response.secretString();
        if (value == null || value.isBlank()) {
            throw new WriteApiConfigurationException("the secret " + secretArn + " has no string value: store the"
                    + " Write API key as the secret string (raw, or {\"apiKey\": \"...\"})");
        }
        value = value.trim();
        if (!value.startsWith("{")) {
            return value;
        }
        JsonNode json;
        try {
            json = RequestItems.JSON.readTree(value);
        } catch (IOException e) {
            // Deliberately without the parser's message: it would quote the secret.
            throw new WriteApiConfigurationException("the secret " + secretArn + " starts with '{' but is not valid"
                    + " JSON: store the raw key or {\"apiKey\": \"...\"}");
        }
        JsonNode key = json.get("apiKey");
        if (key == null || !key.isTextual() || key.asText().isBlank()) {
            throw new WriteApiConfigurationException("the secret " + secretArn + " is JSON without a non-empty"
                    + " string field \"apiKey\": store the raw key or {\"apiKey\": \"...\"}");
        }
        return key.asText();
    }
}
