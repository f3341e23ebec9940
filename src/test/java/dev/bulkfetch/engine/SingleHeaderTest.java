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
}
