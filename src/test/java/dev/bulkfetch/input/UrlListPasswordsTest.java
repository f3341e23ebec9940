package dev.bulkfetch.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A URL list's lines with a password in them: masked in records and messages alike. */
class UrlListPasswordsTest {

    private static List<InputItem> readAll(String text) {
        List<InputItem> items = new ArrayList<>();
        new UrlListReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                UrlListReader.RequestTemplate.GET).forEachRemaining(items::add);
        return items;
    }

    /**
     * From an exploratory test: credentials before a host and port without a scheme read as
     * a scheme ("scheme 'ann' is not supported") or a bad one ("Illegal character in scheme
     * name"). They get the same help, the password masked in it and in the record's URL.
     */
    @Test
    void credentialsBeforeAHostAndPortWithoutASchemeGetTheSameHelpPasswordMasked() {
        String needed = "URL has no scheme: an absolute http:// or https:// URL is needed";
        List<InputItem> items = readAll("ann:s3cret@localhost:18003/x\nann@localhost:18003/x\n"
                + "ann:s3%2Fcret@127.0.0.1:18003\n");
        assertThat(items).extracting(item -> ((InputItem.Rejected) item).problem())
                .containsExactly(needed + ", such as http://ann:xxxxx@localhost:18003/...",
                        needed + ", such as http://ann@localhost:18003/...",
                        needed + ", such as http://ann:xxxxx@127.0.0.1:18003");
        assertThat(items).extracting(item -> ((InputItem.Rejected) item).url())
                .containsExactly("ann:xxxxx@localhost:18003/x", "ann@localhost:18003/x",
                        "ann:xxxxx@127.0.0.1:18003");
    }

    /**
     * A short password is masked where the message quotes the URL, and nowhere else: replaced
     * wherever its letters stood, a password "e" made "URL contains a spacxxxxx at column"
     * (the messages are those of a password "z", which none of their words holds).
     */
    @Test
    void aShortPasswordIsMaskedInTheUrlAloneNotInTheMessagesOwnWords() {
        List<InputItem> items = readAll("http://ann:e@127.0.0.1/a b\n"
                + "http://ann:e@127.0.0.1:99999/x\n");

        assertThat(items).extracting(item -> ((InputItem.Rejected) item).problem())
                .containsExactly(UrlListReader.problemWith("http://ann:z@127.0.0.1/a b"),
                        UrlListReader.problemWith("http://ann:z@127.0.0.1:99999/x"))
                .allSatisfy(problem -> assertThat(problem).doesNotContain("xxxxx"));
        assertThat(items).extracting(item -> ((InputItem.Rejected) item).url())
                .containsExactly("http://ann:xxxxx@127.0.0.1/a b",
                        "http://ann:xxxxx@127.0.0.1:99999/x");
    }
}
