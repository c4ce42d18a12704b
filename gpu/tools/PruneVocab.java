import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jerex.nn.bert.BertTokenizer;
import dev.jerex.nn.bert.HfDirectoryReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
/**
 * Lists the vocabulary ids a dataset needs (gpu/build-train-payload.sh): every WordPiece id of
 * every token of the given SpERT files, plus ids 0-999 (the special and unused tokens).
 * Usage: java -cp ... PruneVocab ENCODER_DIR OUT_IDS_FILE DATASET.json...
 * Cutting a vocabulary to a superset of the pieces a dataset uses leaves that dataset's
 * tokenisation unchanged: greedy longest-match WordPiece still finds the same pieces.
 */
public class PruneVocab {
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]);
        BertTokenizer tok = HfDirectoryReader.read(dir).tokenizer();
        TreeSet<Integer> ids = new TreeSet<>();
        for (int i = 0; i < 1000 && i < tok.vocab().size(); i++) ids.add(i);   // specials and [unusedN]
        ObjectMapper m = new ObjectMapper();
        for (int k = 2; k < a.length; k++) {
            for (JsonNode doc : m.readTree(Path.of(a[k]).toFile())) {
                for (JsonNode t : doc.get("tokens")) for (int id : tok.wordPieceIds(t.asText())) ids.add(id);
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int id : ids) sb.append(id).append('\n');
        Files.writeString(Path.of(a[1]), sb.toString());
        System.out.println(ids.size() + " ids kept of " + tok.vocab().size());
    }
}
