package io.inorder.writeapi;

import java.util.Map;
import java.util.Objects;

/**
 * Where the Write API key comes from. Implementations fetch it at most once per container and again only after
 * {@link #refresh()} (the client calls it once on a 401, in case the secret was rotated). The key is never logged and
 * never appears in {@code toString()} or exception messages; {@link #describe()} names only its source.
 */
public interface ApiKeySource {

    /** Environment variable with the ARN of the Secrets Manager secret holding the key (deployed functions). */
    String SECRET_ARN_VARIABLE = "ROCKSET_API_KEY_SECRET_ARN";
    /** Environment variable with the key itself: for local runs only, refused inside Lambda. */
    String API_KEY_VARIABLE = "ROCKSET_API_KEY";

    /** The current key. */
    String apiKey();

    /** Forget the cached key so the next {@link #apiKey()} fetches it again. */
    void refresh();

    /** Where the key comes from, for error messages (e.g. "the secret named by ROCKSET_API_KEY_SECRET_ARN (arn:...)"). */
    String describe();

    /** A key given directly (tests, the emulator). */
    static ApiKeySource fixed(String apiKey) {
        return new EnvironmentApiKey(apiKey, "the API key given to the client");
    }

    /**
     * The key source the environment configures: {@value #SECRET_ARN_VARIABLE} when set (Secrets Manager, fetched on
     * first use), else {@value #API_KEY_VARIABLE} outside Lambda. Throws a configuration error naming both variables
     * when neither applies.
     */
    static ApiKeySource fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        String arn = env.get(SECRET_ARN_VARIABLE);
        if (arn != null && !arn.isBlank()) {
            return SecretsManagerApiKey.forSecret(arn.trim());
        }
        String key = env.get(API_KEY_VARIABLE);
        // sam local invoke sets AWS_SAM_LOCAL and runs against a local emulator: a plain key is fine there.
        boolean inLambda = env.containsKey("AWS_LAMBDA_FUNCTION_NAME") && !"true".equals(env.get("AWS_SAM_LOCAL"));
        if (key != null && !key.isBlank()) {
            if (inLambda) {
                throw new WriteApiConfigurationException(API_KEY_VARIABLE + " is for local runs only and is ignored in"
                        + " Lambda: store the key in Secrets Manager and set " + SECRET_ARN_VARIABLE
                        + " to the secret's ARN");
            }
            return new EnvironmentApiKey(key.trim(), "the key in " + API_KEY_VARIABLE);
        }
        throw new WriteApiConfigurationException("no Write API key configured: set " + SECRET_ARN_VARIABLE
                + " to the ARN of a Secrets Manager secret holding the key"
                + (inLambda ? "" : " (or, for local runs, " + API_KEY_VARIABLE + " to the key itself)"));
    }
}
