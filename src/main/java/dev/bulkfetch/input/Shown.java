package dev.bulkfetch.input;

/**
 * Text of the user's input as a rejected line's record shows it: well-formed UTF-16, so that
 * its JSON is read by any reader. A lone surrogate can be written in JSON only as an escape of
 * no character ({@code \uD83D}), at which strict readers (jq) stop, and every record after it
 * was lost to them.
 */
final class Shown {

    private static final char REPLACEMENT = '\uFFFD';

    private Shown() {
    }

    /**
     * The first {@code max} characters of {@code text} and "...", one fewer when the cut would
     * split a surrogate pair (an emoji); {@code text} itself when it is no longer.
     */
    static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end) + "...";
    }

    /**
     * {@code text} with each lone surrogate replaced by U+FFFD; {@code text} itself when it has
     * none. A JSON Lines spec can give one as an escape ({@code "G\ud800"}).
     */
    static String wellFormed(String text) {
        if (text == null) {
            return null;
        }
        int lone = loneSurrogate(text, 0);
        if (lone < 0) {
            return text;
        }
        char[] chars = text.toCharArray();
        for (; lone >= 0; lone = loneSurrogate(text, lone + 1)) {
            chars[lone] = REPLACEMENT;
        }
        return new String(chars);
    }

    /**
     * Where the first surrogate of {@code text} from {@code from} on stands that is not half
     * of a pair; -1 when there is none.
     */
    static int loneSurrogate(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
