package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@link StrayBytes} and {@link StatusLines} read a field of Netty's codec by a private lookup
 * and quietly do less when it is refused: a Netty that renames the field must fail here, at
 * its upgrade, not turn both checks off unseen.
 */
class StrayBytesTest {

    @Test
    void theCodecsPendingBytesCanBeSeen() {
        assertThat(StrayBytes.seesPending()).isTrue();
    }
}
