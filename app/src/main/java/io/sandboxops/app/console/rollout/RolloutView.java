package io.sandboxops.app.console.rollout;

import atlantafx.base.controls.ToggleSwitch;
import io.sandboxops.app.console.fx.ViewLoader;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.control.TextField;
import javafx.scene.control.TitledPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The rollout: where it stands and the way back at the top, the rollback's progress, the plan as a timeline
 * with the current step's gate, and the change (switch, slider, dry-run diff, apply) beside the traffic split.
 */
public final class RolloutView extends ScrollPane {

    @FXML
    private Label unavailableLabel;
    @FXML
    private HBox headerCard;
    @FXML
    private Label headline;
    @FXML
    private Label servingRevision;
    @FXML
    private Label lastChange;
    @FXML
    private Button rollbackButton;
    @FXML
    private TextField reasonField;
    @FXML
    private VBox rollbackCard;
    @FXML
    private HBox rollbackStages;
    @FXML
    private Label rollbackOutcome;
    @FXML
    private TitledPane rollbackLogPane;
    @FXML
    private ListView<String> rollbackLog;
    @FXML
    private Label planAdvice;
    @FXML
    private HBox timeline;
    @FXML
    private ToggleSwitch flagSwitch;
    @FXML
    private Label flagLabel;
    @FXML
    private Slider percentageSlider;
    @FXML
    private Label percentageLabel;
    @FXML
    private Button previewButton;
    @FXML
    private Button discardButton;
    @FXML
    private VBox diffBox;
    @FXML
    private ListView<String> diffList;
    @FXML
    private HBox confirmBox;
    @FXML
    private Label confirmLabel;
    @FXML
    private TextField confirmField;
    @FXML
    private Button applyButton;
    @FXML
    private Label applyHint;
    @FXML
    private VBox trafficRows;

    private final RolloutViewModel viewModel;

    public RolloutView(RolloutViewModel viewModel) {
        this.viewModel = viewModel;
        ViewLoader.load(this);
        getStylesheets().add(RolloutView.class.getResource("rollout.css").toExternalForm());
    }

    @FXML
    private void initialize() {
        unavailableLabel.textProperty().bind(viewModel.unavailableProperty());
        showWhen(unavailableLabel, viewModel.unavailableProperty().isNotEmpty());
        unavailableLabel.setGraphic(new FontIcon(Feather.ALERT_TRIANGLE));

        headline.textProperty().bind(viewModel.headlineProperty());
        headline.setGraphic(new FontIcon(Feather.GIT_BRANCH));
        viewModel.routingProperty().addListener((obs, old, on) -> styleHeader(on));
        styleHeader(viewModel.routingProperty().get());
        servingRevision.textProperty().bind(Bindings.createStringBinding(() -> viewModel.servingRevisionProperty().get().isEmpty() ? ""
                : "Serving revision " + viewModel.servingRevisionProperty().get(), viewModel.servingRevisionProperty()));
        lastChange.textProperty().bind(viewModel.lastChangeProperty());

        rollbackButton.setGraphic(new FontIcon(Feather.ROTATE_CCW));
        rollbackButton.disableProperty().bind(viewModel.canRollbackProperty().not());
        rollbackButton.setOnAction(e -> {
            viewModel.rollback();
            if (viewModel.reasonMissingProperty().get()) {
                reasonField.requestFocus();
            }
        });
        rollbackButton.setTooltip(new Tooltip("Flag off and 0 % in one update, then wait for the revision and verify the traffic"));
        reasonField.textProperty().bindBidirectional(viewModel.reasonProperty());
        viewModel.reasonMissingProperty().addListener((obs, old, missing) -> {
            reasonField.pseudoClassStateChanged(javafx.css.PseudoClass.getPseudoClass("danger"), missing);
            reasonField.setPromptText(missing ? "Say why first: it is recorded in the audit log" : "Reason (required; recorded with your name)");
        });

        showWhen(rollbackCard, Bindings.createBooleanBinding(() -> viewModel.rollingBackProperty().get()
                || !viewModel.rollbackOutcomeProperty().get().isEmpty(), viewModel.rollingBackProperty(), viewModel.rollbackOutcomeProperty()));
        viewModel.rollbackStages().addListener((ListChangeListener<RollbackStage>) c -> showStages());
        showStages();
        rollbackOutcome.textProperty().bind(viewModel.rollbackOutcomeProperty());
        viewModel.rollbackOutcomeProperty().addListener((obs, old, now) -> styleOutcome(now));
        rollbackLog.setItems(viewModel.rollbackLog());

        planAdvice.textProperty().bind(viewModel.planAdviceProperty());
        viewModel.planSteps().addListener((ListChangeListener<PlanStepRow>) c -> showTimeline());
        showTimeline();

        List<Integer> steps = viewModel.steps();
        percentageSlider.setMin(0);
        percentageSlider.setMax(steps.size() - 1);
        // The slider runs over the plan's stops, evenly spaced, so 1 % is as easy to hit as 50 %.
        percentageSlider.setLabelFormatter(new StringConverter<>() {
            @Override
            public String toString(Double index) {
                return steps.get((int) Math.round(index)) + " %";
            }

            @Override
            public Double fromString(String text) {
                return (double) steps.indexOf(Integer.parseInt(text.replace("%", "").trim()));
            }
        });
        percentageSlider.setValue(steps.indexOf(viewModel.percentageProperty().get()));
        percentageSlider.valueProperty().addListener((obs, old, now) -> {
            int index = (int) Math.round(now.doubleValue());
            if (!percentageSlider.isValueChanging() || index == now.doubleValue()) {
                viewModel.percentageProperty().set(steps.get(index));
            }
        });
        percentageSlider.valueChangingProperty().addListener((obs, was, changing) -> {
            if (!changing) {
                viewModel.percentageProperty().set(steps.get((int) Math.round(percentageSlider.getValue())));
            }
        });
        viewModel.percentageProperty().addListener((obs, old, now) -> percentageSlider.setValue(steps.indexOf(now.intValue())));
        percentageLabel.textProperty().bind(viewModel.percentageProperty().asString("%d %%"));
        flagSwitch.selectedProperty().bindBidirectional(viewModel.flagProperty());
        flagLabel.textProperty().bind(Bindings.when(viewModel.flagProperty()).then("on").otherwise("off"));
        flagSwitch.disableProperty().bind(viewModel.writableProperty().not().or(viewModel.busyProperty()));
        percentageSlider.disableProperty().bind(flagSwitch.disableProperty());

        previewButton.setGraphic(new FontIcon(Feather.EYE));
        previewButton.disableProperty().bind(viewModel.canPreviewProperty().not());
        previewButton.setOnAction(e -> viewModel.preview());
        discardButton.disableProperty().bind(viewModel.dirtyProperty().not().or(viewModel.busyProperty()));
        discardButton.setOnAction(e -> {
            viewModel.clearPreview();
            viewModel.refreshToService();
        });
        showWhen(diffBox, viewModel.previewProperty().isNotNull());
        diffList.setItems(viewModel.diffLines());
        showWhen(confirmBox, viewModel.productionProperty());
        confirmLabel.textProperty().bind(Bindings.createStringBinding(() -> "Production: type \"" + viewModel.serviceName() + "\" to confirm", viewModel.previewProperty(), viewModel.productionProperty()));
        confirmField.textProperty().bindBidirectional(viewModel.typedConfirmationProperty());
        applyButton.setGraphic(new FontIcon(Feather.CHECK));
        applyButton.disableProperty().bind(viewModel.canApplyProperty().not());
        applyButton.setOnAction(e -> viewModel.apply());
        applyHint.textProperty().bind(Bindings.createStringBinding(() -> viewModel.canApplyProperty().get() ? ""
                        : viewModel.reasonProperty().get().isBlank() ? "Give a reason (top right) to apply." : "",
                viewModel.canApplyProperty(), viewModel.reasonProperty()));

        viewModel.traffic().addListener((ListChangeListener<TrafficRow>) c -> showTraffic());
        showTraffic();
    }

    private static void showWhen(Node node, javafx.beans.value.ObservableBooleanValue condition) {
        node.visibleProperty().bind(Bindings.createBooleanBinding(condition::get, condition));
        node.managedProperty().bind(node.visibleProperty());
    }

    private void styleHeader(boolean routing) {
        headerCard.getStyleClass().removeAll("rollout-on", "rollout-off");
        headerCard.getStyleClass().add(routing ? "rollout-on" : "rollout-off");
    }

    private void styleOutcome(String outcome) {
        rollbackOutcome.getStyleClass().removeAll("outcome-verified", "outcome-failed", "outcome-running");
        rollbackOutcome.getStyleClass().add(outcome.startsWith("VERIFIED") ? "outcome-verified"
                : outcome.startsWith("Rolling") ? "outcome-running" : "outcome-failed");
        rollbackLogPane.setExpanded(!outcome.startsWith("VERIFIED") && !outcome.startsWith("Rolling") && !outcome.isEmpty());
    }

    private void showStages() {
        rollbackStages.getChildren().clear();
        for (int i = 0; i < viewModel.rollbackStages().size(); i++) {
            RollbackStage stage = viewModel.rollbackStages().get(i);
            if (i > 0) {
                rollbackStages.getChildren().add(new FontIcon(Feather.CHEVRON_RIGHT));
            }
            Label label = new Label(stage.label());
            Feather icon = switch (stage.state()) {
                case WAITING -> Feather.CIRCLE;
                case RUNNING -> Feather.LOADER;
                case DONE -> Feather.CHECK_CIRCLE;
                case FAILED -> Feather.X_CIRCLE;
            };
            label.setGraphic(new FontIcon(icon));
            label.getStyleClass().addAll("rollback-stage", "stage-" + stage.state().name().toLowerCase());
            label.setId("rollbackStage" + i);
            rollbackStages.getChildren().add(label);
        }
    }

    private void showTimeline() {
        timeline.getChildren().clear();
        List<PlanStepRow> rows = viewModel.planSteps();
        for (int i = 0; i < rows.size(); i++) {
            PlanStepRow row = rows.get(i);
            if (i > 0) {
                Region line = new Region();
                line.getStyleClass().addAll("timeline-line", row.position() == PlanStepRow.Position.DONE
                        || row.position() == PlanStepRow.Position.CURRENT ? "timeline-line-done" : "timeline-line-later");
                HBox.setHgrow(line, Priority.ALWAYS);
                line.setMinWidth(12);
                timeline.getChildren().add(line);
            }
            Label percent = new Label(row.percentage() + " %");
            percent.getStyleClass().add("timeline-percent");
            Label hold = new Label(row.hold().isZero() ? "final" : "hold " + row.hold().toHours() + " h");
            hold.getStyleClass().add("rollout-muted");
            Label gate = new Label(gateText(row));
            gate.getStyleClass().addAll("timeline-gate", "gate-" + gateClass(row));
            gate.setGraphic(new FontIcon(gateIcon(row)));
            VBox step = new VBox(2, percent, hold, gate);
            step.setAlignment(javafx.geometry.Pos.CENTER);
            step.getStyleClass().addAll("timeline-step", "step-" + row.position().name().toLowerCase());
            step.setId("planStep" + row.percentage());
            Tooltip.install(step, new Tooltip(row.percentage() + " %: " + row.detail()));
            timeline.getChildren().add(step);
        }
    }

    private static String gateText(PlanStepRow row) {
        return switch (row.position()) {
            case DONE -> "done";
            case NEXT -> "next";
            case LATER -> "";
            case CURRENT -> switch (row.gate()) {
                case PASS -> "gate: pass";
                case TOO_FEW_SAMPLES -> "gate: too few samples (" + row.samples() + " of " + row.needed() + ")";
                case BREACH -> "gate: BREACH";
                case NOT_MEASURED -> "gate: not measured";
            };
        };
    }

    private static String gateClass(PlanStepRow row) {
        if (row.position() != PlanStepRow.Position.CURRENT) {
            return row.position().name().toLowerCase();
        }
        return switch (row.gate()) {
            case PASS -> "pass";
            case TOO_FEW_SAMPLES -> "few";
            case BREACH -> "breach";
            case NOT_MEASURED -> "unknown";
        };
    }

    private static Feather gateIcon(PlanStepRow row) {
        if (row.position() == PlanStepRow.Position.DONE) {
            return Feather.CHECK;
        }
        if (row.position() != PlanStepRow.Position.CURRENT) {
            return Feather.CIRCLE;
        }
        return switch (row.gate()) {
            case PASS -> Feather.CHECK_CIRCLE;
            case TOO_FEW_SAMPLES -> Feather.ALERT_CIRCLE;
            case BREACH -> Feather.ALERT_OCTAGON;
            case NOT_MEASURED -> Feather.HELP_CIRCLE;
        };
    }

    private void showTraffic() {
        trafficRows.getChildren().clear();
        for (TrafficRow share : viewModel.traffic()) {
            Label revision = new Label(share.revision());
            revision.setMinWidth(190);
            revision.getStyleClass().add("traffic-revision");
            ProgressBar bar = new ProgressBar(share.percent() / 100.0);
            bar.setPrefWidth(160);
            Label percent = new Label(share.percent() + " %");
            percent.setMinWidth(50);
            percent.getStyleClass().add("traffic-percent");
            Label detail = new Label(share.detail());
            detail.getStyleClass().add("rollout-muted");
            detail.setWrapText(true);
            HBox bars = new HBox(8, revision, bar, percent);
            bars.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
            VBox row = new VBox(2, bars, detail);
            trafficRows.getChildren().add(row);
        }
        if (viewModel.traffic().isEmpty()) {
            Label none = new Label("No traffic reported yet.");
            none.getStyleClass().add("rollout-muted");
            trafficRows.getChildren().add(none);
        }
    }
}
