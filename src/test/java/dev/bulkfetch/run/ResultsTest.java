package dev.bulkfetch.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import org.junit.jupiter.api.Test;

class ResultsTest {

    /** A 429 read "HTTP 429 Too Many Requests" where every other status read "HTTP 503". */
    @Test
    void aStatusErrorSaysTheStatusAloneWhateverItsKind() {
        assertThat(Results.statusError(429)).isEqualTo(
                FetchError.of(ErrorKind.RATE_LIMITED, "HTTP 429"));
        assertThat(Results.statusError(503)).isEqualTo(FetchError.of(ErrorKind.HTTP, "HTTP 503"));
        assertThat(Results.statusError(204)).isNull();
    }
}
