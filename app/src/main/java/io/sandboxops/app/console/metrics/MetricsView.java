package io.sandboxops.app.console.metrics;

import io.sandboxops.app.console.fx.ViewLoader;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/** Tiles of each indicator over the window, and its charts with the plan's target (green) and alert (red) lines dashed. */
public final class MetricsView extends ScrollPane {
    private static final int COLUMNS = 3;
    private static final String TARGET_COLOUR = "#43a047";
    private static final String ALERT_COLOUR = "#e53935";
    /** Measured series in colours neither green nor red, so a line is never mistaken for a bound. */
    private static final String[] MEASURED_COLOURS = {"#1e88e5", "#ab47bc", "#fb8c00"};

    @FXML
    private HBox windowButtons;
    @FXML
    private ProgressIndicator loadingIndicator;
    @FXML
    private Button refreshButton;
    @FXML
    private Label unavailableLabel;
    @FXML
    private FlowPane tiles;
    @FXML
    private Label summaryLabel;
    @FXML
    private GridPane chartGrid;
    @FXML
    private VBox baselineBox;
    @FXML
    private GridPane baselineGrid;
    @FXML
    private Label comparisonHeading;
    @FXML
    private VBox comparisonRows;

    private final MetricsViewModel viewModel;

    public MetricsView(MetricsViewModel viewModel) {
        this.viewModel = viewModel;
        ViewLoader.load(this);
        getStylesheets().add(MetricsView.class.getResource("metrics.css").toExternalForm());
    }

    @FXML
    private void initialize() {
        ToggleGroup group = new ToggleGroup();
        for (String label : viewModel.windowChoices()) {
            ToggleButton button = new ToggleButton(label);
            button.setId("window-" + label);
            button.setToggleGroup(group);
            button.setSelected(label.equals(viewModel.windowLabel()));
            button.setOnAction(e -> {
                // A segmented choice always has one selected: clicking the chosen one again keeps it.
                button.setSelected(true);
                viewModel.chooseWindow(label);
            });
            windowButtons.getChildren().add(button);
        }
        loadingIndicator.visibleProperty().bind(viewModel.loadingProperty());
        refreshButton.setGraphic(new FontIcon(Feather.REFRESH_CW));
        refreshButton.setOnAction(e -> viewModel.refresh());
        refreshButton.setTooltip(new Tooltip("Read the metrics now; they refresh every minute by themselves"));
        unavailableLabel.textProperty().bind(viewModel.unavailableProperty());
        unavailableLabel.visibleProperty().bind(viewModel.unavailableProperty().isNotEmpty());
        unavailableLabel.managedProperty().bind(unavailableLabel.visibleProperty());
        unavailableLabel.setGraphic(new FontIcon(Feather.ALERT_TRIANGLE));
        summaryLabel.textProperty().bind(viewModel.summaryProperty());

        for (int i = 0; i < COLUMNS; i++) {
            ColumnConstraints column = new ColumnConstraints();
            column.setPercentWidth(100.0 / COLUMNS);
            column.setHgrow(Priority.ALWAYS);
            chartGrid.getColumnConstraints().add(column);
        }
        viewModel.tiles().addListener((ListChangeListener<MetricTile>) c -> showTiles());
        viewModel.charts().addListener((ListChangeListener<MetricChart>) c -> showCharts());
        comparisonHeading.textProperty().bind(viewModel.comparisonHeadingProperty());
        viewModel.baselineFigures().addListener((ListChangeListener<BaselineFigure>) c -> showBaseline());
        viewModel.comparisons().addListener((ListChangeListener<ComparisonCheck>) c -> showComparisons());
        showTiles();
        showCharts();
        showBaseline();
        showComparisons();
    }

    private void showTiles() {
        tiles.getChildren().clear();
        for (MetricTile tile : viewModel.tiles()) {
            Label value = new Label(tile.value());
            value.getStyleClass().add("tile-value");
            Label label = new Label(tile.label());
            label.getStyleClass().add("tile-label");
            Label level = new Label(switch (tile.level()) {
                case OK -> "on target";
                case WARNING -> "misses target";
                case CRITICAL -> "ALERT";
                case NO_DATA -> "no data";
                case INFO -> "now";
            });
            level.getStyleClass().add("tile-level");
            VBox box = new VBox(2, label, value, level);
            box.getStyleClass().addAll("metric-tile", "tile-" + tile.level().name().toLowerCase().replace('_', '-'));
            box.setId("tile-" + tile.id());
            Tooltip.install(box, new Tooltip(tile.detail()));
            tiles.getChildren().add(box);
        }
    }

    /** Docker and Cloud Run in two columns, a row per figure. */
    private void showBaseline() {
        baselineGrid.getChildren().clear();
        baselineBox.setVisible(!viewModel.baselineFigures().isEmpty());
        baselineBox.setManaged(baselineBox.isVisible());
        if (viewModel.baselineFigures().isEmpty()) {
            return;
        }
        baselineGrid.add(header(""), 0, 0);
        baselineGrid.add(header("Docker (baseline)"), 1, 0);
        baselineGrid.add(header("Cloud Run (canary)"), 2, 0);
        int row = 1;
        for (BaselineFigure f : viewModel.baselineFigures()) {
            baselineGrid.add(new Label(f.figure()), 0, row);
            Label docker = new Label(f.docker());
            docker.setId("baseline-docker-" + f.id());
            docker.getStyleClass().add("baseline-value");
            Label cloudRun = new Label(f.cloudRun());
            cloudRun.setId("baseline-cloudrun-" + f.id());
            cloudRun.getStyleClass().add("baseline-value");
            baselineGrid.add(docker, 1, row);
            baselineGrid.add(cloudRun, 2, row);
            row++;
        }
    }

    private static Label header(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("baseline-header");
        return l;
    }

    /** A row per comparison: its verdict as a badge, both values with n, the test and p, and why when it is no pass. */
    private void showComparisons() {
        comparisonRows.getChildren().clear();
        for (ComparisonCheck c : viewModel.comparisons()) {
            Label verdict = new Label(switch (c.verdict()) {
                case PASS -> "PASS";
                case BREACH -> "BREACH";
                case INSUFFICIENT_DATA -> "INSUFFICIENT DATA";
            });
            verdict.setId("comparison-" + c.id());
            verdict.getStyleClass().addAll("verdict", "verdict-" + c.verdict().name().toLowerCase().replace('_', '-'));
            Label name = new Label(c.name());
            name.getStyleClass().add("comparison-name");
            Label summary = new Label(c.summary());
            summary.setWrapText(true);
            VBox text = new VBox(2, name, summary);
            if (!c.detail().isEmpty()) {
                Label detail = new Label(c.detail());
                detail.setId("comparison-detail-" + c.id());
                detail.setWrapText(true);
                detail.getStyleClass().add("metrics-muted");
                text.getChildren().add(detail);
            }
            HBox.setHgrow(text, Priority.ALWAYS);
            HBox row = new HBox(10, verdict, text);
            comparisonRows.getChildren().add(row);
        }
    }

    private void showCharts() {
        chartGrid.getChildren().clear();
        int index = 0;
        for (MetricChart chart : viewModel.charts()) {
            chartGrid.add(lineChart(chart), index % COLUMNS, index / COLUMNS);
            index++;
        }
    }

    private VBox lineChart(MetricChart model) {
        long first = model.from();
        long last = model.to();
        NumberAxis x = new NumberAxis();
        x.setForceZeroInRange(false);
        if (first < last) {
            x.setAutoRanging(false);
            x.setLowerBound(first);
            x.setUpperBound(last);
            x.setTickUnit(Math.max(1, (last - first) / 4.0));
        }
        DateTimeFormatter format = DateTimeFormatter.ofPattern(last - first > 86_400 ? "MMM d HH:mm" : "HH:mm").withZone(ZoneId.systemDefault());
        x.setTickLabelFormatter(new StringConverter<>() {
            @Override
            public String toString(Number epochSecond) {
                return format.format(Instant.ofEpochSecond(epochSecond.longValue()));
            }

            @Override
            public Number fromString(String text) {
                return 0;
            }
        });
        NumberAxis y = new NumberAxis();
        y.setForceZeroInRange(false);
        LineChart<Number, Number> chart = new LineChart<>(x, y);
        chart.setTitle(model.title());
        chart.setAnimated(false);
        chart.setPrefHeight(230);
        chart.setMinHeight(200);
        chart.getStyleClass().add("metric-chart");
        chart.setLegendVisible(false);
        FlowPane legend = new FlowPane(12, 2);
        legend.getStyleClass().add("chart-legend-row");
        int measured = 0;
        for (MetricChart.Series s : model.series()) {
            XYChart.Series<Number, Number> series = new XYChart.Series<>();
            series.setName(s.name());
            s.points().forEach(p -> series.getData().add(new XYChart.Data<>(p.epochSecond(), p.value())));
            chart.getData().add(series);
            String colour = switch (s.kind()) {
                case TARGET -> TARGET_COLOUR;
                case ALERT -> ALERT_COLOUR;
                case MEASURED -> MEASURED_COLOURS[measured++ % MEASURED_COLOURS.length];
            };
            boolean bound = s.kind() != MetricChart.Kind.MEASURED;
            series.getNode().setStyle("-fx-stroke: " + colour + "; -fx-stroke-width: " + (bound ? "1.5px; -fx-stroke-dash-array: 6 5;" : "2.5px;"));
            for (XYChart.Data<Number, Number> d : series.getData()) {
                if (bound) {
                    d.getNode().setVisible(false);
                } else {
                    d.getNode().setStyle("-fx-background-color: " + colour + ", white;");
                }
            }
            javafx.scene.shape.Line swatch = new javafx.scene.shape.Line(0, 0, 18, 0);
            swatch.setStroke(javafx.scene.paint.Color.web(colour));
            swatch.setStrokeWidth(bound ? 1.5 : 2.5);
            if (bound) {
                swatch.getStrokeDashArray().setAll(4.0, 3.0);
            }
            Label entry = new Label(s.name(), swatch);
            entry.getStyleClass().add("chart-legend-entry");
            legend.getChildren().add(entry);
        }
        if (model.series().stream().filter(s -> s.kind() == MetricChart.Kind.MEASURED).allMatch(s -> s.points().isEmpty())) {
            Label none = new Label("no executions in this window");
            none.getStyleClass().add("chart-legend-entry");
            legend.getChildren().add(0, none);
        }
        VBox box = new VBox(0, chart, legend);
        box.setId("chart-" + model.id());
        return box;
    }
}
