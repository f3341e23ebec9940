package dev.bulkfetch.engine;

import dev.bulkfetch.FetchRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Credentials written into a URL ({@code https://user:secret@host/}) sent the way curl, wget and
 * Python's requests send them: as {@code Authorization: Basic}, unless the request names its own
 * {@code Authorization}. Neither the JDK's client nor AHC did anything with them, so both
 * dropped what the user gave without a word. The user info leaves the URL, so it is never in a
 * request line, and the header then follows the redirect policy of any other: kept within the
 * origin, dropped on leaving it.
 */
final class Credentials {

    private Credentials() {
    }

    /**
     * {@code request} with its URL's user info as an Authorization header, and its URL as sent
     * ({@link SentUrls}: without the user info or a fragment), or as it is.
     */
    static FetchRequest asHeader(FetchRequest request) {
        URI url = request.url();
        URI bare = SentUrls.of(url);
        if (bare == url) {
            return request;
        }
        // Basic auth is always "user:password" (RFC 7617); a user without a password is "user:".
        String userInfo = url.getUserInfo() == null ? "" : url.getUserInfo();
        String credentials = userInfo.contains(":") ? userInfo : userInfo + ":";
        Map<String, String> headers = new LinkedHashMap<>(request.headers());
        if (!credentials.equals(":") && headers.keySet().stream()
                .noneMatch(name -> name.equalsIgnoreCase("Authorization"))) {
            headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return new FetchRequest(request.seq(), request.id(), bare, request.method(), headers,
                request.body(), request.idIsNumber());
    }
}
