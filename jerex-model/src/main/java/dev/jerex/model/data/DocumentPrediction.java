package dev.jerex.model.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything the model predicts for one document: entities (word spans) and relations between them.
 *
 * @param entities  predicted entities; their order defines the indices used by {@code relations}
 * @param relations predicted relations over {@code entities}
 */
public record DocumentPrediction(List<PredictedEntity> entities, List<PredictedRelation> relations) {

    public DocumentPrediction {
        entities = List.copyOf(entities);
        relations = List.copyOf(relations);
        for (PredictedRelation relation : relations) {
            if (relation.head() >= entities.size() || relation.tail() >= entities.size()) {
                throw new IllegalArgumentException("relation " + relation + " points past the "
                        + entities.size() + " predicted entities");
            }
        }
    }

    /** Nothing predicted. */
    public static DocumentPrediction empty() {
        return new DocumentPrediction(List.of(), List.of());
    }

    /** The gold annotation of a document as a prediction with score 1 (for tests and sanity checks). */
    public static DocumentPrediction fromGold(Document document) {
        List<PredictedEntity> entities = new ArrayList<>();
        for (Entity entity : document.entities()) {
            entities.add(new PredictedEntity(entity.start(), entity.end(), entity.type(), 1.0));
        }
        List<PredictedRelation> relations = new ArrayList<>();
        for (Relation relation : document.relations()) {
            relations.add(new PredictedRelation(relation.head(), relation.tail(), relation.type(), 1.0));
        }
        return new DocumentPrediction(entities, relations);
    }
}
