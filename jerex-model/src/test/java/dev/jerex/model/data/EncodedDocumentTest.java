package dev.jerex.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jerex.model.data.TestData.ChunkEncoder;
import java.util.List;
import org.junit.jupiter.api.Test;

class EncodedDocumentTest {

    private static final Types TYPES = TestData.tinyTypes();
    private static final EntityType PEOP = TYPES.entityType("Peop").orElseThrow();
    private static final EntityType ORG = TYPES.entityType("Org").orElseThrow();

    /**
     * Bruno -> Bru|no, Pusterla -> Pus|ter|la, works -> wor|ks, for -> for, ACME -> ACM|E, . -> .
     * positions: 0 [CLS], Bruno [1,3), Pusterla [3,6), works [6,8), for [8,9), ACME [9,11), . [11,12), 12 [SEP]
     */
    static Document brunoDocument() {
        return new Document(0, "95", List.of("Bruno", "Pusterla", "works", "for", "ACME", "."),
                List.of(new Entity(PEOP, 0, 2), new Entity(ORG, 4, 5)),
                List.of(new Relation(TYPES.relationType("Work_For").orElseThrow(), 0, 1)));
    }

    @Test
    void encodesEachWordOnItsOwnBetweenClsAndSep() {
        EncodedDocument encoded = EncodedDocument.encode(brunoDocument(), new ChunkEncoder());

        int[] ids = encoded.inputIds();
        assertThat(encoded.length()).isEqualTo(13);
        assertThat(ids[0]).isEqualTo(ChunkEncoder.CLS);
        assertThat(ids[12]).isEqualTo(ChunkEncoder.SEP);
        assertThat(ids[1]).isEqualTo(new ChunkEncoder().pieceIds("Bruno")[0]);
        assertThat(encoded.wordRange(0)).isEqualTo(new SubwordRange(1, 3));
        assertThat(encoded.wordRange(1)).isEqualTo(new SubwordRange(3, 6));
        assertThat(encoded.wordRange(5)).isEqualTo(new SubwordRange(11, 12));
        assertThat(encoded.entityRange(0)).isEqualTo(new SubwordRange(1, 6));
        assertThat(encoded.entityRange(1)).isEqualTo(new SubwordRange(9, 11));
        assertThat(encoded.spanRange(2, 4)).isEqualTo(new SubwordRange(6, 9));
        assertThat(EncodedDocument.pieceCounts(brunoDocument(), new ChunkEncoder())).containsExactly(2, 3, 2, 1, 2, 1);
    }

    @Test
    void wordWithoutPiecesBecomesUnk() {
        Document document = new Document(0, null, List.of("糖", " ", "病"), List.of(), List.of());

        EncodedDocument encoded = EncodedDocument.encode(document, new ChunkEncoder());

        assertThat(encoded.length()).isEqualTo(5);
        assertThat(encoded.inputIds()[2]).isEqualTo(ChunkEncoder.UNK);
        assertThat(encoded.wordRange(1)).isEqualTo(new SubwordRange(2, 3));
    }

    @Test
    void reportsWhetherItFits() {
        EncodedDocument encoded = EncodedDocument.encode(brunoDocument(), new ChunkEncoder());

        assertThat(encoded.fitsIn(13)).isTrue();
        assertThat(encoded.fitsIn(12)).isFalse();
    }

    @Test
    void rejectsSpansOutsideTheDocument() {
        EncodedDocument encoded = EncodedDocument.encode(brunoDocument(), new ChunkEncoder());

        assertThatThrownBy(() -> encoded.spanRange(5, 7)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> encoded.spanRange(3, 3)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void contextBetweenSpansFollowsSpert() {
        SubwordRange first = new SubwordRange(1, 6);
        SubwordRange second = new SubwordRange(9, 11);

        assertThat(SubwordRange.between(first, second)).isEqualTo(new SubwordRange(6, 9));
        assertThat(SubwordRange.between(second, first)).isEqualTo(new SubwordRange(6, 9));
        // adjacent, overlapping, nested, identical: nothing strictly between
        assertThat(SubwordRange.between(new SubwordRange(1, 3), new SubwordRange(3, 5)).isEmpty()).isTrue();
        assertThat(SubwordRange.between(new SubwordRange(3, 5), new SubwordRange(1, 3)).isEmpty()).isTrue();
        assertThat(SubwordRange.between(new SubwordRange(2, 6), new SubwordRange(4, 8)).isEmpty()).isTrue();
        assertThat(SubwordRange.between(new SubwordRange(2, 8), new SubwordRange(4, 5)).isEmpty()).isTrue();
        assertThat(SubwordRange.between(first, first).isEmpty()).isTrue();
    }
}
