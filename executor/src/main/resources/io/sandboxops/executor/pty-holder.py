# Holds one terminal for the executor (PtyTerminal): a pseudo-terminal with an interactive bash on its slave side.
# argv: columns rows cwd rcfile statefile; the shell gets the state file on descriptor 4 (terminal-rc.bash reads it). The executor writes frames to stdin: one byte of kind, four of length (big-endian),
# the payload; kind 'i' is input to type, 'r' a resize (columns, rows: two big-endian 16-bit numbers), 'h' hang up.
# stdout is what the terminal displays, byte for byte, and ends when the shell has exited and its output is out; then
# the shell's status (128+n for signal n) comes as one line on stderr, and the holder stays until it is told to hang
# up (the terminal's close) or stdin ends, so that the close also ends what the shell left running.
# Both directions are bounded: past LIMIT bytes waiting, this stops reading, so a fast writer waits instead of
# growing a buffer. stdin ending (the executor gone) hangs up too. Hanging up sends SIGHUP (and SIGCONT) to every
# process of the shell's session and every process holding its terminal, SIGKILL to those left after GRACE seconds.
import errno, fcntl, os, select, signal, struct, sys, termios, time

LIMIT = 1 << 20
GRACE = 2.0
cols, rows, cwd, rcfile, statefile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]

master, slave = os.openpty()
fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
pid = os.fork()
if pid == 0:
    try:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        state = os.open(statefile, os.O_RDONLY)
        if state != 4:
            os.dup2(state, 4)
            os.close(state)
        os.set_inheritable(4, True)
        try:
            os.chdir(cwd)
        except OSError:
            pass
        # Python ignores SIGPIPE and SIGXFSZ, and an ignored signal stays ignored across exec: give bash the defaults.
        for s in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
            signal.signal(s, signal.SIG_DFL)
        os.execv('/bin/bash', ['bash', '--noprofile', '--rcfile', rcfile, '-i'])
    finally:
        os._exit(127)
tty = os.ttyname(slave)
os.close(slave)
signal.signal(signal.SIGHUP, signal.SIG_IGN)
for fd in (0, 1, master):
    os.set_blocking(fd, False)


def holds_tty(d):
    try:
        for fd in os.listdir('/proc/' + d + '/fd'):
            if os.readlink('/proc/' + d + '/fd/' + fd) == tty:
                return True
    except OSError:
        pass
    return False


def session_pids():
    # The shell's session, and whatever left it (setsid) but still holds the terminal.
    found = []
    me = str(os.getpid())
    for d in os.listdir('/proc'):
        if d.isdigit() and d != me:
            try:
                with open('/proc/' + d + '/stat', 'rb') as f:
                    st = f.read()
                fields = st[st.rindex(b')') + 2:].split()
                if fields[0] != b'Z' and (int(fields[3]) == pid or holds_tty(d)):
                    found.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return found


def signal_session(*sigs):
    for p in session_pids():
        for s in sigs:
            try:
                os.kill(p, s)
            except OSError:
                pass


out, typed, frames = bytearray(), bytearray(), bytearray()
status, status_at, hung_up, killed = None, None, None, False
stdin_open, master_open, last_output = True, True, time.monotonic()


def hang_up():
    global hung_up
    if hung_up is None:
        hung_up = time.monotonic()
        signal_session(signal.SIGHUP, signal.SIGCONT)


while True:
    if status is None:
        try:
            w, st = os.waitpid(pid, os.WNOHANG)
            if w == pid:
                code = os.waitstatus_to_exitcode(st)
                status = 128 - code if code < 0 else code
                status_at = time.monotonic()
        except ChildProcessError:
            status, status_at = 255, time.monotonic()
    now = time.monotonic()
    if hung_up is not None and not killed and now - hung_up > GRACE:
        signal_session(signal.SIGKILL)
        killed = True
    # Done once the shell is gone and its output is out: what is left holding the terminal gets no more time than that.
    # After a hang-up, only once every process of the session has gone too (SIGKILL at the latest).
    if status is not None and not out:
        if hung_up is not None:
            if killed or not session_pids():
                break
        elif not master_open or now - last_output > 0.1 or now - status_at > 1:
            break
    if not stdin_open and not master_open and status is None and killed:
        break
    r, w = [], []
    if stdin_open and len(typed) < LIMIT:
        r.append(0)
    if master_open and len(out) < LIMIT:
        r.append(master)
    if out:
        w.append(1)
    if typed and master_open:
        w.append(master)
    try:
        readable, writable, _ = select.select(r, w, [], 0.05 if status is not None or hung_up is not None else 0.2)
    except InterruptedError:
        continue
    if master in readable:
        try:
            data = os.read(master, 65536)
            if data:
                out += data
                last_output = time.monotonic()
            else:
                master_open = False
        except BlockingIOError:
            pass
        except OSError:
            # EIO: no process holds the terminal's other side any more
            master_open = False
    if 1 in writable:
        try:
            del out[:os.write(1, out)]
        except BlockingIOError:
            pass
        except OSError:
            out.clear()
            stdin_open = False
            hang_up()
    if master in writable and master_open:
        try:
            del typed[:os.write(master, typed)]
        except BlockingIOError:
            pass
        except OSError:
            typed.clear()
    if 0 in readable:
        try:
            data = os.read(0, 65536)
        except BlockingIOError:
            data = None
        if data == b'':
            stdin_open = False
            hang_up()
        elif data:
            frames += data
            while len(frames) >= 5:
                kind, n = frames[0], struct.unpack('>I', frames[1:5])[0]
                if len(frames) < 5 + n:
                    break
                payload = bytes(frames[5:5 + n])
                del frames[:5 + n]
                if kind == ord('i'):
                    typed += payload
                elif kind == ord('r') and n == 4:
                    c, l = struct.unpack('>HH', payload)
                    try:
                        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack('HHHH', l, c, 0, 0))
                    except OSError:
                        pass
                elif kind == ord('h'):
                    hang_up()
os.set_blocking(1, True)
try:
    os.write(1, out)
except OSError:
    pass
status = 129 if status is None else status
# The output ends here (the executor reads it to its end), the shell's status follows on stderr.
os.close(1)
try:
    os.write(2, b'%d\n' % status)
except OSError:
    pass
# Stay until the terminal is closed (or the executor is gone): what the shell left running ends with the close.
os.set_blocking(0, True)
while hung_up is None:
    try:
        data = os.read(0, 65536)
    except OSError:
        data = b''
    if not data:
        break
    frames += data
    while len(frames) >= 5:
        kind, n = frames[0], struct.unpack('>I', frames[1:5])[0]
        if len(frames) < 5 + n:
            break
        del frames[:5 + n]
        if kind == ord('h'):
            hang_up()
hang_up()
while not killed and session_pids():
    if time.monotonic() - hung_up > GRACE:
        signal_session(signal.SIGKILL)
        killed = True
    time.sleep(0.05)
os._exit(status)
