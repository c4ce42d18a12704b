package dev.jerex.tensor.backend;

/**
 * Element-wise functions y = f(x) (some with a scalar parameter p), and their derivatives for
 * the backward kernel gx = gy * f'(x), which may use the saved output y where that is cheaper.
 */
public enum UnaryOp {
    NEG,          // -x
    EXP,          // e^x                      f' = y
    LOG,          // ln x                     f' = 1/x
    SQRT,         // sqrt x                   f' = 1/(2y)
    TANH,         // tanh x                   f' = 1 - y^2
    SIGMOID,      // 1/(1+e^-x)               f' = y(1-y)
    RELU,         // max(x, 0)                f' = [x > 0]
    GELU,         // x * Phi(x), exact erf    f' = Phi(x) + x * phi(x)
    ABS,          // |x|                      f' = sign(x)
    POW,          // x^p                      f' = p x^(p-1)
    ADD_SCALAR,   // x + p                    f' = 1
    MUL_SCALAR,   // p * x                    f' = p
    RSUB_SCALAR,  // p - x                    f' = -1
    SOFTPLUS,     // ln(1 + e^x), stable      f' = sigmoid(x)
}
