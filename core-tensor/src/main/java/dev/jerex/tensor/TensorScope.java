package dev.jerex.tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Bounds the lifetime of temporary tensors: every storage allocated on this thread while the
 * scope is open is released (back to its pool) when the scope closes, except those of tensors
 * passed to {@link #keep(Tensor)}. Scopes nest; a kept tensor moves to the enclosing scope.
 *
 * <pre>{@code
 * try (TensorScope step = TensorScope.open()) {
 *     Tensor loss = model.loss(batch);
 *     optimizer.step(loss.backward());
 * }   // activations and gradients go back to the pool here
 * }</pre>
 *
 * Without a scope, storages are returned to the pool when the garbage collector finds them
 * unreachable, which is correct but lets memory grow between collections.
 */
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<TensorScope> CURRENT = new ThreadLocal<>();

    private final TensorScope parent;
    private final boolean tracking;
    private final List<Storage> owned = new ArrayList<>();
    private final Set<Storage> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private TensorScope(TensorScope parent, boolean tracking) {
        this.parent = parent;
        this.tracking = tracking;
    }

    /** Opens a scope whose temporaries are released when it closes. */
    public static TensorScope open() {
        return push(true);
    }

    /**
     * Opens a scope in which allocations are not tracked: for state that must persist, such as
     * parameters or optimiser moments created lazily during a training step.
     */
    public static TensorScope persistent() {
        return push(false);
    }

    private static TensorScope push(boolean tracking) {
        TensorScope scope = new TensorScope(CURRENT.get(), tracking);
        CURRENT.set(scope);
        return scope;
    }

    /** Called by backends for each new storage: the innermost tracking scope owns it. */
    public static void register(Storage storage) {
        TensorScope scope = CURRENT.get();
        if (scope != null && scope.tracking) scope.owned.add(storage);
    }

    /** Keeps the tensor's storage alive past this scope (it then belongs to the parent scope). */
    public Tensor keep(Tensor t) {
        kept.add(t.storage());
        return t;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (CURRENT.get() != this) {
            throw new IllegalStateException("TensorScope closed out of order or on another thread");
        }
        CURRENT.set(parent);
        for (Storage s : owned) {
            if (kept.contains(s)) {
                if (parent != null && parent.tracking) parent.owned.add(s);
            } else {
                s.release();
            }
        }
        owned.clear();
    }
}
