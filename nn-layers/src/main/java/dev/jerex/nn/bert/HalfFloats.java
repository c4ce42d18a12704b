package dev.jerex.nn.bert;

/** IEEE 754 binary16 -> binary32 (Java 17 has no Float.float16ToFloat; that arrived in Java 20). */
final class HalfFloats {
    private HalfFloats() {
    }

    /**
     * binary16 layout: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits.
     * binary32 layout: 1 sign bit, 8 exponent bits (bias 127), 23 fraction bits.
     */
    static float halfToFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int fraction = h & 0x3FF;
        if (exponent == 0x1F) { // infinity or NaN: keep the payload
            return Float.intBitsToFloat(sign | 0x7F800000 | fraction << 13);
        }
        if (exponent == 0) {
            // zero or subnormal: value = fraction * 2^-24, exact in fp32
            float magnitude = fraction * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | (exponent - 15 + 127) << 23 | fraction << 13);
    }
}
