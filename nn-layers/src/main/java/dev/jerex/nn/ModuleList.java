package dev.jerex.nn;

import dev.jerex.tensor.backend.Backend;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** An indexed list of modules; children are named 0, 1, 2, ... (so "layer.3.attention..."). */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> items = new ArrayList<>();

    public ModuleList(Backend backend) {
        super(backend);
    }

    public ModuleList<M> add(M module) {
        child(Integer.toString(items.size()), module);
        items.add(module);
        return this;
    }

    public M get(int i) {
        return items.get(i);
    }

    public int size() {
        return items.size();
    }

    @Override
    public Iterator<M> iterator() {
        return items.iterator();
    }
}
