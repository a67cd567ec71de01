package io.sandboxops.app.cli;

import io.sandboxops.core.api.FileEntry;
import io.sandboxops.core.api.LineRange;
import io.sandboxops.core.api.Sandbox;
import io.sandboxops.core.api.SearchMatch;
import io.sandboxops.core.api.TransferProgress;
import io.sandboxops.core.env.ControlCharacters;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "file", description = "Files of a session: read, write, list, find, search, replace, upload, download.",
        footerHeading = "%nExamples:%n",
        footer = {"  echo 'print(1)' | sandboxctl file write --session \"$ID\" /workspace/a.py",
                "  sandboxctl file read --session \"$ID\" /workspace/a.py --start 1 --end 20",
                "  sandboxctl file download --session \"$ID\" /workspace ./out"},
        subcommands = {FileCommand.Read.class, FileCommand.Write.class, FileCommand.Exists.class, FileCommand.Delete.class,
                FileCommand.ListDir.class, FileCommand.Find.class, FileCommand.Search.class, FileCommand.Replace.class,
                FileCommand.Upload.class, FileCommand.Download.class})
final class FileCommand {
    @Mixin
    HelpOption help;

    @Access(Access.Kind.READ)
    @Command(name = "read", description = "Print a text file, or some of its lines.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl file read --session \"$ID\" /workspace/a.py",
                    "  sandboxctl file read --session \"$ID\" /workspace/a.py --start 10 --end 20"})
    static final class Read extends SessionScoped implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "PATH")
        String path;
        @Option(names = "--start", paramLabel = "LINE", defaultValue = "1", description = "First line, 1-based (default: 1).")
        int start;
        @Option(names = "--end", paramLabel = "LINE", defaultValue = "-1", description = "Last line, inclusive (default: the end).")
        int end;

        /** The file's content is data, printed raw as {@code cat} would, so it can be redirected unchanged. */
        @Override
        public Integer call() {
            LineRange lines = Usage.check(spec, () -> new LineRange(start, end));
            String content = withSandbox(s -> s.fileRead(path, lines));
            output.print(Output.object("path", path, "content", content), content);
            return 0;
        }
    }

    @Access(Access.Kind.WRITE)
    @Command(name = "write", description = "Write standard input to a file (creating parent directories).",
            footerHeading = "%nExamples:%n",
            footer = {"  echo 'print(1)' | sandboxctl file write --session \"$ID\" /workspace/a.py",
                    "  date | sandboxctl file write --session \"$ID\" --append /workspace/log.txt"})
    static final class Write extends SessionScoped implements Callable<Integer> {
        @Mixin
        ConfirmOption confirm;
        @Parameters(index = "0", paramLabel = "PATH")
        String path;
        @Option(names = "--append", description = "Add to the end instead of replacing.")
        boolean append;
        @Option(names = "--leading-newline", description = "Put a newline before the content.")
        boolean leadingNewline;
        @Option(names = "--trailing-newline", description = "Put a newline after the content.")
        boolean trailingNewline;

        @Override
        public Integer call() throws IOException {
            String content = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
            withSandbox(s -> {
                s.fileWrite(path, content, append, leadingNewline, trailingNewline);
                return null;
            });
            output.print(Output.object("path", path, "bytes", content.getBytes(StandardCharsets.UTF_8).length), null);
            return 0;
        }
    }

    @Access(Access.Kind.READ)
    @Command(name = "exists", description = "Say whether a path exists (exit 0 either way).",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl file exists --session \"$ID\" /workspace/a.py",
                    "  sandboxctl file exists --session \"$ID\" /workspace --json"})
    static final class Exists extends SessionScoped implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "PATH")
        String path;

        @Override
        public Integer call() {
            boolean exists = withSandbox(s -> s.fileExists(path));
            output.print(Output.object("path", path, "exists", exists), Boolean.toString(exists));
            return 0;
        }
    }

    @Access(Access.Kind.WRITE)
    @Command(name = "delete", description = "Delete a file, or a directory with everything in it.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl file delete --session \"$ID\" /workspace/a.py",
                    "  sandboxctl file delete --session \"$ID\" /workspace/build"})
    static final class Delete extends SessionScoped implements Callable<Integer> {
        @Mixin
        ConfirmOption confirm;
        @Parameters(index = "0", paramLabel = "PATH")
        String path;

        @Override
        public Integer call() {
            withSandbox(s -> {
                s.fileDelete(path);
                return null;
            });
            output.print(Output.object("path", path, "deleted", true), null);
            return 0;
        }
    }

    @Access(Access.Kind.READ)
    @Command(name = "list", description = "List a directory.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl file list --session \"$ID\"",
                    "  sandboxctl file list --session \"$ID\" /workspace --json"})
    static final class ListDir extends SessionScoped implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR", defaultValue = ".")
        String path;

        @Override
        public Integer call() {
            List<FileEntry> entries = withSandbox(s -> s.fileList(path));
            List<Map<String, Object>> json = entries.stream().map(e -> Output.object("name", e.name(), "path", e.path(),
                    "type", e.type().name().toLowerCase(), "size", e.size(), "mode", String.format("%04o", e.mode()),
                    "modified", e.modified().toString())).toList();
            String text = entries.stream().map(e -> String.format("%s %04o %12d %s %s%s", e.type().name().substring(0, 1).toLowerCase(),
                    e.mode(), e.size(), e.modified(), ControlCharacters.escape(e.name()), e.isDirectory() ? "/" : "")).collect(Collectors.joining("\n"));
            output.print(json, text);
            return 0;
        }
    }

    @Access(Access.Kind.READ)
    @Command(name = "find", description = "Find files under a directory by glob (*.py, src/**/*.java).",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl file find --session \"$ID\" /workspace '*.py'",
                    "  sandboxctl file find --session \"$ID\" /workspace 'src/**/*.java' --json"})
    static final class Find extends SessionScoped implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR")
        String dir;
        @Parameters(index = "1", paramLabel = "GLOB")
        String glob;

        @Override
        public Integer call() {
            List<String> found = withSandbox(s -> s.fileFind(dir, glob));
            output.print(found, found.stream().map(ControlCharacters::escape).collect(Collectors.joining("\n")));
            return 0;
        }
    }

    @Access(Access.Kind.READ)
    @Command(name = "search", description = "Print the lines of a file that match a regex (RE2 syntax: no backreferences or lookaround), with their numbers.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl file search --session \"$ID\" /workspace/a.py '^def '",
                    "  sandboxctl file search --session \"$ID\" /workspace/app.log 'ERROR|WARN' --json"})
    static final class Search extends SessionScoped implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "PATH")
        String path;
        @Parameters(index = "1", paramLabel = "REGEX")
        String regex;

        @Override
        public Integer call() {
            List<SearchMatch> matches = withSandbox(s -> s.fileSearch(path, regex));
            output.print(matches.stream().map(m -> Output.object("line_number", m.lineNumber(), "line", m.line())).toList(),
                    matches.stream().map(m -> m.lineNumber() + ":" + ControlCharacters.escape(m.line())).collect(Collectors.joining("\n")));
            return 0;
        }
    }

    @Access(Access.Kind.WRITE)
    @Command(name = "replace", description = "Replace every occurrence of a text, literally.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl file replace --session \"$ID\" app.py 'DEBUG = True' 'DEBUG = False'"})
    static final class Replace extends SessionScoped implements Callable<Integer> {
        @Mixin
        ConfirmOption confirm;
        @Parameters(index = "0", paramLabel = "PATH")
        String path;
        @Parameters(index = "1", paramLabel = "OLD")
        String oldText;
        @Parameters(index = "2", paramLabel = "NEW")
        String newText;

        @Override
        public Integer call() {
            int n = withSandbox(s -> s.fileReplace(path, oldText, newText));
            output.print(Output.object("path", path, "replacements", n), "replaced " + n);
            return 0;
        }
    }

    @Access(Access.Kind.WRITE)
    @Command(name = "upload", description = "Upload a local file (at most 500 MB), with a progress bar on a terminal.",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl file upload --session \"$ID\" ./local.bin /workspace/remote.bin"})
    static final class Upload extends SessionScoped implements Callable<Integer> {
        @Mixin
        ConfirmOption confirm;
        @Parameters(index = "0", paramLabel = "SRC", description = "Local file.")
        Path src;
        @Parameters(index = "1", paramLabel = "DEST", description = "Path in the sandbox.")
        String dest;

        @Override
        public Integer call() throws IOException {
            if (!Files.isRegularFile(src)) {
                throw new CliException(Files.isDirectory(src) ? src + " is a directory; upload files one by one" : "no such local file: " + src);
            }
            long size = Files.size(src);
            if (size > Sandbox.MAX_TRANSFER_BYTES) {
                throw new CliException("refusing to upload " + src + ": " + size + " bytes is over the 500 MB limit; nothing was sent");
            }
            TransferProgress bar = ProgressBar.forTerminal(output, "upload " + src.getFileName());
            long sent;
            try (InputStream in = Files.newInputStream(src)) {
                sent = withSandbox(s -> s.fileUpload(in, size, dest, bar));
            }
            output.print(Output.object("source", src.toString(), "destination", dest, "bytes", sent), "uploaded " + sent + " bytes to " + dest);
            return 0;
        }
    }

    @Access(Access.Kind.READ)
    @Command(name = "download", description = "Download a file, or a directory tree, to the local disk (at most 500 MB).",
            footerHeading = "%nExamples:%n",
            footer = {"  sandboxctl file download --session \"$ID\" /workspace/out.csv ./out.csv",
                    "  sandboxctl file download --session \"$ID\" /workspace ./workspace-copy"})
    static final class Download extends SessionScoped implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SRC", description = "Path in the sandbox.")
        String src;
        @Parameters(index = "1", paramLabel = "DEST", description = "Local file or directory; nothing is written outside it.")
        Path dest;

        @Override
        public Integer call() {
            TransferProgress bar = ProgressBar.forTerminal(output, "download " + src);
            long got = withSandbox(s -> s.fileDownload(src, dest, bar));
            output.print(Output.object("source", src, "destination", dest.toString(), "bytes", got), "downloaded " + got + " bytes to " + dest);
            return 0;
        }
    }
}
