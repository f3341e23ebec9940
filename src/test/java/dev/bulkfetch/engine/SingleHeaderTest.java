package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ProtocolException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SingleHeaderTest {

    @Test
    void theValueIsTheOneGivenAndTwoDifferentOnesAreAnError() throws Exception {
        assertThat(SingleHeader.value("Location", List.of())).isNull();
        assertThat(SingleHeader.value("Location", null)).isNull();
        assertThat(SingleHeader.value("Location", List.of("/a", " /a"))).isEqualTo("/a");
        assertThatThrownBy(() -> SingleHeader.value("Location", List.of("/a", "/b")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("several different Location headers: /a, /b");
    }

    @Test
    void aContentLengthIsOneRunOfDigitsOrNone() throws Exception {
        assertThat(SingleHeader.contentLength(List.of())).isEqualTo(-1);
        assertThat(SingleHeader.contentLength(List.of("0"))).isZero();
        assertThat(SingleHeader.contentLength(List.of(" 1234 "))).isEqualTo(1234);
        assertThat(SingleHeader.contentLength(List.of("9223372036854775807")))
                .isEqualTo(Long.MAX_VALUE);
        for (List<String> bad : List.of(List.of(""), List.of("-1"), List.of("+2"),
                List.of("2, 2"), List.of("2", "2"), List.of("0x10"),
                List.of("9223372036854775808"))) {
            assertThatThrownBy(() -> SingleHeader.contentLength(bad))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("is not one length");
        }
    }
}
