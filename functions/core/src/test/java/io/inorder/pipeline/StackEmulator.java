package io.inorder.pipeline;

import io.inorder.emulator.Emulator;
import io.inorder.emulator.EmulatorSettings;
import java.io.IOException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Write API emulator, over real HTTP, that a test class of the S3 path shares: started before its first test with
 * the collection {@link S3IngestStack} writes to, closed after its last. Register it as a static field with
 * {@code @RegisterExtension}.
 */
final class StackEmulator implements BeforeAllCallback, AfterAllCallback {

    private Emulator emulator;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        emulator = Emulator.start(EmulatorSettings.defaults());
        emulator.createCollection(S3IngestStack.WORKSPACE, S3IngestStack.COLLECTION);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        emulator.close();
    }

    Emulator emulator() {
        if (emulator == null) {
            throw new IllegalStateException("the emulator starts before the test class's first test: register "
                    + "StackEmulator as a static @RegisterExtension field");
        }
        return emulator;
    }
}
