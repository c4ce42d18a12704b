/**
 * Data for span-based joint entity and relation extraction, following SpERT (see
 * {@code shared/docs/SPERT.md}, sections "Data" and "Sampling").
 *
 * <p>The path of a document through this package:
 * <pre>
 *   DatasetReader.readTypes / readDocuments     JSON files -> Types, List&lt;Document&gt; (validated)
 *   EncodedDocument.encode(document, encoder)    words -> [CLS] pieces... [SEP] + word -> sub-word ranges
 *   Windowing.split / merge                      documents longer than the encoder, and back
 *   Sampler.trainingSample(encoded, random)      positives + sampled negatives as plain arrays (training)
 *   InferenceCandidates.enumerate(encoded, k)    every span of 1..k words (inference)
 *   DocumentPrediction                           what the model predicts, input of the evaluator
 * </pre>
 * Nothing here depends on the tensor library: the model turns the int arrays into tensors.
 */
package dev.jerex.model.data;
