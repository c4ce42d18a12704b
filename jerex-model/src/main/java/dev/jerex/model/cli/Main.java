package dev.jerex.model.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./jerex} — train, evaluate and run the extractor; inspect encoders.
 * Environment variables are read only here, at the edge (JEREX_BACKEND, JEREX_THREADS).
 */
@Command(name = "jerex", mixinStandardHelpOptions = true, version = "jerex 0.1.0",
        description = "Joint entity and relation extraction (SpERT and the interactive-fusion model of arXiv 2502.09247).",
        subcommands = {QuickstartCommand.class, TrainCommand.class, EvalCommand.class, PredictCommand.class,
                EncodeCommand.class, FillMaskCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code (for tests). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // A clear one-line error; the stack trace only with JEREX_DEBUG=1.
            cmd.getErr().println("jerex " + cmd.getCommandName() + ": " + message(e));
            if ("1".equals(System.getenv("JEREX_DEBUG"))) e.printStackTrace(cmd.getErr());
            return 1;
        });
        return cli.execute(args);
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException) return "no such file: " + m;
        return m != null ? m : e.toString();
    }
}
