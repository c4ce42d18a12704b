package dev.jerex.bench;

/** Result validation run by every benchmark before it is timed. */
final class Check {
    private Check() {}

    /** Fails unless |expected - actual| <= tol * max(1, |expected|) element-wise. */
    static void close(String what, float[] expected, float[] actual, float tol) {
        if (expected.length != actual.length) {
            throw new IllegalStateException(what + ": " + actual.length + " values, expected " + expected.length);
        }
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]) / Math.max(1.0, Math.abs(expected[i]));
            if (!(d <= tol)) {
                throw new IllegalStateException(what + ": element " + i + " is " + actual[i] + ", reference " + expected[i]);
            }
            max = Math.max(max, d);
        }
        System.out.printf("# check %s: max relative diff %.2e vs the pure-Java backend%n", what, max);
    }
}
