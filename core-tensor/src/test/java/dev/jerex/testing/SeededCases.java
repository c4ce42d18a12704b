package dev.jerex.testing;

import java.util.Random;
import java.util.function.Function;

/**
 * Property checks without a property-testing library: a property is checked on {@code cases}
 * generated inputs, each drawn from its own seed, the seeds coming from one seeded {@link Random}.
 * Runs are reproducible. A failure (an assertion, or any exception the property lets through) names
 * the case, its seed and the input, with non-printable characters escaped; the input is regenerated
 * by {@code generator.apply(new Random(caseSeed))}. There is no shrinking.
 *
 * <p>Used by the {@code *PropertiesTest} classes of nn-layers and jerex-model (through this module's
 * test-jar); {@link RandomText} holds the generators they share.
 */
public final class SeededCases {

    /** A property of one input; it fails by throwing. */
    @FunctionalInterface
    public interface Property<T> {
        void check(T input) throws Exception;
    }

    private SeededCases() {}

    public static <T> void check(long seed, int cases, Function<Random, T> generator, Property<T> property) {
        Random caseSeeds = new Random(seed);
        for (int n = 0; n < cases; n++) {
            long caseSeed = caseSeeds.nextLong();
            T input = generator.apply(new Random(caseSeed));
            try {
                property.check(input);
            } catch (Exception | AssertionError failure) {
                throw new AssertionError("case " + n + " of " + cases + " (seed " + seed + ", case seed " + caseSeed
                        + "L) failed on input " + printable(input) + ":\n" + failure.getMessage(), failure);
            }
        }
    }

    /**
     * The input as a Java literal where it is a string, otherwise its {@code toString()}; every
     * character outside printable ASCII is written as {@code \}{@code uXXXX}, so controls, format
     * characters and lone surrogates can be seen and copied.
     */
    public static String printable(Object input) {
        StringBuilder out = new StringBuilder();
        if (input instanceof String) {
            out.append('"');
        }
        String text = String.valueOf(input);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' && input instanceof String || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7F) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        if (input instanceof String) {
            out.append('"');
        }
        return out.toString();
    }
}
