package dev.jerex.tensor.backend;

/** Element-wise functions of two broadcast operands, out = f(a, b) (p: a scalar parameter). */
public enum BinaryOp {
    ADD,          // a + b
    SUB,          // a - b
    MUL,          // a * b
    DIV,          // a / b
    MAX,          // max(a, b)
    EQ,           // a == b ? 1 : 0
    GT,           // a > b ? 1 : 0
    MASKED_FILL,  // b != 0 ? p : a   (b is the mask)
}
