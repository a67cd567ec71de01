package io.sandboxops.app.console.environment;

import io.sandboxops.app.console.preferences.ConsolePreferences;
import java.util.Optional;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/** The environment switcher: the environments the catalog lists, the chosen one, and what its flags mean. */
public final class EnvironmentsViewModel {

    private final ObservableList<ConsoleEnvironment> environments = FXCollections.observableArrayList();
    private final ObjectProperty<ConsoleEnvironment> selected = new SimpleObjectProperty<>(this, "selected");
    private final BooleanBinding production = Bindings.createBooleanBinding(() -> selected.get() != null && selected.get().production(), selected);
    private final BooleanBinding readOnly = Bindings.createBooleanBinding(() -> selected.get() != null && selected.get().readOnly(), selected);
    private final StringBinding banner = Bindings.createStringBinding(this::bannerText, selected);
    private final Optional<String> catalogProblem;

    public EnvironmentsViewModel(EnvironmentCatalog catalog) {
        this(catalog, ConsolePreferences.none());
    }

    /** @param preferences where the environment last open is remembered; it opens again when the catalog still lists it */
    public EnvironmentsViewModel(EnvironmentCatalog catalog, ConsolePreferences preferences) {
        environments.setAll(catalog.environments());
        catalogProblem = catalog.problem();
        // Else the console opens on local (DESIGN §8), whatever order the catalog lists them in.
        selected.set(preferences.lastEnvironment().flatMap(this::named)
                .or(() -> named(ConsoleEnvironment.LOCAL_NAME))
                .orElse(environments.isEmpty() ? null : environments.get(0)));
        selected.addListener((obs, old, now) -> {
            if (now != null) {
                preferences.lastEnvironment(now.name());
            }
        });
    }

    private Optional<ConsoleEnvironment> named(String name) {
        return environments.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    private String bannerText() {
        ConsoleEnvironment env = selected.get();
        if (env == null) {
            return "";
        }
        if (env.production()) {
            return "PRODUCTION — " + env.name() + (env.readOnly() ? " (read-only)" : " — changes affect real users");
        }
        return env.readOnly() ? "READ-ONLY — " + env.name() + ": nothing can be changed here" : "";
    }

    /** Lists an environment just added to the environments file, and switches to it. */
    public void add(ConsoleEnvironment environment) {
        environments.add(environment);
        selected.set(environment);
    }

    /** @return why the environments file could not be read, when it could not: said in the status bar */
    public Optional<String> catalogProblem() {
        return catalogProblem;
    }

    public ObservableList<ConsoleEnvironment> environments() {
        return environments;
    }

    public ObjectProperty<ConsoleEnvironment> selectedProperty() {
        return selected;
    }

    public BooleanBinding productionProperty() {
        return production;
    }

    public BooleanBinding readOnlyProperty() {
        return readOnly;
    }

    /** @return the banner's text: empty for an ordinary environment */
    public StringBinding bannerProperty() {
        return banner;
    }
}
