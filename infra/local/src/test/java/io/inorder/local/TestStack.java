package io.inorder.local;

/**
 * One embedded {@link LocalStack} for the whole test JVM (starting one takes a second or two): started on first use,
 * closed at exit. Test classes run one after another and isolate by topic, stream and a reset emulator.
 */
final class TestStack {

    private static LocalStack stack;

    private TestStack() { }

    static synchronized LocalStack get() throws Exception {
        if (stack == null) {
            LocalStack started = LocalStack.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (Exception ignored) {
                    // The JVM is exiting; the temporary directory goes with the next reboot at worst.
                }
            }));
            stack = started;
        }
        return stack;
    }
}
