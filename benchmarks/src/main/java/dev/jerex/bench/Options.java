package dev.jerex.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** "--name value" command-line options of the model tools, with defaults and required names. */
final class Options {
    private Options() {}

    static Map<String, String> parse(String[] args, Map<String, String> defaults, String... required) {
        Map<String, String> opt = new HashMap<>(defaults);
        Set<String> known = new java.util.HashSet<>(defaults.keySet());
        known.addAll(Set.of(required));
        for (int i = 0; i < args.length; i++) {
            if (!known.contains(args[i])) throw new IllegalArgumentException("unknown option " + args[i] + " (known: " + known + ")");
            if (i + 1 >= args.length) throw new IllegalArgumentException("option " + args[i] + " needs a value");
            opt.put(args[i], args[++i]);
        }
        for (String r : required) {
            if (!opt.containsKey(r)) throw new IllegalArgumentException("missing required option " + r);
        }
        return opt;
    }
}
