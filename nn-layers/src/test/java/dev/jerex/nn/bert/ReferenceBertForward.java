package dev.jerex.nn.bert;

import java.util.Map;

/**
 * Test helper: the BERT encoder forward pass written out with plain float arrays, straight from the
 * Hugging Face names and layouts the readers produce (Linear weight [out, in]). It exists to prove
 * that a load is correct end to end (a pretrained model that predicts "Paris" or ranks paraphrases
 * first cannot have a mis-named or mis-transposed weight); it is not the library's implementation.
 * Numerics as ENCODERS.md: LayerNorm eps from the config, exact erf GELU, scores / sqrt(head_dim),
 * padding masked out. One sequence at a time, no padding: x is [T, H].
 */
final class ReferenceBertForward {
    private final BertConfig config;
    private final Map<String, NamedArray> w;

    ReferenceBertForward(BertConfig config, Map<String, NamedArray> weights) {
        this.config = config;
        this.w = weights;
    }

    private float[] p(String name) {
        NamedArray a = w.get(name);
        if (a == null) {
            throw new IllegalArgumentException("missing weight " + name);
        }
        return a.data();
    }

    /** input ids [T] -> last hidden state [T, H] (token type 0 everywhere). */
    float[][] encode(int[] ids) {
        int t = ids.length;
        int h = config.hidden();
        float[][] x = new float[t][h];
        float[] words = p("embeddings.word_embeddings.weight");
        float[] positions = p("embeddings.position_embeddings.weight");
        float[] types = p("embeddings.token_type_embeddings.weight");
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < h; j++) {
                x[i][j] = words[ids[i] * h + j] + positions[i * h + j] + types[j];
            }
        }
        x = layerNorm(x, "embeddings.LayerNorm");
        for (int l = 0; l < config.layers(); l++) {
            x = layer(x, "encoder.layer." + l + ".");
        }
        return x;
    }

    private float[][] layer(float[][] x, String prefix) {
        int heads = config.heads();
        int d = config.headDim();
        float[][] q = linear(x, prefix + "attention.self.query");
        float[][] k = linear(x, prefix + "attention.self.key");
        float[][] v = linear(x, prefix + "attention.self.value");
        int t = x.length;
        float[][] context = new float[t][config.hidden()];
        double scale = 1.0 / Math.sqrt(d);
        for (int head = 0; head < heads; head++) {
            int off = head * d;
            for (int i = 0; i < t; i++) {
                double[] scores = new double[t];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < t; j++) {
                    double s = 0;
                    for (int c = 0; c < d; c++) {
                        s += q[i][off + c] * k[j][off + c];
                    }
                    scores[j] = s * scale;
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j < t; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int j = 0; j < t; j++) {
                    double a = scores[j] / sum;
                    for (int c = 0; c < d; c++) {
                        context[i][off + c] += (float) (a * v[j][off + c]);
                    }
                }
            }
        }
        float[][] attended = add(linear(context, prefix + "attention.output.dense"), x);
        float[][] x1 = layerNorm(attended, prefix + "attention.output.LayerNorm");
        float[][] inner = linear(x1, prefix + "intermediate.dense");
        for (float[] row : inner) {
            for (int j = 0; j < row.length; j++) {
                row[j] = gelu(row[j]);
            }
        }
        return layerNorm(add(linear(inner, prefix + "output.dense"), x1), prefix + "output.LayerNorm");
    }

    /** Masked-language-model logits at one position: transform (dense, GELU, LayerNorm), then the tied decoder. */
    float[] mlmLogits(float[] hidden) {
        float[][] h = linear(new float[][] {hidden}, "cls.predictions.transform.dense");
        for (int j = 0; j < h[0].length; j++) {
            h[0][j] = gelu(h[0][j]);
        }
        h = layerNorm(h, "cls.predictions.transform.LayerNorm");
        float[] words = p("embeddings.word_embeddings.weight");
        float[] bias = p("cls.predictions.bias");
        int dim = config.hidden();
        float[] logits = new float[config.vocabSize()];
        for (int v = 0; v < logits.length; v++) {
            double s = bias[v];
            for (int j = 0; j < dim; j++) {
                s += h[0][j] * words[v * dim + j];
            }
            logits[v] = (float) s;
        }
        return logits;
    }

    /** y = x W^T + b with W [out, in]: x [T, in] -> [T, out]. */
    private float[][] linear(float[][] x, String prefix) {
        NamedArray weight = w.get(prefix + ".weight");
        float[] wd = weight.data();
        float[] b = p(prefix + ".bias");
        int out = weight.shape()[0];
        int in = weight.shape()[1];
        float[][] y = new float[x.length][out];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out; o++) {
                double s = b[o];
                int row = o * in;
                for (int c = 0; c < in; c++) {
                    s += x[i][c] * wd[row + c];
                }
                y[i][o] = (float) s;
            }
        }
        return y;
    }

    private float[][] layerNorm(float[][] x, String prefix) {
        float[] gamma = p(prefix + ".weight");
        float[] beta = p(prefix + ".bias");
        float[][] y = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            double mean = 0;
            for (float v : x[i]) {
                mean += v;
            }
            mean /= x[i].length;
            double var = 0;
            for (float v : x[i]) {
                var += (v - mean) * (v - mean);
            }
            var /= x[i].length;
            double inv = 1.0 / Math.sqrt(var + config.layerNormEps());
            y[i] = new float[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                y[i][j] = (float) ((x[i][j] - mean) * inv * gamma[j] + beta[j]);
            }
        }
        return y;
    }

    private static float[][] add(float[][] a, float[][] b) {
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                a[i][j] += b[i][j];
            }
        }
        return a;
    }

    /** Exact GELU: x * Phi(x) = x/2 * (1 + erf(x / sqrt 2)). */
    static float gelu(float x) {
        return (float) (0.5 * x * (1 + erf(x / Math.sqrt(2))));
    }

    /** erf by Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7), enough for a sanity check. */
    static double erf(double x) {
        double sign = Math.signum(x);
        double a = Math.abs(x);
        double t = 1 / (1 + 0.3275911 * a);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        return sign * (1 - poly * Math.exp(-a * a));
    }

    /** Mean of the rows of [T, H], L2-normalised: the sentence-transformers embedding of MiniLM. */
    static float[] meanPoolNormalized(float[][] x) {
        float[] m = new float[x[0].length];
        for (float[] row : x) {
            for (int j = 0; j < m.length; j++) {
                m[j] += row[j] / x.length;
            }
        }
        return normalize(m);
    }

    static float[] normalize(float[] v) {
        double n = 0;
        for (float f : v) {
            n += f * f;
        }
        float inv = (float) (1 / Math.sqrt(n));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * inv;
        }
        return out;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
