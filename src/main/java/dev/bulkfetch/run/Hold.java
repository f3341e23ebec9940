package dev.bulkfetch.run;

import java.time.Duration;
import java.time.Instant;

/**
 * A server's answer with {@code status} (a 429, or a 503) asked, with its
 * {@code Retry-After}, for no request for {@code asked}, and is granted {@code length}: the
 * same, or an hour when it asked for longer. Until {@code until}, what {@code scope} says
 * waits.
 */
public record Hold(String host, int status, Scope scope, Duration length, Duration asked,
                   Instant until) {

    /** What a hold keeps from going. */
    public enum Scope {
        /** Every start of the run: under {@code --rate}, its gate holds them all. */
        RUN,
        /** Every start to {@code host}: under a rate per host, its gate holds them. */
        HOST,
        /**
         * No gate: only the items {@code host} answered {@code status} wait, each before
         * its retry, while the run (that host's other items too) goes on, under a rate at
         * its pace, which a 503 does not slow. A 503's, and without a rate a 429's.
         */
        ANSWERED
    }
}
