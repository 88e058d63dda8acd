package io.inorder.pipeline;

/**
 * Asks for the stream to be drained again soon, by another invocation (in Lambda: an asynchronous self-invocation
 * carrying the stream id). Called only after the lease was released.
 */
@FunctionalInterface
public interface Continuation {

    void continueDraining(String stream);
}
