package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/**
 * A head counted as the JDK's {@code MessageHeader} counts it: each line's name and value (the
 * status line a value alone, trimmed), 32 bytes more each. Exact, so that a head at the limit
 * is an answer or an error alike on every engine (after review: a status line without a
 * reason phrase counted its trailing space, which the JDK trims).
 */
class JdkHeadSizeTest {

    @Test
    void eachLineCountsItsNameAndValueAnd32Bytes() {
        DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.OK);
        response.headers().add("Content-Length", "2").add("X-A", "b c");

        assertThat(JdkHeadSize.size(response)).isEqualTo(
                "HTTP/1.1 200 OK".length() + 32
                        + "Content-Length".length() + "2".length() + 32
                        + "X-A".length() + "b c".length() + 32);
    }

    @Test
    void aStatusLineWithoutAReasonPhraseEndsAtItsCode() {
        DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
                new HttpResponseStatus(204, ""));

        assertThat(JdkHeadSize.size(response)).isEqualTo("HTTP/1.1 204".length() + 32);
    }
}
