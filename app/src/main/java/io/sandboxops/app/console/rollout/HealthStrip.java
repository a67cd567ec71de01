package io.sandboxops.app.console.rollout;

import java.util.function.Function;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The rollout's health in one strip above every tab: flag, percentage, step and hold time left, gate, canary against
 * baseline error rate, last change. People start on the sessions; the rollout's state should not be a tab away.
 * The figures wrap onto a second line in a narrow window rather than being cut.
 */
public final class HealthStrip extends FlowPane {
    /** Longest last-change text shown in the strip; the whole of it is in the tooltip. */
    static final int LAST_CHANGE_SHOWN = 90;

    public HealthStrip(RolloutViewModel viewModel) {
        super(14, 2);
        setId("healthStrip");
        getStyleClass().add("health-strip");
        setPadding(new Insets(3, 10, 3, 10));
        setAlignment(Pos.CENTER_LEFT);
        Label title = new Label("Rollout");
        title.setGraphic(new FontIcon(Feather.ACTIVITY));
        title.getStyleClass().add("health-title");
        title.setMinWidth(Label.USE_PREF_SIZE);
        getChildren().addAll(title,
                figure(viewModel, "healthFlag", "Flag", RolloutHealth::flag),
                figure(viewModel, "healthPercentage", "Cloud Run", RolloutHealth::percentage),
                figure(viewModel, "healthStep", "Step", RolloutHealth::step),
                figure(viewModel, "healthGate", "Gate", RolloutHealth::gate),
                figure(viewModel, "healthErrors", "Errors", RolloutHealth::errorRates),
                figure(viewModel, "healthLastChange", "Last change", h -> shorten(h.lastChange())));
        viewModel.healthProperty().addListener((obs, old, now) -> styleAlarm(now));
        styleAlarm(viewModel.healthProperty().get());
        Tooltip.install(this, tooltip(viewModel));
    }

    private static HBox figure(RolloutViewModel viewModel, String id, String name, Function<RolloutHealth, String> text) {
        Label key = new Label(name);
        key.getStyleClass().add("health-key");
        key.setMinWidth(Label.USE_PREF_SIZE);
        Label value = new Label();
        value.setId(id);
        value.getStyleClass().add("health-value");
        value.setMinWidth(Label.USE_PREF_SIZE);
        value.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> text.apply(viewModel.healthProperty().get()),
                viewModel.healthProperty()));
        HBox box = new HBox(4, key, value);
        box.setAlignment(Pos.CENTER_LEFT);
        return box;
    }

    private static Tooltip tooltip(RolloutViewModel viewModel) {
        Tooltip tip = new Tooltip();
        tip.setWrapText(true);
        tip.setMaxWidth(520);
        tip.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> {
            RolloutHealth h = viewModel.healthProperty().get();
            return "Flag " + h.flag() + ", Cloud Run " + h.percentage() + "\nStep " + h.step() + "\nGate " + h.gate()
                    + "\nError rate since the step began: " + h.errorRates() + "\nLast change: " + h.lastChange();
        }, viewModel.healthProperty()));
        return tip;
    }

    private static String shorten(String text) {
        return text.length() <= LAST_CHANGE_SHOWN ? text : text.substring(0, LAST_CHANGE_SHOWN - 1) + "…";
    }

    private void styleAlarm(RolloutHealth health) {
        getStyleClass().remove("health-alarm");
        if (health.alarm()) {
            getStyleClass().add("health-alarm");
        }
    }
}
