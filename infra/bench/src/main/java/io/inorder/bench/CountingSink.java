package io.inorder.bench;

import java.io.OutputStream;

/**
 * Where the normalize benchmarks write their request bytes: counts them and keeps nothing, like a socket that is never
 * slow, so the figures measure the transform and not a buffer.
 */
final class CountingSink extends OutputStream {

    private long bytes;

    @Override
    public void write(int b) {
        bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        bytes += len;
    }

    long bytes() {
        return bytes;
    }
}
