package dev.jerex.nn.bert;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a file so that readers see either the old file or the complete new one, never a torn
 * write: write a temporary file in the same directory, fsync it, rename it over the target
 * (rename within one directory is atomic on POSIX file systems), then fsync the directory.
 */
final class AtomicFiles {
    private AtomicFiles() {
    }

    /** The body that fills the temporary file through its channel. */
    @FunctionalInterface
    interface ChannelWriter {
        void write(FileChannel channel) throws IOException;
    }

    static void write(Path target, ChannelWriter body) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            makeWorldReadable(temp); // temp files start as rw-------; the result is an ordinary file
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.write(channel);
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            syncDirectory(dir);
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    static void write(Path target, byte[] content) throws IOException {
        write(target, channel -> {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        });
    }

    private static void makeWorldReadable(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the default permissions
        }
    }

    /** Makes the rename durable. Not every platform can open a directory (Windows cannot): then skip. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort
        }
    }
}
