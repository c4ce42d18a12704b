package dev.jerex.model.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jerex.model.data.TestData.ChunkEncoder;
import java.util.List;
import org.junit.jupiter.api.Test;

class InferenceCandidatesTest {

    @Test
    void enumeratesSpansByWidthThenStart() {
        Document document = new Document(0, null, List.of("a", "bcdef", "g", "h"), List.of(), List.of());
        EncodedDocument encoded = EncodedDocument.encode(document, new ChunkEncoder());

        InferenceCandidates candidates = InferenceCandidates.enumerate(encoded, 3);

        assertThat(candidates.count()).isEqualTo(4 + 3 + 2);
        assertThat(candidates.wordStarts()).containsExactly(0, 1, 2, 3, 0, 1, 2, 0, 1);
        assertThat(candidates.wordEnds()).containsExactly(1, 2, 3, 4, 2, 3, 4, 3, 4);
        assertThat(candidates.widths()).containsExactly(1, 1, 1, 1, 2, 2, 2, 3, 3);
        // a [1,2)  bcdef [2,4)  g [4,5)  h [5,6)
        assertThat(candidates.subwordStarts()).containsExactly(1, 2, 4, 5, 1, 2, 4, 1, 2);
        assertThat(candidates.subwordEnds()).containsExactly(2, 4, 5, 6, 4, 5, 6, 5, 6);
        assertThat(candidates.subwordRange(4)).isEqualTo(new SubwordRange(1, 4));
    }

    @Test
    void widthIsCappedByTheDocumentLength() {
        Document document = new Document(0, null, List.of("a", "b"), List.of(), List.of());

        InferenceCandidates candidates = InferenceCandidates.enumerate(
                EncodedDocument.encode(document, new ChunkEncoder()), 10);

        assertThat(candidates.count()).isEqualTo(3);
        assertThat(new Sampler(SamplingConfig.defaults(), 3)
                .inferenceCandidates(EncodedDocument.encode(document, new ChunkEncoder())).count()).isEqualTo(3);
    }
}
