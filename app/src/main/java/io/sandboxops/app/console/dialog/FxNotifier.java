package io.sandboxops.app.console.dialog;

import javafx.stage.Window;
import javafx.util.Duration;
import org.controlsfx.control.Notifications;

/** The notices of the running application: ControlsFX notifications in the corner of the main window. */
public final class FxNotifier implements Notifier {
    private static final Duration DONE_SHOWN = Duration.seconds(6);
    private static final Duration WARNING_SHOWN = Duration.seconds(15);

    private final Window owner;

    public FxNotifier(Window owner) {
        this.owner = owner;
    }

    @Override
    public void show(Notice notice) {
        Notifications n = Notifications.create().owner(owner).title(notice.title()).text(notice.text());
        switch (notice.level()) {
            case DONE -> n.hideAfter(DONE_SHOWN).showInformation();
            case WARNING -> n.hideAfter(WARNING_SHOWN).showWarning();
            // An alarm at night must still be there when the person looks back at the screen.
            case ALARM -> n.hideAfter(Duration.INDEFINITE).showError();
        }
    }
}
