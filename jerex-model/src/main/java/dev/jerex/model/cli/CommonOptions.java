package dev.jerex.model.cli;

import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.Backends;
import picocli.CommandLine.Option;

/** Options every command that computes shares. */
final class CommonOptions {
    @Option(names = "--backend", description = "auto | java | openblas | cuda (default: ${DEFAULT-VALUE}; env JEREX_BACKEND)",
            defaultValue = "${env:JEREX_BACKEND:-auto}")
    String backend;

    @Option(names = "--threads", description = "kernel threads (default: ${DEFAULT-VALUE}; env JEREX_THREADS)",
            defaultValue = "${env:JEREX_THREADS:-1}")
    int threads;

    Backend create() {
        return Backends.create(backend, threads);
    }
}
