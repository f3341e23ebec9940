package dev.bulkfetch.compare;

import dev.bulkfetch.input.InputItem;
import dev.bulkfetch.input.InputReader;
import dev.bulkfetch.input.UrlListReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The requests of a comparison's list that are not idempotent (a POST, a PATCH), which it
 * sends more than once: every run sends the whole list, and each run's warm-up its first items
 * before that. A server that acts on each (an order placed, a mail sent) acts as often, so
 * compare says so before its runs start.
 */
public final class RepeatedSends {

    private RepeatedSends() {
    }

    /**
     * One line saying how many of the list's requests are not idempotent and how often they
     * go; {@code null} when none is, or none goes more than once (one run, no warm-up).
     */
    public static String warning(Comparison.Plan plan) {
        long unsafe = 0;
        long warmed = 0;
        Set<String> methods = new TreeSet<>();
        // Read as the runs read the list: a URL list's lines go with compare's -X.
        try (InputReader items = InputReader.open(plan.urls().toString(),
                plan.requests().formatOf(plan.urls()), InputStream.nullInputStream(),
                new UrlListReader.RequestTemplate(plan.requests().method(), Map.of(),
                        UnaryOperator.identity()))) {
            // Counted as the warm-up counts them: its first items, input errors among them.
            for (long n = 0; items.hasNext(); n++) {
                if (items.next() instanceof InputItem.Request r && !r.request().idempotent()) {
                    unsafe++;
                    warmed += n < plan.warmup() ? 1 : 0;
                    methods.add(r.request().method());
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // The runs read the list too, and say what fails; this line is advice.
            return null;
        }
        long runs = Comparison.plannedRuns(plan);
        if (unsafe == 0 || (runs == 1 && warmed == 0)) {
            return null;
        }
        return String.format(Locale.ROOT, "compare: %d request%s in the list %s not idempotent"
                        + " (%s), yet %s sent more than once: by every run (%d)%s, up to %d"
                        + " times in all", unsafe, unsafe == 1 ? "" : "s",
                unsafe == 1 ? "is" : "are", String.join(", ", methods),
                unsafe == 1 ? "it is" : "are", runs, warmed == 0 ? ""
                        : String.format(Locale.ROOT, ", and %s again by each run's warm-up"
                                + " (--warmup %d)", warmed == unsafe && unsafe == 1 ? "it"
                                : warmed + " of them", plan.warmup()),
                warmed == 0 ? runs : 2 * runs);
    }
}
