package dev.bulkfetch.engine;

import java.net.ProtocolException;

/**
 * The status codes every engine takes for an answer: three digits (RFC 9112, 4), 100 or more.
 * Netty and the JDK read any integer there, so a 1000 or a 99 became the item's status (and on
 * the JDK's engines a -200 too). Codes from 600 to 999 stay answers: RFC 9110 (15) has a client
 * read them as a server error, not drop the response.
 *
 * <p>Both clients parse the code with {@code Integer.parseInt}, so a {@code +200} or
 * {@code 0200} still reads 200, alike on every engine. One case never gets here on the JDK's
 * engines: its client finds interim responses by the first three digits alone, so it takes a
 * 1000 (any code of four digits or more that starts with 1, but 101x) for an interim response,
 * drops it unseen and waits for another; there is no hook to see it first.
 */
final class StatusCodes {

    private StatusCodes() {
    }

    /** Refuses {@code code}, from the status line {@code line}, unless it is three digits. */
    static void check(int code, String line) throws ProtocolException {
        if (code < 100 || code > 999) {
            throw new ProtocolException("invalid HTTP response: the status code is not three"
                    + " digits from 100 to 999: " + line);
        }
    }
}
