package io.inorder.writeapi;

import java.time.Duration;

/** How the writer waits (backoff, rate limit, fence polls); tests substitute one that advances a fake clock. */
@FunctionalInterface
interface Sleeper {

    Sleeper REAL = d -> Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));

    void sleep(Duration d) throws InterruptedException;
}
