package dev.jerex.tensor;

import dev.jerex.tensor.backend.BinaryOp;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reverse-mode engine behind {@link Tensor#backward()}.
 *
 * <ol>
 *   <li>Order the graph: depth-first from the root, each node after all nodes that consume it
 *       (reverse topological order), iteratively so deep graphs (long LSTMs) cannot overflow
 *       the stack.</li>
 *   <li>Seed d root / d root = 1 and visit nodes in that order: a node's gradient is complete when
 *       it is visited, because every consumer has already added its contribution. Its backward
 *       function turns it into gradients of its parents, which are accumulated (a tensor used
 *       twice receives the sum).</li>
 *   <li>Free as it goes: an intermediate gradient is released as soon as its node has been
 *       visited (unless a parent's gradient still shares its storage), and the node drops its
 *       backward function and parents, so saved activations become garbage.</li>
 * </ol>
 */
final class Autograd {
    private Autograd() {}

    static Gradients backward(Tensor root, Tensor upstream, boolean retainGraph) {
        if (!root.requiresGrad) {
            throw new IllegalStateException("backward: the tensor does not require a gradient (no input requires one, or it was computed under no-grad)");
        }
        if (upstream == null && root.numel() != 1) {
            throw new IllegalStateException("backward() without an upstream gradient needs a scalar, got shape " + Shape.str(root.shapeRef()));
        }
        if (upstream != null && !Arrays.equals(upstream.shapeRef(), root.shapeRef())) {
            throw new IllegalArgumentException("backward: upstream gradient shape " + Shape.str(upstream.shapeRef())
                    + " does not match the tensor's shape " + Shape.str(root.shapeRef()));
        }
        List<Tensor> order = reverseTopologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        Map<Storage, Integer> storageRefs = new IdentityHashMap<>();   // how many grads share each storage
        Map<Tensor, Tensor> leafGrads = new IdentityHashMap<>();

        try (GradMode off = GradMode.noGrad()) {
            Tensor seed = upstream != null ? upstream.detach() : Tensor.ones(root.backend(), root.shapeRef());
            put(grads, storageRefs, root, seed);
            if (upstream != null) storageRefs.put(upstream.storage(), 1 << 30);   // the caller's tensor: never released
            for (Tensor node : order) {
                Tensor collected = MatmulOps.collectedGradient(node);   // a weight's deferred products, now complete
                if (collected != null) accumulate(node, collected, grads, storageRefs);
                Tensor g = grads.get(node);
                if (g == null) continue;
                if (node.isLeaf()) {
                    leafGrads.put(node, g);
                    continue;
                }
                if (node.backwardFn == null) {
                    throw new IllegalStateException("backward through " + node.op + " a second time: the graph was freed"
                            + " (pass retainGraph = true to the first backward)");
                }
                long t0 = Profiler.enabled() ? System.nanoTime() : 0;
                runBackward(node, g, grads, storageRefs);
                if (t0 != 0) Profiler.addBackward(node.section, System.nanoTime() - t0);
                remove(grads, storageRefs, node);
                releaseIfUnused(g, storageRefs);
                if (!retainGraph) {
                    node.backwardFn = null;
                    node.windowInParent = null;
                    node.parents = new Tensor[0];   // drops saved inputs; still not a leaf, so a second backward fails clearly
                }
            }
        }
        return new Gradients(leafGrads);
    }

    /** Adds each parent's gradient to what that parent has received so far. */
    /** The node's backward, its parents' gradients accumulated, labelled with the node's profiler section. */
    private static void runBackward(Tensor node, Tensor g, Map<Tensor, Tensor> grads, Map<Storage, Integer> storageRefs) {
        try (Profiler.BackwardLabel label = Profiler.backwardOf(node.section)) {
            if (node.windowInParent != null) {
                addIntoWindow(node, g, grads, storageRefs);
            } else {
                accumulate(node, node.backwardFn.apply(g), grads, storageRefs);
            }
        }
    }

    private static void accumulate(Tensor node, Tensor[] parentGrads, Map<Tensor, Tensor> grads, Map<Storage, Integer> storageRefs) {
        Tensor[] parents = node.parents;
        for (int i = 0; i < parents.length; i++) {
            Tensor p = parents[i];
            Tensor pg = parentGrads[i];
            if (p == null || pg == null || !p.requiresGrad) {
                if (pg != null) releaseIfUnused(pg, storageRefs);
                continue;
            }
            if (!Arrays.equals(pg.shapeRef(), p.shapeRef())) {
                throw new IllegalStateException("backward of " + node.op + ": gradient for input " + i + " has shape "
                        + Shape.str(pg.shapeRef()) + " but the input has shape " + Shape.str(p.shapeRef()));
            }
            accumulate(p, pg, grads, storageRefs);
        }
    }

    /** grad(p) += pg (a tensor used twice receives the sum): in place when p's gradient is its own. */
    private static void accumulate(Tensor p, Tensor pg, Map<Tensor, Tensor> grads, Map<Storage, Integer> storageRefs) {
        Tensor previous = grads.get(p);
        if (previous == null) {
            put(grads, storageRefs, p, pg);
        } else if (owned(previous, storageRefs) && previous.isContiguous() && previous.storage() != pg.storage()) {
            addInPlace(previous, pg);
            releaseIfUnused(pg, storageRefs);
        } else {
            Tensor sum = previous.add(pg);
            remove(grads, storageRefs, p);
            put(grads, storageRefs, p, sum);
            releaseIfUnused(previous, storageRefs);
            releaseIfUnused(pg, storageRefs);
        }
    }

    /**
     * The backward of a slicing view (narrow, select): g goes straight into its window of the
     * parent's gradient, which is created (zeros) on the first slice and owned by the engine, so
     * T slices of one tensor cost one parent-sized tensor and T window-sized additions.
     */
    private static void addIntoWindow(Tensor node, Tensor g, Map<Tensor, Tensor> grads, Map<Storage, Integer> storageRefs) {
        Tensor p = node.parents[0];
        if (p == null || !p.requiresGrad) return;
        Tensor acc = grads.get(p);
        boolean zeros = acc == null;
        if (acc == null || !owned(acc, storageRefs)) {
            Tensor fresh = acc == null ? Tensor.zeros(p.backend(), p.shapeRef()) : Tensor.empty(p.backend(), p.shapeRef());
            if (acc != null) {
                ShapeOps.copyInto(acc, fresh);
                remove(grads, storageRefs, p);
                releaseIfUnused(acc, storageRefs);
            }
            put(grads, storageRefs, p, fresh);
            acc = fresh;
        }
        Tensor window = node.windowInParent.apply(acc);
        if (zeros) ShapeOps.copyInto(g, window);
        else addInPlace(window, g);
    }

    /** Whether a gradient's storage belongs to it alone (so it may be updated in place). */
    private static boolean owned(Tensor g, Map<Storage, Integer> refs) {
        return refs.getOrDefault(g.storage(), 0) == 1;
    }

    /** dst += src, where dst may be a strided view. No graph. */
    private static void addInPlace(Tensor dst, Tensor src) {
        if (dst.isContiguous()) {
            dst.backend().binary(BinaryOp.ADD, 0f, dst.shapeRef(), dst.storage(), dst.offset(), dst.stridesRef(),
                    src.storage(), src.offset(), src.stridesRef(), dst.storage(), dst.offset());
        } else {
            Tensor sum = dst.add(src);
            ShapeOps.copyInto(sum, dst);
            sum.storage().release();
        }
    }

    private static void put(Map<Tensor, Tensor> grads, Map<Storage, Integer> refs, Tensor node, Tensor g) {
        grads.put(node, g);
        refs.merge(g.storage(), 1, Integer::sum);
    }

    private static void remove(Map<Tensor, Tensor> grads, Map<Storage, Integer> refs, Tensor node) {
        Tensor g = grads.remove(node);
        if (g != null) refs.merge(g.storage(), -1, Integer::sum);
    }

    /** Releases a gradient's storage when no recorded gradient (intermediate or leaf) shares it. */
    private static void releaseIfUnused(Tensor g, Map<Storage, Integer> refs) {
        Integer n = refs.get(g.storage());
        if (n == null || n <= 0) {
            refs.remove(g.storage());
            g.storage().release();
        }
    }

    /** Nodes reachable from root that require grad, each before the nodes it was computed from. */
    private static List<Tensor> reverseTopologicalOrder(Tensor root) {
        List<Tensor> postOrder = new ArrayList<>();
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();   // {tensor, next parent index}
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Tensor[] parents = t.parents == null ? new Tensor[0] : t.parents;
            if (next < parents.length) {
                frame[1] = next + 1;
                Tensor p = parents[next];
                if (p != null && p.requiresGrad && visited.put(p, Boolean.TRUE) == null) {
                    stack.push(new Object[] {p, 0});
                }
            } else {
                stack.pop();
                postOrder.add(t);
            }
        }
        java.util.Collections.reverse(postOrder);
        return postOrder;
    }
}
