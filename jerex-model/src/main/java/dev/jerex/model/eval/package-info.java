/**
 * Evaluation with SpERT's semantics (see {@code shared/docs/SPERT.md}, "Evaluation"): strict NER,
 * relations with and without named entity classification, micro and macro precision / recall / F1
 * as scikit-learn's {@code precision_recall_fscore_support} computes them in SpERT's
 * {@code evaluator.py}. Start with {@link dev.jerex.model.eval.Evaluator}.
 */
package dev.jerex.model.eval;
