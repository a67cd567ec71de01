package io.sandboxops.app.console.testing;

import io.sandboxops.app.console.dialog.Notifier;
import java.util.ArrayList;
import java.util.List;

/** Remembers every notice, in order. */
public final class RecordingNotifier implements Notifier {
    public final List<Notice> notices = new ArrayList<>();

    @Override
    public void show(Notice notice) {
        notices.add(notice);
    }

    /** The notices as {@code LEVEL: title: text}, for assertions that read like the screen. */
    public List<String> lines() {
        return notices.stream().map(n -> n.level() + ": " + n.title() + ": " + n.text()).toList();
    }
}
