package io.sandboxops.app.console.rollout;

import atlantafx.base.controls.ToggleSwitch;
import io.sandboxops.app.console.fx.ViewLoader;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
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
    private Label planWarning;
    @FXML
    private VBox preflightBox;
    @FXML
    private Label preflightWarning;
    @FXML
    private CheckBox skipPreflightBox;
    @FXML
    private TextField applyReasonField;
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
        RollbackViewModel back = viewModel.rollbackViewModel();
        RolloutChangeViewModel change = viewModel.changeViewModel();
        rollbackButton.disableProperty().bind(back.canRollbackProperty().not());
        rollbackButton.setOnAction(e -> {
            back.rollback();
            if (back.reasonMissingProperty().get()) {
                reasonField.requestFocus();
            }
        });
        rollbackButton.setTooltip(new Tooltip("Flag off and 0 % in one update, then wait for the revision and verify the traffic"));
        reasonField.textProperty().bindBidirectional(back.reasonProperty());
        pointAtWhenMissing(reasonField, back.reasonMissingProperty(), "Reason to roll back (required; recorded)");
        applyReasonField.textProperty().bindBidirectional(change.reasonProperty());
        pointAtWhenMissing(applyReasonField, change.reasonMissingProperty(), "Reason for this change (required; recorded with your name)");

        showWhen(rollbackCard, Bindings.createBooleanBinding(() -> back.rollingBackProperty().get()
                || !back.rollbackOutcomeProperty().get().isEmpty(), back.rollingBackProperty(), back.rollbackOutcomeProperty()));
        back.rollbackStages().addListener((ListChangeListener<RollbackStage>) c -> showStages());
        showStages();
        rollbackOutcome.textProperty().bind(back.rollbackOutcomeProperty());
        back.rollbackOutcomeProperty().addListener((obs, old, now) -> styleOutcome(now));
        rollbackLog.setItems(back.rollbackLog());

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
        percentageSlider.setValue(steps.indexOf(change.percentageProperty().get()));
        percentageSlider.valueProperty().addListener((obs, old, now) -> {
            int index = (int) Math.round(now.doubleValue());
            if (!percentageSlider.isValueChanging() || index == now.doubleValue()) {
                change.percentageProperty().set(steps.get(index));
            }
        });
        percentageSlider.valueChangingProperty().addListener((obs, was, changing) -> {
            if (!changing) {
                change.percentageProperty().set(steps.get((int) Math.round(percentageSlider.getValue())));
            }
        });
        change.percentageProperty().addListener((obs, old, now) -> percentageSlider.setValue(steps.indexOf(now.intValue())));
        percentageLabel.textProperty().bind(change.percentageProperty().asString("%d %%"));
        flagSwitch.selectedProperty().bindBidirectional(change.flagProperty());
        flagLabel.textProperty().bind(Bindings.when(change.flagProperty()).then("on").otherwise("off"));
        flagSwitch.disableProperty().bind(viewModel.writableProperty().not().or(viewModel.busyProperty()));
        percentageSlider.disableProperty().bind(flagSwitch.disableProperty());

        previewButton.setGraphic(new FontIcon(Feather.EYE));
        previewButton.disableProperty().bind(change.canPreviewProperty().not());
        previewButton.setOnAction(e -> change.preview());
        discardButton.disableProperty().bind(change.dirtyProperty().not().or(viewModel.busyProperty()));
        discardButton.setOnAction(e -> {
            change.clearPreview();
            change.refreshToService();
        });
        showWhen(diffBox, change.previewProperty().isNotNull());
        diffList.setItems(change.diffLines());
        showWhen(confirmBox, viewModel.productionProperty());
        confirmLabel.textProperty().bind(Bindings.createStringBinding(() -> "Production: type \"" + viewModel.serviceName() + "\" to confirm", change.previewProperty(), viewModel.productionProperty()));
        confirmField.textProperty().bindBidirectional(change.typedConfirmationProperty());
        applyButton.setGraphic(new FontIcon(Feather.CHECK));
        applyButton.disableProperty().bind(change.canApplyProperty().not());
        applyButton.setOnAction(e -> change.apply());
        applyHint.textProperty().bind(Bindings.createStringBinding(() -> change.canApplyProperty().get() ? ""
                        : change.reasonProperty().get().isBlank() ? "Give a reason for this change to apply it." : "",
                change.canApplyProperty(), change.reasonProperty()));
        showWhen(applyHint, applyHint.textProperty().isNotEmpty());
        planWarning.textProperty().bind(Bindings.createStringBinding(() -> change.planWarnings().isEmpty() ? ""
                : "This change departs from the plan: " + String.join("; ", change.planWarnings()) + ". Say why in the reason.", change.planWarnings()));
        planWarning.setGraphic(new FontIcon(Feather.ALERT_TRIANGLE));
        showWhen(planWarning, Bindings.isNotEmpty(change.planWarnings()));
        preflightWarning.textProperty().bind(Bindings.createStringBinding(() -> "Preflight: " + change.preflightProblemProperty().get()
                + ". Run Check environment (beside the environment switcher) until it passes, or skip it with a reason.", change.preflightProblemProperty()));
        preflightWarning.setGraphic(new FontIcon(Feather.ALERT_TRIANGLE));
        skipPreflightBox.selectedProperty().bindBidirectional(change.skipPreflightProperty());
        showWhen(preflightBox, change.preflightProblemProperty().isNotEmpty());

        viewModel.traffic().addListener((ListChangeListener<TrafficRow>) c -> showTraffic());
        showTraffic();
    }

    /** Marks a reason field red with a prompt that says what to do when its action was tried without a reason. */
    private static void pointAtWhenMissing(TextField field, ReadOnlyBooleanProperty missing, String prompt) {
        field.setPromptText(prompt);
        missing.addListener((obs, old, now) -> {
            field.pseudoClassStateChanged(javafx.css.PseudoClass.getPseudoClass("danger"), now);
            field.setPromptText(now ? "Say why first: it is recorded in the audit log" : prompt);
        });
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
        List<RollbackStage> stages = viewModel.rollbackViewModel().rollbackStages();
        for (int i = 0; i < stages.size(); i++) {
            RollbackStage stage = stages.get(i);
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
                // The line into a step after a skipped one is the jump over it.
                line.getStyleClass().addAll("timeline-line", rows.get(i - 1).position() == PlanStepRow.Position.SKIPPED
                        ? "timeline-line-skipped" : switch (row.position()) {
                    case DONE, CURRENT -> "timeline-line-done";
                    case SKIPPED -> "timeline-line-skipped";
                    case NEXT, LATER -> "timeline-line-later";
                });
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
            case SKIPPED -> "skipped";
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
        if (row.position() == PlanStepRow.Position.SKIPPED) {
            return Feather.SKIP_FORWARD;
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
