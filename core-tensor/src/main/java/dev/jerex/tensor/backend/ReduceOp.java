package dev.jerex.tensor.backend;

/** Reductions over the middle axis of a contiguous [outer, len, inner] block. */
public enum ReduceOp {
    SUM,
    MAX,
}
