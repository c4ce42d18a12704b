package dev.jerex.nn.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * vocab.txt round trips: any vocabulary written by {@link WordPieceVocab#writeVocabTxt} reads back
 * with every token at its id; a token that cannot survive the line format is refused on writing,
 * never silently renumbered on reading.
 */
class VocabRoundTripPropertiesTest {

    @Provide
    Arbitrary<List<String>> vocabularies() {
        Arbitrary<String> token = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(6), Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(5).map(t -> "##" + t),
                Arbitraries.of("", " ", "\t", "\ufeff", "😀", "中", "\u0000", "[MASK]"));
        return token.filter(t -> t.indexOf('\n') < 0 && t.indexOf('\r') < 0 && StandardCharsets.UTF_8.newEncoder().canEncode(t)).list().ofMaxSize(40).map(list -> {
            Set<String> distinct = new LinkedHashSet<>(List.of("[UNK]"));
            distinct.addAll(list);
            return new ArrayList<>(distinct);
        });
    }

    @Property(tries = 300)
    void everyTokenKeepsItsId(@ForAll("vocabularies") List<String> tokens) throws IOException {
        WordPieceVocab written = new WordPieceVocab(tokens.toArray(String[]::new), "[UNK]", "##", 100);
        StringWriter text = new StringWriter();
        written.writeVocabTxt(text);
        WordPieceVocab read = WordPieceVocab.fromVocabTxt(new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8)));
        assertThat(read.size()).isEqualTo(tokens.size());
        for (int id = 0; id < tokens.size(); id++) {
            assertThat(read.token(id)).isEqualTo(tokens.get(id));
            assertThat(read.id(tokens.get(id))).isEqualTo(id);
        }
    }

    @Property(tries = 50)
    void aTokenThatTheLineFormatCannotHoldIsRefused(@ForAll("vocabularies") List<String> tokens, @ForAll("unwritable") String inside) {
        List<String> broken = new ArrayList<>(tokens);
        broken.add("a" + inside + "b");
        WordPieceVocab vocab = new WordPieceVocab(broken.toArray(String[]::new), "[UNK]", "##", 100);
        assertThatThrownBy(() -> vocab.writeVocabTxt(new StringWriter())).isInstanceOf(IOException.class)
                .hasMessageContaining("id " + (broken.size() - 1) + " cannot be written to vocab.txt");
    }

    /** Line breaks, and unpaired surrogates (which UTF-8 cannot encode). */
    @Provide
    Arbitrary<String> unwritable() {
        return Arbitraries.of("\n", "\r", "\r\n", "\ud800", "\udfff");
    }
}
