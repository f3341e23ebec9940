package dev.bulkfetch.testing;

import dev.bulkfetch.BodyHandler;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;

/** A body handler that tells a test when a body has begun to come, and keeps none of it. */
public final class NotingHandler {

    private NotingHandler() {
    }

    /** Counts {@code started} down at the body's first bytes (and at every later chunk). */
    public static BodyHandler<Void> noting(CountDownLatch started) {
        return response -> new BodyHandler.Sink<>() {
            @Override
            public void accept(ByteBuffer chunk) {
                started.countDown();
            }

            @Override
            public Void finish() {
                return null;
            }
        };
    }
}
