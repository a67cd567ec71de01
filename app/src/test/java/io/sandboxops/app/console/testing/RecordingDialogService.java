package io.sandboxops.app.console.testing;

import io.sandboxops.app.console.dialog.DialogService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Answers every question as the test says and remembers what was shown. */
public final class RecordingDialogService implements DialogService {
    public boolean answer = true;
    public String typed = "";
    public List<Path> filesToOpen = List.of();
    public Optional<Path> saveTo = Optional.empty();
    public final List<String> shown = new ArrayList<>();

    @Override
    public void showError(String title, String message) {
        shown.add("error: " + title + ": " + message);
    }

    @Override
    public void showException(String title, Throwable error) {
        shown.add("exception: " + title + ": " + error);
    }

    @Override
    public boolean confirm(String title, String message, String confirmLabel) {
        shown.add("confirm: " + title + ": " + message);
        return answer;
    }

    @Override
    public boolean confirmByTyping(String title, String message, String expected) {
        shown.add("type: " + title + ": " + message);
        return answer && expected.equals(typed);
    }

    @Override
    public List<Path> chooseFilesToOpen(String title) {
        return filesToOpen;
    }

    @Override
    public Optional<Path> chooseSaveFile(String title, String suggestedName) {
        return saveTo;
    }
}
