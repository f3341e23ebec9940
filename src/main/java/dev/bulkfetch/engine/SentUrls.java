package dev.bulkfetch.engine;

import java.net.URI;

/**
 * A request's URL as the engines send it, which is the one a body handler's
 * {@code ResponseInfo.url()} and an outcome's final URL give: without user info and without a
 * fragment. The request's own user info goes as an {@code Authorization} header
 * ({@link Credentials}); a redirect's Location's is not used at all (a server's answer does
 * not choose the credentials sent; neither client ever sent them), and must not be given back
 * in clear, where records and programs show it. A fragment never leaves the client.
 */
final class SentUrls {

    private SentUrls() {
    }

    /** {@code url} without its user info and fragment; itself when it has neither. */
    static URI of(URI url) {
        String userInfo = url.getRawUserInfo();
        if (userInfo == null && url.getRawFragment() == null) {
            return url;
        }
        String authority = url.getRawAuthority();
        // A raw '@' cannot be in user info (it is encoded), so the host starts after the last.
        String hostAndPort = userInfo == null ? authority
                : authority.substring(authority.lastIndexOf('@') + 1);
        String path = url.getRawPath();
        String query = url.getRawQuery();
        return URI.create(url.getScheme() + "://" + hostAndPort + (path == null ? "" : path)
                + (query == null ? "" : "?" + query));
    }
}
