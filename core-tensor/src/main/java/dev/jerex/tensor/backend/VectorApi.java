package dev.jerex.tensor.backend;

import java.lang.System.Logger.Level;
import java.util.function.Supplier;

/**
 * Chooses between a kernel family's Vector API implementation and its scalar reference: the
 * former when the JVM has jdk.incubator.vector and {@code -Djerex.noVectorApi} is not set, the
 * latter otherwise or when the former fails to load. The suppliers are lambdas, so the Vector API
 * classes are only loaded inside the try.
 */
final class VectorApi {
    private VectorApi() {}

    static <T> T choose(Class<T> family, Supplier<? extends T> vector, Supplier<? extends T> scalar) {
        if (!Boolean.getBoolean("jerex.noVectorApi") && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                return vector.get();
            } catch (LinkageError | RuntimeException e) {
                System.getLogger(family.getName()).log(Level.DEBUG, "Vector API unavailable: " + e);
            }
        }
        return scalar.get();
    }
}
