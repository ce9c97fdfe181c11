#!/usr/bin/env python3
"""Drives a command through a real pty, as a user at a terminal would.

ptydrive.py [--rows R --cols C] STEP... -- CMD ARGS...
STEP: expect:REGEX  wait (10 s at most) until the output read so far matches
      send:TEXT     type TEXT (Python escapes: \\r, \\x10 for ctrl-p ...)
      resize:RxC    set the pty's window size (the kernel sends SIGWINCH)
      signal:NAME   send a signal to the command
Then waits (20 s at most) for the command to exit. Prints everything it
read, then a last line "EXIT N" (N = exit code, 128+signal when killed).
Exit 99 when an expect or the exit times out (the output so far is printed).
"""
import fcntl, os, pty, re, select, signal, struct, sys, termios, time

def main():
    args = sys.argv[1:]
    rows, cols = 24, 80
    steps = []
    while args and args[0] != '--':
        a = args.pop(0)
        if a == '--rows':
            rows = int(args.pop(0))
        elif a == '--cols':
            cols = int(args.pop(0))
        else:
            steps.append(a)
    cmd = args[1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    out = bytearray()

    def pump(timeout):
        r, _, _ = select.select([fd], [], [], timeout)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return False
            if not data:
                return False
            out.extend(data)
        return True

    def fail(why):
        sys.stdout.write(out.decode('utf-8', 'replace'))
        sys.stdout.write('\nTIMEOUT %s\n' % why)
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        sys.exit(99)

    for st in steps:
        kind, _, val = st.partition(':')
        if kind == 'expect':
            rx = re.compile(val.encode())
            end = time.time() + 10
            while not rx.search(out):
                if time.time() > end or not pump(0.1) and not rx.search(out):
                    if time.time() > end:
                        fail(st)
                    time.sleep(0.05)
            # later expects match only what comes after this one
            m = rx.search(out)
            del out[:m.end()]
        elif kind == 'send':
            os.write(fd, val.encode().decode('unicode_escape').encode('latin-1'))
        elif kind == 'resize':
            r, c = val.split('x')
            fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', int(r), int(c), 0, 0))
        elif kind == 'signal':
            os.kill(pid, getattr(signal, val))
    end = time.time() + 20
    while True:
        p, status = os.waitpid(pid, os.WNOHANG)
        if p == pid:
            break
        if time.time() > end:
            fail('exit')
        pump(0.1)
    while pump(0):
        pass
    sys.stdout.write(out.decode('utf-8', 'replace'))
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
    sys.stdout.write('\nEXIT %d\n' % code)

main()
