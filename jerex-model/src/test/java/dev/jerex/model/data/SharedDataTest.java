package dev.jerex.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jerex.model.data.TestData.ChunkEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads the real data sets in {@code ../shared/data} (see its README). Skipped when the folder is
 * absent, so a fresh clone builds without it.
 */
class SharedDataTest {

    private static Path data;

    @BeforeAll
    static void findData() {
        data = TestData.sharedDataDirectory().orElse(null);
    }

    private static Path file(String relative) {
        assumeTrue(data != null && Files.isRegularFile(data.resolve(relative)), "shared data absent: " + relative);
        return data.resolve(relative);
    }

    @Test
    void conll04CountsMatchTheReadme() throws Exception {
        DatasetReader reader = new DatasetReader();
        Types types = reader.readTypes(file("conll04/conll04_types.json"));
        assertThat(types.entityTypeCount()).isEqualTo(4 + 1);
        assertThat(types.relationTypeCount()).isEqualTo(5);

        assertCounts(reader.readDocuments(file("conll04/conll04_train.json"), types), 922, 3377, 1283);
        assertCounts(reader.readDocuments(file("conll04/conll04_dev.json"), types), 231, 893, 343);
        assertCounts(reader.readDocuments(file("conll04/conll04_train_dev.json"), types), 1153, 4270, 1626);
    }

    @Test
    void chineseDataLoads() throws Exception {
        DatasetReader reader = new DatasetReader();
        Types cmeieTypes = reader.readTypes(file("cmeie/cmeie_types.json"));
        List<Document> cmeie = reader.readDocuments(file("cmeie/cmeie_train.json"), cmeieTypes);
        assertThat(cmeie).hasSize(2868);
        // the README counts 8461 relations; 7 symmetric 同义词 pairs are listed in both directions and
        // are read as one relation each
        assertThat(cmeie.stream().mapToInt(d -> d.relations().size()).sum()).isEqualTo(8461 - 7);
        assertThat(cmeieTypes.entityTypeCount()).isEqualTo(11 + 1);
        assertThat(cmeieTypes.relationTypeCount()).isEqualTo(44);

        Types diakgTypes = reader.readTypes(file("diakg-sample/diakg_types.json"));
        List<Document> diakg = reader.readDocuments(file("diakg-sample/diakg_sample.json"), diakgTypes);
        assertCounts(diakg, 83, 424, 173);
        assertThat(diakg.get(0).origId()).isEqualTo("1-0-0");
    }

    /**
     * The span-length distribution behind {@link SamplingConfig#CHINESE_MAX_SPAN_SIZE}; printed so
     * that the numbers can be re-checked when the data changes.
     */
    @Test
    void spanLengthCoverageJustifiesTheChineseDefault() throws Exception {
        DatasetReader reader = new DatasetReader();
        List<Document> cmeie = reader.readDocuments(file("cmeie/cmeie_train.json"),
                reader.readTypes(file("cmeie/cmeie_types.json")));
        List<Document> diakg = reader.readDocuments(file("diakg-sample/diakg_sample.json"),
                reader.readTypes(file("diakg-sample/diakg_types.json")));
        List<Document> conll = reader.readDocuments(file("conll04/conll04_train.json"),
                reader.readTypes(file("conll04/conll04_types.json")));

        SpanLengthStatistics cmeieStats = SpanLengthStatistics.of(cmeie);
        SpanLengthStatistics diakgStats = SpanLengthStatistics.of(diakg);
        SpanLengthStatistics conllStats = SpanLengthStatistics.of(conll);
        int[] sizes = {5, 8, 10, 15, 20, 25, 30};
        System.out.println(cmeieStats.report("cmeie_train.json", sizes));
        System.out.println(diakgStats.report("diakg_sample.json", sizes));
        System.out.println(conllStats.report("conll04_train.json", sizes));
        for (int size : new int[] {10, 20, 30}) {
            System.out.printf("cmeie mean candidates per document at maxSpanSize %d: %.0f%n", size,
                    cmeieStats.meanCandidatesPerDocument(cmeie, size));
        }

        assertThat(cmeieStats.entityCount()).isEqualTo(13448);
        assertThat(cmeieStats.maxWidth()).isEqualTo(45);
        assertThat(cmeieStats.entityCoverage(10)).isCloseTo(96.19, org.assertj.core.data.Offset.offset(0.01));
        assertThat(cmeieStats.entityCoverage(SamplingConfig.CHINESE_MAX_SPAN_SIZE)).isGreaterThan(98.5);
        assertThat(cmeieStats.relationCoverage(SamplingConfig.CHINESE_MAX_SPAN_SIZE)).isGreaterThan(97.5);
        assertThat(diakgStats.entityCoverage(SamplingConfig.CHINESE_MAX_SPAN_SIZE)).isGreaterThan(99.0);
        assertThat(conllStats.entityCoverage(SamplingConfig.DEFAULT_MAX_SPAN_SIZE)).isGreaterThan(99.9);
    }

    @Test
    void everyConll04DocumentEncodesAndSamples() throws Exception {
        DatasetReader reader = new DatasetReader();
        Types types = reader.readTypes(file("conll04/conll04_types.json"));
        List<Document> documents = reader.readDocuments(file("conll04/conll04_train.json"), types);
        Sampler sampler = new Sampler(SamplingConfig.defaults(), types.relationTypeCount());
        Random random = new Random(1);
        long positives = 0;
        long positivePairs = 0;
        for (Document document : documents) {
            EncodedDocument encoded = EncodedDocument.encode(document, new ChunkEncoder());
            TrainingSample sample = sampler.trainingSample(encoded, random);
            positives += sample.positiveEntityCount();
            positivePairs += sample.positiveRelationCount();
            assertThat(sample.entityCount() - sample.positiveEntityCount()).isLessThanOrEqualTo(100);
            assertThat(sampler.inferenceCandidates(encoded).count()).isPositive();
        }
        assertThat(positives).isEqualTo(3377);
        assertThat(positivePairs).isEqualTo(1283); // CoNLL04 has no pair with two relation types
    }

    private static void assertCounts(List<Document> documents, int docs, int entities, int relations) {
        assertThat(documents).hasSize(docs);
        assertThat(documents.stream().mapToInt(d -> d.entities().size()).sum()).isEqualTo(entities);
        assertThat(documents.stream().mapToInt(d -> d.relations().size()).sum()).isEqualTo(relations);
    }
}
