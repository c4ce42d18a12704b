package dev.jerex.nn.bert;

import java.util.Map;

/**
 * Everything needed to build a pretrained BERT encoder, independent of the tensor library.
 *
 * @param name      catalog name ("minilm-l6") or the path that was loaded
 * @param config    the architecture
 * @param tokenizer the matching tokenizer, with the casing the model was trained with
 * @param weights   fp32 weights by Hugging Face BERT name (no {@code bert.} prefix), Linear weights
 *                  {@code [out, in]}; encoder tensors always, pooler / MLM head when the source has them
 * @param source    where the weights came from (jar, file, or cache), for messages
 * @param fromCache true when the weights were read from the converted safetensors cache
 */
public record EncoderArtifacts(String name, BertConfig config, BertTokenizer tokenizer, Map<String, NamedArray> weights,
                               String source, boolean fromCache) {
}
