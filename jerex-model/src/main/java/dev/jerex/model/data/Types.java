package dev.jerex.model.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The entity and relation types of a data set (SpERT's types file).
 *
 * <ul>
 *   <li>Entity types: {@code None} at index 0, then the declared types from index 1; the entity
 *       classifier has {@link #entityTypeCount()} = declared + 1 outputs.</li>
 *   <li>Relation types: the declared types from index 0, no {@code None}; the relation classifier
 *       has {@link #relationTypeCount()} sigmoid outputs.</li>
 * </ul>
 * See SPERT.md, "Data". Instances are immutable; build them with {@link #builder()} or
 * {@link DatasetReader#readTypes}.
 */
public final class Types {

    /** Name of the artificial "not an entity" type at entity index 0. */
    public static final String NONE_NAME = "None";

    private final List<EntityType> entityTypes;
    private final List<RelationType> relationTypes;
    private final Map<String, EntityType> entityTypesByName;
    private final Map<String, RelationType> relationTypesByName;

    private Types(List<EntityType> entityTypes, List<RelationType> relationTypes) {
        this.entityTypes = List.copyOf(entityTypes);
        this.relationTypes = List.copyOf(relationTypes);
        Map<String, EntityType> entities = new LinkedHashMap<>();
        for (EntityType type : this.entityTypes) {
            entities.put(type.name(), type);
        }
        Map<String, RelationType> relations = new LinkedHashMap<>();
        for (RelationType type : this.relationTypes) {
            relations.put(type.name(), type);
        }
        this.entityTypesByName = Collections.unmodifiableMap(entities);
        this.relationTypesByName = Collections.unmodifiableMap(relations);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** All entity types, {@code None} first; {@code entityTypes().get(i).index() == i}. */
    public List<EntityType> entityTypes() {
        return entityTypes;
    }

    /** All relation types; {@code relationTypes().get(i).index() == i}. */
    public List<RelationType> relationTypes() {
        return relationTypes;
    }

    /** The artificial {@code None} entity type (index 0). */
    public EntityType noneEntityType() {
        return entityTypes.get(0);
    }

    /** Number of entity classifier outputs, {@code None} included. */
    public int entityTypeCount() {
        return entityTypes.size();
    }

    /** Number of relation classifier outputs (no {@code None}). */
    public int relationTypeCount() {
        return relationTypes.size();
    }

    public EntityType entityType(int index) {
        return entityTypes.get(index);
    }

    public RelationType relationType(int index) {
        return relationTypes.get(index);
    }

    /** Entity type by its data-file name ({@code "None"} finds the None type). */
    public Optional<EntityType> entityType(String name) {
        return Optional.ofNullable(entityTypesByName.get(name));
    }

    /** Relation type by its data-file name. */
    public Optional<RelationType> relationType(String name) {
        return Optional.ofNullable(relationTypesByName.get(name));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Types that
                && entityTypes.equals(that.entityTypes)
                && relationTypes.equals(that.relationTypes);
    }

    @Override
    public int hashCode() {
        return 31 * entityTypes.hashCode() + relationTypes.hashCode();
    }

    @Override
    public String toString() {
        return "Types{entities=" + entityTypes + ", relations=" + relationTypes + "}";
    }

    /** Collects declared types in order and assigns their indices. */
    public static final class Builder {
        private final List<EntityType> entityTypes = new ArrayList<>();
        private final List<RelationType> relationTypes = new ArrayList<>();

        private Builder() {
            entityTypes.add(new EntityType(0, NONE_NAME, NONE_NAME, "No Entity"));
        }

        /** Declares the next entity type (index 1, 2, ...). */
        public Builder entity(String name, String shortName, String verbose) {
            if (NONE_NAME.equals(name)) {
                throw new IllegalArgumentException("the entity type name \"None\" is reserved for index 0");
            }
            if (entityTypes.stream().anyMatch(type -> type.name().equals(name))) {
                throw new IllegalArgumentException("duplicate entity type " + name);
            }
            entityTypes.add(new EntityType(entityTypes.size(), name, shortName, verbose));
            return this;
        }

        /** Declares an entity type whose short and verbose names equal its name. */
        public Builder entity(String name) {
            return entity(name, name, name);
        }

        /** Declares the next relation type (index 0, 1, ...). */
        public Builder relation(String name, String shortName, String verbose, boolean symmetric) {
            if (relationTypes.stream().anyMatch(type -> type.name().equals(name))) {
                throw new IllegalArgumentException("duplicate relation type " + name);
            }
            relationTypes.add(new RelationType(relationTypes.size(), name, shortName, verbose, symmetric));
            return this;
        }

        /** Declares a relation type whose short and verbose names equal its name. */
        public Builder relation(String name, boolean symmetric) {
            return relation(name, name, name, symmetric);
        }

        public Types build() {
            return new Types(entityTypes, relationTypes);
        }
    }
}
