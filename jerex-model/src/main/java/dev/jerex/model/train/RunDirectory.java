package dev.jerex.model.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * What a training run leaves behind:
 * <pre>
 * config.json       the resolved configuration
 * loss.csv          step, epoch, loss, entity_loss, relation_loss, grad_norm (before clipping)
 * lr.csv            step, lr
 * metrics.csv       epoch, train_loss, ner/rel/rel_nec micro and macro F1 on dev, seconds
 * eval_epoch_N.json the full evaluation of epoch N (ner, rel, rel_nec: micro, macro, per_type)
 * chart.png         mean training loss and dev F1 over the epochs
 * best/, final/     model directories (best by dev strict relation micro-F1, and the last)
 * </pre>
 */
final class RunDirectory implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .registerModule(new com.fasterxml.jackson.databind.module.SimpleModule()
                    .addSerializer(Path.class, new com.fasterxml.jackson.databind.ser.std.ToStringSerializer()));

    final Path dir;
    private final BufferedWriter loss, lr, metrics;
    private final List<double[]> epochs = new ArrayList<>();   // {epoch, trainLoss, ner, rel, relNec}

    RunDirectory(Path dir, TrainConfig config) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        loss = Files.newBufferedWriter(dir.resolve("loss.csv"), StandardCharsets.UTF_8);
        lr = Files.newBufferedWriter(dir.resolve("lr.csv"), StandardCharsets.UTF_8);
        metrics = Files.newBufferedWriter(dir.resolve("metrics.csv"), StandardCharsets.UTF_8);
        loss.write("step,epoch,loss,entity_loss,relation_loss,grad_norm\n");
        lr.write("step,lr\n");
        metrics.write("epoch,train_loss,ner_micro_f1,ner_macro_f1,rel_micro_f1,rel_macro_f1,rel_nec_micro_f1,rel_nec_macro_f1,epoch_seconds\n");
    }

    void step(int step, int epoch, float total, float entity, float relation, double gradNorm, double rate) throws IOException {
        loss.write(String.format(Locale.ROOT, "%d,%d,%.6f,%.6f,%.6f,%.6g%n", step, epoch, total, entity, relation, gradNorm));
        lr.write(String.format(Locale.ROOT, "%d,%.8g%n", step, rate));
    }

    /** One row of metrics.csv; f1 null when the epoch was not evaluated (empty fields, no chart point). */
    void epoch(int epoch, double trainLoss, double[] f1, double seconds) throws IOException {
        String scores = f1 == null ? ",,,,," : String.format(Locale.ROOT, "%.4f,%.4f,%.4f,%.4f,%.4f,%.4f", f1[0], f1[1], f1[2], f1[3], f1[4], f1[5]);
        metrics.write(String.format(Locale.ROOT, "%d,%.6f,%s,%.1f%n", epoch, trainLoss, scores, seconds));
        metrics.flush();
        loss.flush();
        lr.flush();
        epochs.add(f1 == null ? new double[] {epoch, trainLoss} : new double[] {epoch, trainLoss, f1[0], f1[2], f1[4]});
        try {
            chart();
        } catch (LinkageError e) {   // a runtime without java.desktop (e.g. a minimal jlink image)
            System.err.println("chart.png skipped: this Java runtime has no java.desktop (" + e + ")");
        }
    }

    /** chart.png: training loss (left axis) and dev micro-F1 (right axis) per epoch. */
    private void chart() throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(500).title("jerex training: loss and dev F1")
                .xAxisTitle("epoch").yAxisTitle("mean training loss").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(6);
        List<Double> x = new ArrayList<>(), lossY = new ArrayList<>(), evalX = new ArrayList<>(), ner = new ArrayList<>(),
                rel = new ArrayList<>(), nec = new ArrayList<>();
        for (double[] e : epochs) {
            x.add(e[0]);
            lossY.add(e[1]);
            if (e.length > 2) {   // evaluated epochs only
                evalX.add(e[0]);
                ner.add(e[2]);
                rel.add(e[3]);
                nec.add(e[4]);
            }
        }
        chart.addSeries("train loss", x, lossY).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        if (!evalX.isEmpty()) {
            XYSeries s1 = chart.addSeries("dev NER F1 (%)", evalX, ner);
            XYSeries s2 = chart.addSeries("dev Rel F1 (%)", evalX, rel);
            XYSeries s3 = chart.addSeries("dev Rel+NEC F1 (%)", evalX, nec);
            for (XYSeries s : new XYSeries[] {s1, s2, s3}) s.setYAxisGroup(1);
        }
        chart.setYAxisGroupTitle(1, "dev micro F1 (%)");
        BitmapEncoder.saveBitmap(chart, dir.resolve("chart.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    @Override
    public void close() throws IOException {
        loss.close();
        lr.close();
        metrics.close();
    }
}
