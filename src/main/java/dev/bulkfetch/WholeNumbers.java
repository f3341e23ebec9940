package dev.bulkfetch;

/**
 * The ids a record writes as numbers: whole numbers as JSON writes them, of any length, as a
 * JSON Lines spec gives them ({@code 7}, {@code -0}, {@code 12345678901234567890}). Written
 * unquoted as they are, so anything else would make the record no JSON, or another number.
 */
final class WholeNumbers {

    private WholeNumbers() {
    }

    /**
     * Refuses {@code id}, an id given as a number, when it is no whole number as JSON writes
     * it: an optional minus, then 0 or digits that do not begin with 0.
     *
     * @throws IllegalArgumentException when it is not, quoting it
     */
    static void check(String id) {
        int digits = id != null && id.startsWith("-") ? 1 : 0;
        boolean whole = id != null && id.length() > digits
                && (id.charAt(digits) != '0' || id.length() == digits + 1);
        for (int i = digits; whole && i < id.length(); i++) {
            whole = id.charAt(i) >= '0' && id.charAt(i) <= '9';
        }
        if (!whole) {
            throw new IllegalArgumentException("an id given as a number must be a whole number"
                    + " as JSON writes it: " + id);
        }
    }
}
