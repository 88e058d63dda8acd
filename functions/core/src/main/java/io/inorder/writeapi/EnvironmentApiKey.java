package io.inorder.writeapi;

import java.util.Objects;

/** A key known up front (local runs, tests). Refreshing cannot change it, so a 401 with it is final. */
final class EnvironmentApiKey implements ApiKeySource {

    private final String key;
    private final String source;

    EnvironmentApiKey(String key, String source) {
        this.key = Objects.requireNonNull(key, "key");
        this.source = source;
        if (key.isBlank()) {
            throw new WriteApiConfigurationException("the Write API key from " + source + " is empty");
        }
    }

    @Override
    public String apiKey() {
        return key;
    }

    @Override
    public void refresh() {
        // Nothing to fetch again: the value was given.
    }

    @Override
    public String describe() {
        return source;
    }

    @Override
    public String toString() {
        return "ApiKeySource[" + source + "]";
    }
}
